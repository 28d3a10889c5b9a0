"""Each pipeline stage as one Prefect task: a name, one side effect, retries on I/O only.

Idempotency lives in the register (fingerprints and upserts), not in Prefect's cache, so
every task runs with ``NO_CACHE``. I/O tasks retry with exponential backoff, never on bad
input: a wrong file stays wrong however often it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task, exponential_backoff

from flows import pipeline
from flows.config import RadarSettings
from flows.select import select_findings
from register_client import RegisterError

__all__ = ["TRACKED", "load_sources"]

# A register that goes away mid-run (a failover, a restart) is waited for minutes, not
# seconds: RADAR_REGISTER_RETRIES and RADAR_REGISTER_RETRY_DELAY set how long.
_SETTINGS = RadarSettings()
_RETRIES = _SETTINGS.register_retries
_BACKOFF = exponential_backoff(backoff_factor=_SETTINGS.register_retry_delay)


def _transient(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry I/O hiccups, never bad input or register rule violations."""
    try:
        state.result()
    except RegisterError as exc:
        return exc.retryable  # an unreachable database or a lost race, not a broken rule
    except ValueError:  # ConfigError, SourceError and other bad input
        return False
    except Exception:
        return True
    return False


def _stage(fn: Callable[..., Any], name: str, *, io: bool = False) -> Any:
    """Wrap one plain stage as a task named ``name-{as_of}``; I/O stages retry."""
    run_name = f"{name}-{{as_of}}" if "as_of" in fn.__code__.co_varnames else name
    if io:
        return task(
            name=name,
            task_run_name=run_name,
            cache_policy=NO_CACHE,
            retries=_RETRIES,
            retry_delay_seconds=_BACKOFF,
            retry_jitter_factor=0.2,
            retry_condition_fn=_transient,
        )(fn)
    return task(name=name, task_run_name=run_name, cache_policy=NO_CACHE)(fn)


load_sources = _stage(pipeline.load_sources, "load-sources", io=True)

#: The pipeline's stages as Prefect tasks, for :func:`flows.pipeline.run_night`.
TRACKED = pipeline.Stages(
    validate=_stage(pipeline.validate_sources, "validate-sources"),
    persist_gate=_stage(pipeline.persist_gate, "persist-gate-results", io=True),
    compute_kpis=_stage(pipeline.compute_kpi_series, "compute-kpis"),
    detect=_stage(pipeline.detect, "detect"),
    select=_stage(select_findings, "select-findings"),
    build_candidates=_stage(pipeline.build_candidates, "build-candidates"),
    plot_evidence=_stage(pipeline.plot_evidence, "plot-evidence", io=True),
    build_dq_candidates=_stage(pipeline.build_dq_candidates, "build-dq-candidates"),
    file_entries=_stage(pipeline.file_entries, "file-entries", io=True),
    remeasure=_stage(pipeline.remeasure_entries, "remeasure-entries", io=True),
)

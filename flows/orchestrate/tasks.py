"""Each pipeline stage as one Prefect task: a name, one side effect, retries on I/O only.

Idempotency lives in the register (fingerprints and upserts), not in Prefect's cache, so
every task runs with ``NO_CACHE``. I/O tasks retry with exponential backoff, never on bad
input: a wrong file stays wrong however often it is read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task, exponential_backoff

from flows import pipeline
from flows.config import ScanConfig
from flows.followup import FollowUp
from flows.runs import Outbox, file_via_outbox, remeasure_patiently
from flows.select import select_findings
from register_client import Candidate, FileReport, Register, RegisterError

__all__ = ["TRACKED", "load_sources", "patient_stages"]

# Prefect retries transient I/O a couple of times; the register's own patience (minutes,
# RADAR_REGISTER_RETRY_SECONDS) lives in the patient stages below.
_RETRIES = 2
_BACKOFF = exponential_backoff(backoff_factor=2)


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
    open_fingerprints=_stage(pipeline.open_fingerprints, "list-open-entries", io=True),
    plot_evidence=_stage(pipeline.plot_evidence, "plot-evidence", io=True),
    add_opportunities=_stage(pipeline.add_opportunities, "add-opportunities"),
    build_dq_candidates=_stage(pipeline.build_dq_candidates, "build-dq-candidates"),
    file_entries=_stage(pipeline.file_entries, "file-entries", io=True),
    remeasure=_stage(pipeline.remeasure_entries, "remeasure-entries", io=True),
)


_file_via_outbox = task(
    name="file-entries", task_run_name="file-entries-{as_of}", cache_policy=NO_CACHE
)(file_via_outbox)


_remeasure_patiently = task(
    name="remeasure-entries", task_run_name="remeasure-entries-{as_of}", cache_policy=NO_CACHE
)(remeasure_patiently)


def patient_stages(outbox: Outbox, retry_seconds: float) -> pipeline.Stages:
    """Return :data:`TRACKED` with register writes that outlast an outage.

    Filing keeps the night's candidates in ``outbox`` until the register has them; filing
    and re-measuring retry an unreachable register for ``retry_seconds``.
    """

    def file_entries(register: Register, candidates: list[Candidate], as_of: date) -> FileReport:
        report: FileReport = _file_via_outbox(register, candidates, as_of, outbox, retry_seconds)
        return report

    def remeasure(
        register: Register, kpi_frame: pd.DataFrame, config: ScanConfig, as_of: date, where: Path
    ) -> list[FollowUp]:
        followed: list[FollowUp] = _remeasure_patiently(
            register, kpi_frame, config, as_of, where, retry_seconds
        )
        return followed

    return dataclasses.replace(TRACKED, file_entries=file_entries, remeasure=remeasure)

"""The Prefect side of syncs: one task per configured target, run after each scan.

A sync that fails does not fail the scan: the entries are filed in the register,
which is the ledger; the task's failed state and a warning say to rerun
``radar sync TARGET``, which finishes the job without duplicates.
"""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task, exponential_backoff

from flows.config.model import ScanConfig
from flows.sync.http import SyncAuthError
from flows.sync.run import run_sync

__all__ = ["sync_after_scan", "sync_target"]


def _transient(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry an unreachable or overloaded target, never bad credentials or config."""
    try:
        state.result()
    except (SyncAuthError, ValueError, FileNotFoundError):
        return False
    except Exception:
        return True
    return False


@task(
    cache_policy=NO_CACHE,
    task_run_name="sync-{target}",
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=5),
    retry_condition_fn=_transient,
)
def sync_target(config: ScanConfig, register_url: str, target: str) -> dict[str, Any]:
    """Mirror the register into one target and pull its triage decisions back."""
    report = run_sync(config, register_url, target)  # type: ignore[arg-type]
    if report.failed:
        raise RuntimeError(f"{target}: {len(report.failed)} entries not synced: {report.failed[0]}")
    result: dict[str, Any] = report.to_json()
    return result


def sync_after_scan(config: ScanConfig, register_url: str) -> None:
    """Run the sync task of every target under ``sync:``; warn, never fail, when one fails."""
    if config.sync is None:
        return
    for target in ("jira", "servicenow"):
        if getattr(config.sync, target) is None:
            continue
        state = sync_target(config, register_url, target, return_state=True)
        if state.is_failed():
            message = str(state.message or "").splitlines()[0] if state.message else ""
            get_run_logger().warning(
                "sync %s failed (%s); run `radar sync %s` to finish", target, message, target
            )

"""Persist gate results in the register, and count critical failures across scans.

Results live in the register by validation id (``Register.record_gate_result``), so every
worker that shares a register counts the same streaks. Streaks read a source's latest
``DEFAULT_KEEP`` results.

A scan files a ``data_quality`` entry when a source fails the same critical expectation
on N consecutive scan dates (``GateSpec.dq_consecutive_failures``); re-running a date
counts once, with its latest result. Too little history (``history``) blocks a scan but
files no entry: it is the warm-up of a new source, and it ends by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.config.model import ScanConfig
from flows.gate.result import GateResult
from flows.gate.suites import gate_spec_for
from register_client import Register

__all__ = [
    "DqStreak",
    "consecutive_critical_failures",
    "dq_streaks",
    "due_dq_streaks",
    "load_results",
    "save_result",
]

DEFAULT_KEEP = 400
NOT_A_DEFECT = frozenset({"history"})  # checks that block detection but need no owner


@dataclass(frozen=True)
class DqStreak:
    """A critical expectation that failed on ``count`` consecutive scan dates, up to now."""

    source: str
    expectation: str
    count: int
    first_failed_at: str
    first_failed_as_of: str
    last_validation_id: str
    failure: dict[str, Any]


def save_result(result: GateResult, register: Register) -> None:
    """Keep ``result`` in the register (idempotent by validation id)."""
    register.record_gate_result(result.to_json())


def load_results(register: Register, source: str) -> list[dict[str, Any]]:
    """Return the source's latest persisted results as dicts, oldest first."""
    return register.gate_results(source, limit=DEFAULT_KEEP)


def _per_scan_date(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for data in results:  # oldest first, so later runs of a date replace earlier ones
        latest[data["as_of"]] = data
    return [latest[k] for k in sorted(latest)]


def _critical(data: dict[str, Any], expectation: str) -> dict[str, Any] | None:
    return next(
        (
            f
            for f in data["failures"]
            if f["severity"] == "critical" and expectation in (f["key"], f["expectation"])
        ),
        None,
    )


def consecutive_critical_failures(register: Register, source: str, expectation: str) -> int:
    """Count the latest consecutive scan dates on which ``expectation`` failed critically.

    ``expectation`` is a failure key (``check:expectation_type:column``, see
    :attr:`Failure.key`) or an expectation type.
    """
    count = 0
    for data in reversed(_per_scan_date(load_results(register, source))):
        if _critical(data, expectation) is None:
            break
        count += 1
    return count


def dq_streaks(register: Register, source: str, n: int) -> list[DqStreak]:
    """Return the critical failures of the latest scan that have failed ``n`` scans in a row."""
    scans = _per_scan_date(load_results(register, source))
    if not scans:
        return []
    streaks = []
    for failure in scans[-1]["failures"]:
        if failure["severity"] != "critical" or failure["check"] in NOT_A_DEFECT:
            continue
        run = []
        for data in reversed(scans):
            if _critical(data, failure["key"]) is None:
                break
            run.append(data)
        if len(run) >= n:
            streaks.append(
                DqStreak(
                    source=source,
                    expectation=failure["key"],
                    count=len(run),
                    first_failed_at=run[-1]["evaluated_at"],
                    first_failed_as_of=run[-1]["as_of"],
                    last_validation_id=scans[-1]["validation_id"],
                    failure=failure,
                )
            )
    return streaks


def due_dq_streaks(config: ScanConfig, register: Register) -> list[DqStreak]:
    """Return, over every source, the streaks that reached its ``dq_consecutive_failures``."""
    return [
        streak
        for source in config.sources
        for streak in dq_streaks(
            register, source.name, gate_spec_for(source).dq_consecutive_failures
        )
    ]

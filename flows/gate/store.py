"""Persist gate results by validation id, and count critical failures across scans.

Results live at ``<results_dir>/<source>/<validation_id>.json``; validation ids start
with their UTC timestamp, so file names sort in evaluation order. Each source keeps its
latest ``keep`` results, which bounds the directory's growth.

A scan files a ``data_quality`` entry when a source fails the same critical expectation
on N consecutive scan dates (``GateSpec.dq_consecutive_failures``); re-running a date
counts once, with its latest result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.config.model import ScanConfig
from flows.gate.result import GateResult
from flows.gate.suites import gate_spec_for

__all__ = [
    "DqStreak",
    "consecutive_critical_failures",
    "dq_streaks",
    "due_dq_streaks",
    "load_results",
    "save_result",
]

DEFAULT_KEEP = 400


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


def save_result(result: GateResult, results_dir: Path, keep: int = DEFAULT_KEEP) -> Path:
    """Write ``result`` under ``results_dir``; drop the source's oldest beyond ``keep``."""
    folder = results_dir / result.source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.validation_id}.json"
    path.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
    for old in sorted(folder.glob("*.json"))[:-keep]:
        old.unlink(missing_ok=True)
    return path


def load_results(results_dir: Path, source: str) -> list[dict[str, Any]]:
    """Return the source's persisted results as dicts, oldest first."""
    folder = results_dir / source
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


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


def consecutive_critical_failures(results_dir: Path, source: str, expectation: str) -> int:
    """Count the latest consecutive scan dates on which ``expectation`` failed critically.

    ``expectation`` is a failure key (``check:expectation_type:column``, see
    :attr:`Failure.key`) or an expectation type.
    """
    count = 0
    for data in reversed(_per_scan_date(load_results(results_dir, source))):
        if _critical(data, expectation) is None:
            break
        count += 1
    return count


def dq_streaks(results_dir: Path, source: str, n: int) -> list[DqStreak]:
    """Return the critical failures of the latest scan that have failed ``n`` scans in a row."""
    scans = _per_scan_date(load_results(results_dir, source))
    if not scans:
        return []
    streaks = []
    for failure in scans[-1]["failures"]:
        if failure["severity"] != "critical":
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


def due_dq_streaks(config: ScanConfig, results_dir: Path) -> list[DqStreak]:
    """Return, over every source, the streaks that reached its ``dq_consecutive_failures``."""
    return [
        streak
        for source in config.sources
        for streak in dq_streaks(
            results_dir, source.name, gate_spec_for(source).dq_consecutive_failures
        )
    ]

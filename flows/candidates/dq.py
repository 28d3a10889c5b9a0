"""Data quality as an improvement opportunity: a critical check that keeps failing.

One failed night is an incident for the data owner; the same critical expectation failing
on N consecutive scans is a process problem worth a CIR entry. The entry is deduplicated
like any other: its fingerprint is the source, the expectation and the kind.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flows.candidates.build import Provenance, route_owner
from flows.config.model import ScanConfig
from flows.gate.result import GateResult
from flows.gate.store import DqStreak

__all__ = ["DQ_TARGET_HORIZON", "WARM_UP_CHECKS", "build_dq_candidate", "is_defect"]

DQ_TARGET_HORIZON = timedelta(days=14)

#: Checks that hold detection back with no defect to fix at the source: too little history
#: means the extract (or the replay) has just started, an edge an analyst calls an artefact.
WARM_UP_CHECKS = frozenset({"history"})


def is_defect(streak: DqStreak) -> bool:
    """Tell whether a failure streak is a data defect worth an entry, not a warm-up.

    Examples
    --------
    >>> s = DqStreak("s", "history:x:at", 3, "t", "2024-01-01", "v", {"check": "history"})
    >>> is_defect(s), is_defect(DqStreak("s", "ids:x:id", 3, "t", "d", "v", {"check": "ids"}))
    (False, True)
    """
    return streak.failure.get("check") not in WARM_UP_CHECKS


def build_dq_candidate(
    streak: DqStreak,
    gate: GateResult,
    config: ScanConfig,
    provenance: Provenance,
    as_of: date,
) -> dict[str, Any]:
    """Build the ``data_quality`` candidate (as plain data) for one failure streak."""
    failure = streak.failure
    unexpected = float(failure.get("unexpected_count") or 0)
    column = failure.get("column") or "(table)"
    kpi_name = f"dq:{failure.get('check') or streak.expectation}"
    dimensions = {"expectation": streak.expectation}
    title = (
        f"{streak.source}: critical check {failure.get('check')} on {column} failed "
        f"{streak.count} scans in a row"
    )
    description = (
        f"The quality gate blocked {streak.source} on each of the last {streak.count} scans "
        f"(since {streak.first_failed_as_of}) because {streak.expectation} failed: "
        f"{failure.get('detail') or 'see Data Docs'}. Detection on this data is held back "
        f"until the cause is fixed at the source."
    )
    return {
        "title": title,
        "description": description,
        "kind": "data_quality",
        "direction": "up",
        "kpi": {
            "name": kpi_name,
            "unit": "unexpected records",
            "better": "lower",
            "measure": "count",
            "domain": [0.0, None],
        },
        "dimensions": dimensions,
        "window": {"start": streak.first_failed_as_of, "end": as_of},
        # A critical check has no history of acceptable failures to compare with: say so
        # rather than show a made-up baseline of zeros.
        "baseline": {
            "clean": False,
            "reason": "a critical check is expected to pass; its failures have no baseline",
            "n": 0,
        },
        "current": {"value": unexpected, "consecutive_failures": streak.count},
        "target": {
            "value": 0.0,
            "by": as_of + DQ_TARGET_HORIZON,
            "basis": f"the check passes again within {DQ_TARGET_HORIZON.days} days of filing",
        },
        "priority": 2,
        "priority_reason": f"critical data-quality check failing {streak.count} scans in a row",
        "owner": route_owner(config.routing, kpi_name, dimensions),
        "source": provenance.source(
            {
                "name": "quality_gate",
                "params": {"consecutive_failures": streak.count},
                "version": gate.suite_version,
            }
        ),
        "evidence": {
            "at": as_of,
            "value": unexpected,
            "score": 1.0,
            "validation_id": streak.last_validation_id,
        },
        "score": 1.0,
        "magnitude": 0.0,
        "csf": "Trustworthy operational data",
        "objective": "Decisions rest on complete, valid records",
    }

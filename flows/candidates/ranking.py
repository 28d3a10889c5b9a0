"""One cap per scan over every kind, ranked by expected benefit in hours a week.

Anomalies, hotspots, gaps, handovers, change waves and improvements compete for the same
``kinds.max_entries`` new entries a night. Each candidate's benefit is put in hours (a
record-based benefit times the source's ``hours_per_record``), so an owner sees it in the
KPI's unit and in hours. Re-detections of open entries are not new work: they pass the cap
and only add evidence to their entry. Data-quality entries are governance and never capped.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flows.config.model import ScanConfig
from register_client import Candidate

__all__ = ["benefit_hours", "rank_and_cap"]


def benefit_hours(candidate: Candidate, config: ScanConfig) -> float:
    """Return the candidate's expected benefit in hours a week (0 when it has no estimate)."""
    benefit = candidate.benefit or {}
    if benefit.get("hours_per_week") is not None:
        return float(benefit["hours_per_week"])
    if benefit.get("records_per_week") is not None:
        return float(benefit["records_per_week"]) * config.kinds.hours(candidate.source.dataset)
    return 0.0


def rank_and_cap(
    candidates: list[Candidate], open_fingerprints: Collection[str], config: ScanConfig
) -> list[Candidate]:
    """Return re-detections of open entries and the ``max_entries`` best new candidates.

    Every candidate comes back with ``benefit.hours_per_week`` set; new ones are ordered by
    it, largest first (improvements, being lessons, after every action item).

    Examples
    --------
    >>> config = ScanConfig.model_validate({"sources": [{"name": "demo", "path": "x",
    ...     "columns": {"id": "id"}}], "kinds": {"max_entries": 1}})
    >>> small = Candidate.example(benefit={"records_per_week": 2.0})
    >>> large = Candidate.example(dimensions={"priority": "P2"}, benefit={"hours_per_week": 9})
    >>> [c.dimensions["priority"] for c in rank_and_cap([small, large], set(), config)]
    ['P2']
    """
    priced = [c.model_copy(update={"benefit": _priced(c, config)}) for c in candidates]
    known = [c for c in priced if c.fingerprint in open_fingerprints]
    fresh = [c for c in priced if c.fingerprint not in open_fingerprints]
    fresh.sort(key=lambda c: (c.kind == "improvement", -benefit_hours(c, config), c.priority))
    return known + fresh[: config.kinds.max_entries]


def _priced(candidate: Candidate, config: ScanConfig) -> dict[str, Any]:
    """Return the benefit with its hours, and the hours a record they assume when derived."""
    benefit = dict(candidate.benefit or {})
    if benefit.get("hours_per_week") is None and benefit.get("records_per_week") is not None:
        # An owner must see that hours from records rest on an assumed effort per record.
        benefit["hours_per_record"] = config.kinds.hours(candidate.source.dataset)
    benefit["hours_per_week"] = round(benefit_hours(candidate, config), 1)
    return benefit

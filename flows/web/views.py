"""What the pages and the report show, computed from entries: pure, no HTTP.

* :func:`inbox` filters and orders entries: priority first, then expected benefit.
* :func:`overview` counts entries by status and kind, finds the overdue ones and
  the latest follow-up verdicts.
* :func:`plot_data_uri` inlines a plot for the self-contained report.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from register_client import STATUSES, Entry

__all__ = [
    "Filters",
    "Overview",
    "benefit_amount",
    "docs_link",
    "inbox",
    "overview",
    "plot_data_uri",
    "resolve",
    "slice_text",
]

_OPEN = ("new", "accepted", "in_progress", "monitoring")


@dataclass(frozen=True)
class Filters:
    """The inbox's filters; empty strings mean "any". ``status`` ``all`` shows every status."""

    status: str = "new"
    kind: str = ""
    owner: str = ""
    kpi: str = ""
    slice: str = ""
    q: str = ""


def slice_text(dimensions: dict[str, Any]) -> str:
    """Return a slice as ``k=v, k=v``, or ``all records``.

    Examples
    --------
    >>> slice_text({"assignment_group": "Group 39"}), slice_text({})
    ('assignment_group=Group 39', 'all records')
    """
    return ", ".join(f"{k}={v}" for k, v in dimensions.items()) or "all records"


def benefit_amount(entry: Entry) -> float:
    """Return the expected weekly benefit (hours or records), 0 when not estimated."""
    benefits = entry.benefits or {}
    for key in ("hours_per_week", "records_per_week"):
        value = benefits.get(key)
        if isinstance(value, int | float):
            return float(value)
    return 0.0


def inbox(entries: Iterable[Entry], filters: Filters) -> list[Entry]:
    """Return the entries that pass `filters`, by priority, then expected benefit, then id."""
    q = filters.q.strip().lower()
    chosen = []
    for e in entries:
        if filters.status not in ("", "all") and e.status != filters.status:
            continue
        if filters.kind and e.kind != filters.kind:
            continue
        if filters.owner and (e.owner or "") != filters.owner:
            continue
        if filters.kpi and e.kpi.name != filters.kpi:
            continue
        if filters.slice and filters.slice.lower() not in slice_text(e.dimensions).lower():
            continue
        if q and q not in f"{e.id} {e.title} {e.description}".lower():
            continue
        chosen.append(e)
    return sorted(chosen, key=lambda e: (e.priority, -benefit_amount(e), e.id))


@dataclass
class Overview:
    """The register at a glance, as of the latest scan."""

    as_of: datetime | None
    by_status: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    overdue: list[Entry] = field(default_factory=list)
    verdicts: list[tuple[Entry, str, float | None, datetime]] = field(default_factory=list)
    verdict_counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def night(self) -> date | None:
        """The data day the latest scan covered: ``as_of`` is the end of that night."""
        return (self.as_of - timedelta(microseconds=1)).date() if self.as_of else None


def overview(entries: Sequence[Entry], now: datetime, scanned: date | None = None) -> Overview:
    """Summarise the register; ``scanned`` is the last night a scan validated (its data day).

    "Overdue" is measured against the latest scan, not the wall clock, as the
    register's snoozes are: a replay of 2016 makes 2016 targets due, not all of them.
    """
    # Scans leave their time (the end of their night) on detections and measurements; a
    # night that filed nothing leaves its gate results.
    seen = [e.last_seen for e in entries] + [m.at for e in entries for m in e.measurements]
    if scanned is not None:
        seen.append(datetime.combine(scanned + timedelta(days=1), time(), tzinfo=UTC))
    as_of = min(now, max(seen)) if seen else None
    statuses = Counter(e.status for e in entries)
    kinds = Counter(e.kind for e in entries)
    overdue = [
        e
        for e in entries
        if e.status in _OPEN and e.target and e.target.by and as_of and e.target.by < as_of
    ]
    verdicts = [
        (e, m.verdict, m.value, m.at)
        for e in entries
        if e.measurements
        for m in [max(e.measurements, key=lambda m: m.at)]
    ]
    return Overview(
        as_of=as_of,
        by_status=[(s, statuses[s]) for s in STATUSES],
        by_kind=sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
        overdue=sorted(overdue, key=lambda e: (e.target.by if e.target else now, e.id)),
        verdicts=verdicts,
        verdict_counts=sorted(Counter(v[1] for v in verdicts).items()),
    )


def resolve(project_dir: Path, path: str | None) -> Path | None:
    """Return a stored plot path as a file that exists (relative paths: to the project)."""
    if not path:
        return None
    candidate = Path(path)
    candidate = candidate if candidate.is_absolute() else project_dir / candidate
    return candidate if candidate.suffix.lower() == ".png" and candidate.is_file() else None


def plot_data_uri(path: Path | None) -> str | None:
    """Return a PNG file as a ``data:`` URI, for HTML that must stand alone."""
    if path is None:
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def docs_link(project_dir: Path, docs_dir: Path, docs_path: str | None) -> str | None:
    """Return the app's ``/data-docs/...`` link for a gate's Data Docs page, if it is kept."""
    if not docs_path:
        return None
    page = Path(docs_path)
    page = (page if page.is_absolute() else project_dir / page).resolve()
    root = (docs_dir if docs_dir.is_absolute() else project_dir / docs_dir).resolve()
    if not page.is_file() or not page.is_relative_to(root):
        return None
    return "/data-docs/" + page.relative_to(root).as_posix()

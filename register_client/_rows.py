"""Candidate -> row values, and the prepared statements filing executes many times.

The statements are built once, and executed with parameter dictionaries, so
SQLAlchemy compiles each of them once per process instead of once per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update

from ._candidate import Candidate
from ._schema import entries, evidence, fingerprints, history
from ._types import jsonable

__all__ = [
    "INSERT_ENTRY",
    "INSERT_EVIDENCE",
    "INSERT_HISTORY",
    "SET_HEAD",
    "SET_PLOT_PATH",
    "UPDATE_SEEN",
    "EntryState",
    "chunks",
    "entry_row",
    "evidence_row",
    "history_row",
    "latest_of",
    "seen_params",
]

_CHUNK = 500


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Split `items` into slices small enough for one ``IN (...)`` list."""
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


@dataclass
class EntryState:
    """What filing needs to know about an entry, kept current across the batch."""

    seq: int
    status: str
    closure_code: str | None
    duplicate_of: int | None
    magnitude: float
    snoozed_until: datetime | None
    last_seen: datetime
    last_evidence_at: datetime | None
    fingerprint: str
    kind: str = ""
    seen_more: int = 0
    latest: Candidate | None = None

    @classmethod
    def fresh(cls, seq: int, c: Candidate, scan_at: datetime) -> EntryState:
        """Return the state of entry `seq`, just filed from `c`."""
        return cls(
            seq=seq,
            status="new",
            closure_code=None,
            duplicate_of=None,
            magnitude=c.magnitude,
            snoozed_until=None,
            last_seen=scan_at,
            last_evidence_at=c.evidence.at,
            fingerprint=c.fingerprint,
            kind=c.kind,
        )


INSERT_ENTRY = insert(entries).returning(entries.c.seq)
INSERT_EVIDENCE = insert(evidence)
INSERT_HISTORY = insert(history)
SET_HEAD = (
    update(fingerprints)
    .where(fingerprints.c.fingerprint == bindparam("b_fingerprint"))
    .values(head_seq=bindparam("b_head"), generation=bindparam("b_generation"))
)
SET_PLOT_PATH = (
    update(entries)
    .where(entries.c.seq == bindparam("b_seq"))
    .values(evidence_plot=bindparam("b_path"))
)
UPDATE_SEEN = (
    update(entries)
    .where(entries.c.seq == bindparam("b_seq"))
    .values(
        occurrences=entries.c.occurrences + bindparam("b_more"),
        last_seen=bindparam("b_last_seen"),
        latest=bindparam("b_latest", type_=entries.c.latest.type),
        kind=bindparam("b_kind"),
    )
)


def entry_row(c: Candidate, scan_at: datetime, generation: int) -> dict[str, Any]:
    """Return the ``entries`` row for a candidate filed as a new entry."""
    return {
        "fingerprint": c.fingerprint,
        "generation": generation,
        "slice_key": c.slice_key,
        "dataset": c.source.dataset,
        "title": c.title,
        "description": c.description,
        "kind": c.kind,
        "direction": c.direction,
        "status": "new",
        "closure_code": None,
        "priority": c.priority,
        "priority_reason": c.priority_reason,
        "owner": c.owner,
        "kpi": c.kpi.model_dump(mode="json"),
        "dimensions": jsonable(c.dimensions),
        "window_start": c.window.start,
        "window_end": c.window.end,
        "baseline": jsonable(c.baseline.model_dump(mode="json")),
        "current": jsonable(c.current.model_dump(mode="json")),
        "suggested_target": c.target.model_dump(mode="json") if c.target else None,
        "target": None,
        "base_value": c.baseline.median,
        "target_value": c.target.value if c.target else None,
        "benefits": jsonable(c.benefit),
        "csf": c.csf,
        "objective": c.objective,
        "score": c.score,
        "magnitude": c.magnitude,
        "source": jsonable(c.source.model_dump(mode="json")),
        "evidence_plot": c.evidence_plot,
        "first_seen": scan_at,
        "last_seen": scan_at,
        "occurrences": 1,
        "duplicate_of": None,
        "linked_to": None,
        "link_kind": None,
        "progress": None,
        "progress_detail": None,
        "progress_at": None,
        "feedback": None,
        "created_at": scan_at,
        "updated_at": scan_at,
        "status_changed_at": scan_at,
        "version": 1,
        "latest": None,
    }


def evidence_row(seq: int, c: Candidate, scan_at: datetime, *, suppressed: bool) -> dict[str, Any]:
    """Return the ``evidence`` row recording one detection on entry `seq`."""
    extra = jsonable(c.evidence.model_dump(mode="json", exclude={"at", "value", "score"}))
    return {
        "entry_seq": seq,
        "fingerprint": c.fingerprint,
        "at": c.evidence.at,
        "value": c.evidence.value,
        "score": c.evidence.score,
        "magnitude": c.magnitude,
        "scan_at": scan_at,
        "suppressed": suppressed,
        "detail": {**extra, "window": jsonable(c.window.model_dump(mode="json"))},
    }


def history_row(
    seq: int,
    *,
    at: datetime,
    by: str,
    action: str,
    from_status: str | None = None,
    to_status: str | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """Return the ``history`` row for one audited event."""
    return {
        "entry_seq": seq,
        "at": at,
        "by": by,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "detail": jsonable(detail),
    }


def latest_of(c: Candidate, scan_at: datetime) -> dict[str, Any]:
    """Return what a later detection tells: when, its window, value, score and kind.

    The entry's own window, current value, baseline, magnitude and plot stay as first
    detected; this is the living part next to them.
    """
    latest: dict[str, Any] = jsonable(
        {
            "seen": scan_at,
            "at": c.evidence.at,
            "kind": c.kind,
            "window": c.window.model_dump(mode="json"),
            "value": c.current.value,
            "change": c.current.model_dump().get("change"),
            "score": c.score,
        }
    )
    return latest


def seen_params(
    seq: int, more: int, last_seen: datetime, latest: Candidate | None, old: Any, kind: str
) -> dict[str, Any]:
    """Return :data:`UPDATE_SEEN` parameters: `more` occurrences, the newest detection.

    `old` is the entry's row, whose ``latest`` is kept when no detection in the batch
    is newer.
    """
    return {
        "b_seq": seq,
        "b_more": more,
        "b_last_seen": last_seen,
        "b_latest": old.latest if latest is None else latest_of(latest, last_seen),
        "b_kind": kind,
    }

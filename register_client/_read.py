"""Reading entries back: rows to :class:`Entry`, with evidence, history and measurements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, Table, select

from ._entry import Entry, EvidenceRecord, HistoryEvent, Measurement, Mute, format_id
from ._parts import Window
from ._related import Related, SliceWindow, relate
from ._rows import chunks
from ._schema import entries, evidence, evidence_plots, history, measurements

__all__ = ["load_entries", "mute_from_row"]

M = TypeVar("M")


def _ref(seq: int | None) -> str | None:
    return None if seq is None else format_id(seq)


def _entry(
    row: Row[Any],
    ev: Sequence[EvidenceRecord],
    hist: Sequence[HistoryEvent],
    meas: Sequence[Measurement],
    stored: bool,
    related: Mapping[str, Sequence[Related]],
) -> Entry:
    m = row._mapping
    entry_id = format_id(m["seq"])
    agreed = m["target"]
    return Entry(
        id=entry_id,
        title=m["title"],
        description=m["description"],
        status=m["status"],
        closure_code=m["closure_code"],
        kind=m["kind"],
        direction=m["direction"],
        priority=m["priority"],
        priority_reason=m["priority_reason"],
        owner=m["owner"],
        kpi=m["kpi"],
        dimensions=m["dimensions"],
        window=Window(start=m["window_start"], end=m["window_end"]),
        baseline=m["baseline"],
        current=m["current"],
        target=agreed if agreed is not None else m["suggested_target"],
        suggested_target=m["suggested_target"],
        base_value=m["base_value"],
        target_value=m["target_value"],
        benefits=m["benefits"],
        csf=m["csf"],
        objective=m["objective"],
        score=m["score"],
        magnitude=m["magnitude"],
        source=m["source"],
        evidence_plot=m["evidence_plot"],
        evidence_plot_stored=stored,
        latest=m["latest"],
        fingerprint=m["fingerprint"],
        generation=m["generation"],
        first_seen=m["first_seen"],
        last_seen=m["last_seen"],
        occurrences=m["occurrences"],
        duplicate_of=_ref(m["duplicate_of"]),
        linked_to=_ref(m["linked_to"]),
        link_kind=m["link_kind"],
        progress=m["progress"],
        progress_detail=m["progress_detail"],
        progress_at=m["progress_at"],
        feedback=m["feedback"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        version=m["version"],
        evidence=list(ev),
        history=list(hist),
        measurements=list(meas),
        related=list(related.get(entry_id, [])),
    )


def _by_entry(
    conn: Connection,
    table: Table,
    order: ColumnElement[Any],
    wanted: Sequence[int],
    build: Callable[[Row[Any]], M],
) -> defaultdict[int, list[M]]:
    """Read `table`'s rows of the `wanted` entries, in `order`, grouped by entry."""
    # One query per child table for all entries, not one per entry.
    grouped: defaultdict[int, list[M]] = defaultdict(list)
    for r in conn.execute(select(table).where(table.c.entry_seq.in_(wanted)).order_by(order)):
        grouped[r.entry_seq].append(build(r))
    return grouped


def _evidence(r: Row[Any]) -> EvidenceRecord:
    return EvidenceRecord.model_construct(
        at=r.at,
        value=r.value,
        score=r.score,
        magnitude=r.magnitude,
        scan_at=r.scan_at,
        fingerprint=r.fingerprint,
        suppressed=r.suppressed,
        detail=r.detail,
    )


def _event(r: Row[Any]) -> HistoryEvent:
    return HistoryEvent.model_construct(
        at=r.at,
        by=r.by,
        action=r.action,
        from_status=r.from_status,
        to_status=r.to_status,
        detail=r.detail,
    )


def _measurement(r: Row[Any]) -> Measurement:
    return Measurement.model_construct(at=r.at, value=r.value, verdict=r.verdict, detail=r.detail)


def load_entries(
    conn: Connection,
    *,
    seqs: Iterable[int] | None = None,
    statuses: Iterable[str] | None = None,
    dataset: str | None = None,
) -> list[Entry]:
    """Load entries, oldest first, with their evidence, history and measurements.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection.
    seqs : iterable of int, optional
        Only these entries.
    statuses : iterable of str, optional
        Only entries in these statuses.
    dataset : str, optional
        Only entries of this dataset.
    """
    query = select(entries).order_by(entries.c.seq)
    if seqs is not None:
        query = query.where(entries.c.seq.in_(list(seqs)))
    if statuses is not None:
        query = query.where(entries.c.status.in_(list(statuses)))
    if dataset is not None:
        query = query.where(entries.c.dataset == dataset)
    rows = conn.execute(query).all()
    if not rows:
        return []
    wanted = [r.seq for r in rows]
    ev = _by_entry(conn, evidence, evidence.c.at, wanted, _evidence)
    hist = _by_entry(conn, history, history.c.id, wanted, _event)
    meas = _by_entry(conn, measurements, measurements.c.at, wanted, _measurement)
    stored: set[int] = set()
    for chunk in chunks(wanted):
        query = select(evidence_plots.c.entry_seq).where(evidence_plots.c.entry_seq.in_(chunk))
        stored |= set(conn.execute(query).scalars())
    related = _related_by_id(conn)
    return [_entry(r, ev[r.seq], hist[r.seq], meas[r.seq], r.seq in stored, related) for r in rows]


def _related_by_id(conn: Connection) -> dict[str, list[Related]]:
    """Relate the loaded entries to every entry in the register, not only the loaded ones."""
    c = entries.c
    query = select(c.seq, c.kpi, c.kind, c.dimensions, c.window_start, c.window_end)
    rows = conn.execute(query.order_by(c.seq)).all()
    return relate(
        SliceWindow(
            format_id(r.seq),
            f"{r.kpi['name']} {r.kind.replace('_', ' ')}",
            r.dimensions,
            r.window_start,
            r.window_end,
        )
        for r in rows
    )


def mute_from_row(row: Row[Any]) -> Mute:
    """Build a :class:`Mute` from a ``mutes`` row."""
    m = row._mapping
    return Mute(
        slice_key=m["slice_key"],
        dataset=m["dataset"],
        kpi=m["kpi"],
        dimensions=m["dimensions"],
        until=m["until"],
        threshold_factor=m["threshold_factor"],
        magnitude_floor=m["magnitude_floor"],
        entry_id=format_id(m["entry_seq"]),
        reason=m["reason"],
        count=m["count"],
    )

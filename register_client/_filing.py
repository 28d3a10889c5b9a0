"""Filing candidates exactly once: lock the fingerprint's lineage head, then apply the rules.

For each candidate, in fingerprint order (a global lock order, so two scans
filing overlapping batches cannot deadlock):

1. upsert the ``fingerprints`` row and lock it (``SELECT ... FOR UPDATE`` on
   PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers);
2. if the detection (fingerprint, evidence time) is already recorded, do nothing:
   this is what makes retried and repeated scans idempotent;
3. otherwise follow the head entry's ``duplicate_of`` chain to its primary and
   let :func:`~register_client._lifecycle.decide` say create, append, link or
   suppress.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ._candidate import Candidate
from ._entry import Mute, Outcome, format_id
from ._lifecycle import Decision, Head, Policy, decide
from ._read import mute_from_row
from ._schema import entries, evidence, fingerprints, history, mutes
from ._types import as_utc, jsonable

__all__ = ["active_mute", "file_one"]

_MAX_DUPLICATE_HOPS = 32


def _lock_head(conn: Connection, fp: str) -> Row[Any]:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(fingerprints)
        .values(fingerprint=fp, head_seq=None, generation=0)
        .on_conflict_do_nothing(index_elements=["fingerprint"])
    )
    query = select(fingerprints).where(fingerprints.c.fingerprint == fp)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one()


def _primary(conn: Connection, seq: int) -> Row[Any]:
    """Follow ``duplicate_of`` from entry `seq` to the entry that answers for it."""
    seen: set[int] = set()
    row = conn.execute(select(entries).where(entries.c.seq == seq)).one()
    while row.status == "duplicate" and row.duplicate_of is not None:
        if row.seq in seen or len(seen) >= _MAX_DUPLICATE_HOPS:
            break  # the API cannot create a cycle; stop rather than spin on a hand-edited one
        seen.add(row.seq)
        row = conn.execute(select(entries).where(entries.c.seq == row.duplicate_of)).one()
    return row


def active_mute(conn: Connection, slice_key: str, at: datetime) -> Mute | None:
    """Return the slice's mute if it still holds at `at`."""
    row = conn.execute(select(mutes).where(mutes.c.slice_key == slice_key)).first()
    if row is None:
        return None
    mute = mute_from_row(row)
    return mute if mute.active(at) else None


def _entry_values(c: Candidate, scan_at: datetime, generation: int) -> dict[str, Any]:
    suggested = c.target.model_dump(mode="json") if c.target else None
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
        "suggested_target": suggested,
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
        "created_at": scan_at,
        "updated_at": scan_at,
        "status_changed_at": scan_at,
        "version": 1,
    }


def _add_evidence(
    conn: Connection, seq: int, c: Candidate, scan_at: datetime, *, suppressed: bool
) -> None:
    extra = jsonable(c.evidence.model_dump(mode="json", exclude={"at", "value", "score"}))
    conn.execute(
        insert(evidence).values(
            entry_seq=seq,
            fingerprint=c.fingerprint,
            at=c.evidence.at,
            value=c.evidence.value,
            score=c.evidence.score,
            magnitude=c.magnitude,
            scan_at=scan_at,
            suppressed=suppressed,
            detail={**extra, "window": jsonable(c.window.model_dump(mode="json"))},
        )
    )


def _audit(conn: Connection, seq: int, at: datetime, by: str, action: str, **kw: Any) -> None:
    conn.execute(
        insert(history).values(
            entry_seq=seq,
            at=at,
            by=by,
            action=action,
            from_status=kw.pop("from_status", None),
            to_status=kw.pop("to_status", None),
            detail=jsonable(kw),
        )
    )


def _create(
    conn: Connection,
    c: Candidate,
    head: Row[Any],
    linked: Row[Any] | None,
    d: Decision,
    *,
    scan_at: datetime,
    now: datetime,
    by: str,
) -> int:
    gen = head.generation + 1
    values = _entry_values(c, scan_at, gen)
    if linked is not None:
        values |= {"linked_to": linked.seq, "link_kind": d.link_kind}
    seq = int(conn.execute(insert(entries).values(**values).returning(entries.c.seq)).scalar_one())
    conn.execute(
        update(fingerprints)
        .where(fingerprints.c.fingerprint == c.fingerprint)
        .values(head_seq=seq, generation=gen)
    )
    _add_evidence(conn, seq, c, scan_at, suppressed=False)
    link = {} if linked is None else {"linked_to": format_id(linked.seq), "link": d.link_kind}
    _audit(
        conn,
        seq,
        now,
        by,
        "filed",
        to_status="new",
        fingerprint=c.fingerprint,
        reason=d.reason,
        scan_at=scan_at,
        **link,
    )
    if linked is not None:
        _audit(
            conn,
            linked.seq,
            now,
            by,
            "superseded",
            from_status=linked.status,
            to_status=linked.status,
            by_entry=format_id(seq),
            link=d.link_kind,
            reason=d.reason,
        )
    return seq


def _append(conn: Connection, c: Candidate, target: Row[Any], scan_at: datetime) -> None:
    last = _last_evidence_at(conn, target.seq)
    values: dict[str, Any] = {
        "last_seen": max(target.last_seen, scan_at),
        "occurrences": entries.c.occurrences + 1,
    }
    if last is None or c.evidence.at >= last:
        # The newest detection describes the entry's current state; the baseline stays frozen.
        values |= {
            "current": jsonable(c.current.model_dump(mode="json")),
            "window_start": c.window.start,
            "window_end": c.window.end,
            "score": c.score,
            "magnitude": c.magnitude,
        }
    conn.execute(update(entries).where(entries.c.seq == target.seq).values(**values))
    _add_evidence(conn, target.seq, c, scan_at, suppressed=False)


def _last_evidence_at(conn: Connection, seq: int) -> datetime | None:
    last = conn.execute(
        select(func.max(evidence.c.at)).where(evidence.c.entry_seq == seq)
    ).scalar_one()
    return None if last is None else as_utc(last)


def _snoozed_until(row: Row[Any], policy: Policy) -> datetime | None:
    """When a rejected or withdrawn entry stops silencing its fingerprint (``None``: never)."""
    feedback = row.feedback or {}
    if "snoozed_until" in feedback:
        until = feedback["snoozed_until"]
        return None if until is None else as_utc(until)
    if policy.rejected_snooze is None:
        return None
    return as_utc(row.status_changed_at) + policy.rejected_snooze


def file_one(
    conn: Connection, c: Candidate, *, scan_at: datetime, now: datetime, by: str, policy: Policy
) -> Outcome:
    """File one candidate inside the caller's transaction and say what was done."""
    fp = c.fingerprint
    head = _lock_head(conn, fp)
    seen = conn.execute(
        select(evidence.c.entry_seq).where(
            evidence.c.fingerprint == fp, evidence.c.at == c.evidence.at
        )
    ).first()
    if seen is not None:
        return Outcome(
            action="unchanged",
            entry_id=format_id(seen.entry_seq),
            fingerprint=fp,
            title=c.title,
            reason="detection already filed",
        )
    target = None if head.head_seq is None else _primary(conn, head.head_seq)
    mute = active_mute(conn, c.slice_key, scan_at)
    state = None
    if target is not None:
        last = _last_evidence_at(conn, target.seq)
        state = Head(
            entry_id=format_id(target.seq),
            status=target.status,
            closure_code=target.closure_code,
            snoozed_until=_snoozed_until(target, policy),
            magnitude=target.magnitude,
            last_evidence_at=last,
        )
    d = decide(
        state,
        evidence_at=c.evidence.at,
        magnitude=c.magnitude,
        scan_at=scan_at,
        policy=policy,
        mute_floor=None if mute is None else (mute.magnitude_floor or float("inf")),
        mute_note="" if mute is None else mute.describe(),
    )
    if d.action == "create" or d.action == "link":
        seq = _create(
            conn,
            c,
            head,
            target if d.action == "link" else None,
            d,
            scan_at=scan_at,
            now=now,
            by=by,
        )
        return Outcome(
            action="created" if d.action == "create" else "linked",
            entry_id=format_id(seq),
            fingerprint=fp,
            title=c.title,
            reason=d.reason,
            linked_to=None if target is None or d.action == "create" else format_id(target.seq),
        )
    if d.action == "append":
        assert target is not None
        _append(conn, c, target, scan_at)
        return Outcome(
            action="updated",
            entry_id=format_id(target.seq),
            fingerprint=fp,
            title=c.title,
            reason=d.reason,
        )
    if target is not None:
        _add_evidence(conn, target.seq, c, scan_at, suppressed=True)
    return Outcome(
        action="suppressed",
        entry_id=None if target is None else format_id(target.seq),
        fingerprint=fp,
        title=c.title,
        reason=d.reason,
    )

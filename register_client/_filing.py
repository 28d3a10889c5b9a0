"""Filing a batch of candidates exactly once, in one transaction.

1. Upsert and lock every fingerprint's *lineage head* row, in fingerprint order:
   ``INSERT ... ON CONFLICT DO NOTHING`` then ``SELECT ... ORDER BY fingerprint
   FOR UPDATE`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` already serialises
   writers). One global lock order is what keeps concurrent scans deadlock-free;
   a scan that finds a head locked waits, then sees the winner's entry.
2. A detection whose (fingerprint, evidence time) is already recorded changes
   nothing: retried and repeated scans are idempotent.
3. Otherwise the head entry (after following ``duplicate_of`` to its primary)
   and :func:`~register_client._lifecycle.decide` say create, append, link or
   suppress. Reads happen in bulk up front; writes are batched at the end.

One entry per episode: a fingerprint seen for the first time whose slice and direction
already have an entry with an overlapping or touching window (within one period) joins
that entry instead of opening another; the fingerprint's head points there from then
on, and a change of kind (a spike re-detected as a level shift) is audited as
``reclassified``. A new entry's evidence plot is stored in ``evidence_plots``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ._candidate import Candidate
from ._entry import Mute, format_id
from ._episodes import Episodes
from ._lifecycle import OPEN_STATUSES, Head, Policy, decide, snoozed_until
from ._read import mute_from_row
from ._report import Outcome
from ._rows import (
    INSERT_ENTRY,
    INSERT_EVIDENCE,
    INSERT_HISTORY,
    SET_HEAD,
    SET_PLOT_PATH,
    UPDATE_SEEN,
    EntryState,
    chunks,
    entry_row,
    evidence_row,
    history_row,
    seen_params,
)
from ._schema import entries, evidence, evidence_plots, fingerprints, mutes, upsert
from ._types import as_utc

__all__ = ["file_batch"]

_MAX_DUPLICATE_HOPS = 32


class _Batch:
    def __init__(
        self, conn: Connection, *, scan_at: datetime, now: datetime, by: str, policy: Policy
    ) -> None:
        self.conn, self.scan_at, self.now, self.by, self.policy = conn, scan_at, now, by, policy
        self.heads: dict[str, list[Any]] = {}  # fingerprint -> [head seq, generation]
        self.states: dict[int, EntryState] = {}
        self.seen: dict[tuple[str, datetime], int] = {}
        self.mutes: dict[str, Mute] = {}
        self.evidence: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.moved: set[str] = set()  # fingerprints whose head is a new entry
        self.superseded: set[int] = set()  # entries a new linked entry now answers for
        self.episodes = Episodes()
        self.plots: list[dict[str, Any]] = []
        self.plot_paths: list[dict[str, Any]] = []

    # -- bulk reads ------------------------------------------------------------------------
    def lock_and_load(self, batch: Sequence[Candidate]) -> None:
        conn = self.conn
        fps = sorted({c.fingerprint for c in batch})
        pg = conn.dialect.name == "postgresql"
        new_heads = upsert(conn, fingerprints).on_conflict_do_nothing(
            index_elements=["fingerprint"]
        )
        for chunk in chunks(fps):
            conn.execute(
                new_heads, [{"fingerprint": fp, "head_seq": None, "generation": 0} for fp in chunk]
            )
            query = (
                select(fingerprints)
                .where(fingerprints.c.fingerprint.in_(chunk))
                .order_by(fingerprints.c.fingerprint)
            )
            for row in conn.execute(query.with_for_update() if pg else query):
                self.heads[row.fingerprint] = [row.head_seq, row.generation]
            # Only this batch's detections: the (fingerprint, at) index answers it, however
            # long the register's history.
            members = set(chunk)
            ats = sorted({c.evidence.at for c in batch if c.fingerprint in members})
            known = select(evidence.c.fingerprint, evidence.c.at, evidence.c.entry_seq).where(
                evidence.c.fingerprint.in_(chunk), evidence.c.at.in_(ats)
            )
            for row in conn.execute(known):
                self.seen[(row.fingerprint, as_utc(row.at))] = row.entry_seq
        fresh = sorted({c.slice_key for c in batch if self.heads[c.fingerprint][0] is None})
        episodes = self.episodes.load(conn, fresh)
        self._load_states([h[0] for h in self.heads.values() if h[0] is not None] + episodes)
        for chunk in chunks(sorted({c.slice_key for c in batch})):
            for row in conn.execute(select(mutes).where(mutes.c.slice_key.in_(chunk))):
                self.mutes[row.slice_key] = mute_from_row(row)

    def _load_states(self, seqs: Sequence[int]) -> None:
        wanted = sorted(set(seqs) - set(self.states))
        for chunk in chunks(wanted):
            query = (
                select(evidence.c.entry_seq, func.max(evidence.c.at))
                .where(evidence.c.entry_seq.in_(chunk))
                .group_by(evidence.c.entry_seq)
            )
            last: dict[int, datetime] = {r[0]: r[1] for r in self.conn.execute(query)}
            rows = select(entries).where(entries.c.seq.in_(chunk)).order_by(entries.c.seq)
            if self.conn.dialect.name == "postgresql":
                # Hold the entries we decide on, so a concurrent triage edit waits for
                # this filing and then fails its version check instead of racing it.
                rows = rows.with_for_update()
            for r in self.conn.execute(rows):
                self.states[r.seq] = EntryState(
                    seq=r.seq,
                    status=r.status,
                    closure_code=r.closure_code,
                    duplicate_of=r.duplicate_of,
                    magnitude=r.magnitude,
                    snoozed_until=snoozed_until(r.feedback, r.status_changed_at, self.policy),
                    last_seen=as_utc(r.last_seen),
                    last_evidence_at=None if last.get(r.seq) is None else as_utc(last[r.seq]),
                    fingerprint=r.fingerprint,
                    kind=r.kind,
                )

    def _primary(self, seq: int) -> EntryState:
        state, hops = self.states[seq], 0
        while state.status == "duplicate" and state.duplicate_of is not None:
            hops += 1
            if hops > _MAX_DUPLICATE_HOPS:
                break  # the API cannot make a cycle; stop rather than spin on a hand-made one
            self._load_states([state.duplicate_of])
            state = self.states[state.duplicate_of]
        return state

    # -- one candidate -----------------------------------------------------------------------
    def file(self, c: Candidate) -> Outcome:
        fp, at = c.fingerprint, c.evidence.at
        if (fp, at) in self.seen:
            return Outcome(
                action="unchanged",
                entry_id=format_id(self.seen[fp, at]),
                fingerprint=fp,
                title=c.title,
                reason="detection already filed",
            )
        head_seq, generation = self.heads[fp]
        if head_seq is None and (joined := self.episodes.match(c)) is not None:
            # Another kind's detection of the same episode: this fingerprint answers to it.
            head_seq = self.heads[fp][0] = joined
            self.moved.add(fp)
        target = None if head_seq is None else self._primary(head_seq)
        mute = self.mutes.get(c.slice_key)
        if mute is not None and not mute.active(self.scan_at):
            mute = None
        head = (
            None
            if target is None
            else Head(
                entry_id=format_id(target.seq),
                status=target.status,
                closure_code=target.closure_code,
                snoozed_until=target.snoozed_until,
                magnitude=target.magnitude,
                last_evidence_at=target.last_evidence_at,
            )
        )
        d = decide(
            head,
            evidence_at=at,
            magnitude=c.magnitude,
            scan_at=self.scan_at,
            policy=self.policy,
            mute_floor=None if mute is None else (mute.magnitude_floor or float("inf")),
            mute_note="" if mute is None else mute.describe(),
        )
        if d.action in ("create", "link"):
            linked = target if d.action == "link" else None
            seq = self._create(c, generation + 1, linked, d.link_kind, d.reason)
            return Outcome(
                action="created" if linked is None else "linked",
                entry_id=format_id(seq),
                fingerprint=fp,
                title=c.title,
                reason=d.reason,
                linked_to=None if linked is None else format_id(linked.seq),
            )
        assert target is not None or d.action == "suppress"
        if target is not None:
            self._record(target, c, suppressed=d.action == "suppress")
        return Outcome(
            action="updated" if d.action == "append" else "suppressed",
            entry_id=None if target is None else format_id(target.seq),
            fingerprint=fp,
            title=c.title,
            reason=d.reason,
        )

    def _create(
        self,
        c: Candidate,
        generation: int,
        linked: EntryState | None,
        link_kind: str | None,
        reason: str,
    ) -> int:
        row = entry_row(c, self.scan_at, generation)
        if linked is not None:
            row |= {"linked_to": linked.seq, "link_kind": link_kind}
        seq = int(self.conn.execute(INSERT_ENTRY, row).scalar_one())
        self.heads[c.fingerprint] = [seq, generation]
        self.moved.add(c.fingerprint)
        self.states[seq] = EntryState.fresh(seq, c, self.scan_at)
        self.episodes.add(c.slice_key, seq, c.direction or "up", c.window.start, c.window.end)
        self._keep_plot(seq, c)
        self.seen[c.fingerprint, c.evidence.at] = seq
        self.evidence.append(evidence_row(seq, c, self.scan_at, suppressed=False))
        at, by = self.now, self.by
        link = {} if linked is None else {"linked_to": format_id(linked.seq), "link": link_kind}
        filed: dict[str, Any] = {"fingerprint": c.fingerprint, "reason": reason, **link}
        filed["scan_at"] = self.scan_at
        self.history.append(
            history_row(seq, at=at, by=by, action="filed", to_status="new", **filed)
        )
        if linked is not None:
            self.superseded.add(linked.seq)
            status = linked.status
            self.history.append(
                history_row(
                    linked.seq,
                    at=at,
                    by=by,
                    action="superseded",
                    from_status=status,
                    to_status=status,
                    by_entry=format_id(seq),
                    link=link_kind,
                    reason=reason,
                )
            )
        return seq

    def _keep_plot(self, seq: int, c: Candidate) -> None:
        """Name the new entry's plot by its id, and keep its bytes with the register."""
        if c.evidence_plot and "{id}" in c.evidence_plot:
            path = c.evidence_plot.replace("{id}", format_id(seq))
            self.plot_paths.append({"b_seq": seq, "b_path": path})
        if c.evidence_png:
            self.plots.append(
                {
                    "entry_seq": seq,
                    "media_type": "image/png",
                    "content": c.evidence_png,
                    "sha256": hashlib.sha256(c.evidence_png).hexdigest(),
                    "created_at": self.now,
                }
            )

    def _record(self, target: EntryState, c: Candidate, *, suppressed: bool) -> None:
        self.seen[c.fingerprint, c.evidence.at] = target.seq
        self.evidence.append(evidence_row(target.seq, c, self.scan_at, suppressed=suppressed))
        newest = target.last_evidence_at is None or c.evidence.at >= target.last_evidence_at
        if newest:
            target.last_evidence_at = c.evidence.at
        if suppressed or target.status not in OPEN_STATUSES:
            return
        target.seen_more += 1
        target.last_seen = max(target.last_seen, self.scan_at)
        self.episodes.extend(c.slice_key, target.seq, c.window.end)
        if newest:
            target.latest = c
            if c.kind != target.kind:
                self.history.append(
                    history_row(
                        target.seq,
                        at=self.now,
                        by=self.by,
                        action="reclassified",
                        from_status=target.status,
                        to_status=target.status,
                        kind_from=target.kind,
                        kind_to=c.kind,
                        scan_at=self.scan_at,
                        fingerprint=c.fingerprint,
                        window=c.window.model_dump(mode="json"),
                    )
                )
                target.kind = c.kind

    # -- batched writes ----------------------------------------------------------------------
    def flush(self) -> None:
        conn = self.conn
        moved = [
            {"b_fingerprint": fp, "b_head": self.heads[fp][0], "b_generation": self.heads[fp][1]}
            for fp in sorted(self.moved)
        ]
        if moved:
            conn.execute(SET_HEAD, moved)
        if self.superseded:
            # Superseding is a change a triager must not overwrite unknowingly: bump the
            # version, so an edit based on an earlier read fails as a concurrent edit.
            conn.execute(
                update(entries)
                .where(entries.c.seq.in_(sorted(self.superseded)))
                .values(version=entries.c.version + 1, updated_at=self.now)
            )
        seen = [s for s in self.states.values() if s.seen_more]
        if seen:
            rows = conn.execute(
                select(entries.c.seq, entries.c.latest).where(
                    entries.c.seq.in_([s.seq for s in seen])
                )
            ).all()
            old = {r.seq: r for r in rows}
            conn.execute(
                UPDATE_SEEN,
                [
                    seen_params(s.seq, s.seen_more, s.last_seen, s.latest, old[s.seq], s.kind)
                    for s in seen
                ],
            )
        if self.plot_paths:
            conn.execute(SET_PLOT_PATH, self.plot_paths)
        if self.plots:
            conn.execute(insert(evidence_plots), self.plots)
        if self.evidence:
            conn.execute(INSERT_EVIDENCE, self.evidence)
        if self.history:
            conn.execute(INSERT_HISTORY, self.history)


def file_batch(
    conn: Connection,
    batch: Sequence[Candidate],
    *,
    scan_at: datetime,
    now: datetime,
    by: str,
    policy: Policy,
) -> list[Outcome]:
    """File `batch` (sorted by fingerprint, then evidence time) inside the caller's transaction."""
    filer = _Batch(conn, scan_at=scan_at, now=now, by=by, policy=policy)
    filer.lock_and_load(batch)
    outcomes = [filer.file(c) for c in batch]
    filer.flush()
    return outcomes

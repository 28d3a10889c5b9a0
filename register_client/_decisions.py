"""Triage decisions: accept, reject and duplicate-of.

Each method is one transaction: it checks the lifecycle, writes the change with
an optimistic version check, and appends one audit event (who, when, what,
from -> to). Each returns the entry as it is afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ._entry import Entry, format_id, parse_id
from ._errors import InvalidTriage
from ._feedback import FeedbackMixin, is_noise
from ._parts import check_target
from ._read import load_entries
from ._schema import entries
from ._triage import edit, read_row
from ._types import as_utc, iso

__all__ = ["DecisionMixin"]


class DecisionMixin(FeedbackMixin):
    """The decisions that move an entry through its lifecycle."""

    def accept(
        self,
        entry_id: str,
        *,
        owner: str,
        target: float | None = None,
        target_by: datetime | None = None,
        by: str = "cli",
        expected_version: int | None = None,
    ) -> Entry:
        """Accept an entry: it gets an owner and, optionally, an agreed target value.

        Without `target` the suggested target stays the entry's target; without
        `target_by` the suggested date is kept.

        Parameters
        ----------
        entry_id : str
            The entry, e.g. ``"CIR-0001"``.
        owner : str
            Who owns the improvement.
        target : float, optional
            The agreed target value (ServiceNow CIM's target value).
        target_by : datetime, optional
            When the target should be reached.
        by : str, default "cli"
            Who does it, for the audit trail.
        expected_version : int, optional
            The version the caller saw; if the entry changed since, nothing is
            written and :class:`ConcurrentEditError` is raised.

        Returns
        -------
        Entry
            The entry after the change.

        Raises
        ------
        EntryNotFound
            If no entry has `entry_id`.
        InvalidTransition
            If the entry's status does not allow it (the message names from and to).
        InvalidTriage
            If `owner` is empty or `target` is outside the KPI's domain.
        ConcurrentEditError
            If `expected_version` is stale, or another writer won the race.
        """
        if not owner or not owner.strip():
            raise InvalidTriage(entry_id, "owner", owner, "accept needs a non-empty owner")
        changes: dict[str, Any] = {"owner": owner.strip()}
        detail: dict[str, Any] = {"owner": owner.strip()}

        def after(conn: Connection, row: Any) -> None:
            if target is None:
                return
            check_target(format_id(row.seq), row.kpi, target)
            suggested_by = (row.suggested_target or {}).get("by")
            when = iso(as_utc(target_by)) if target_by else suggested_by
            agreed = {"value": float(target), "by": when}
            conn.execute(
                update(entries)
                .where(entries.c.seq == row.seq)
                .values(target=agreed, target_value=float(target))
            )

        if target is not None:
            detail["target"] = float(target)
        return self._edit(
            entry_id,
            action="accept",
            by=by,
            to_status="accepted",
            changes=changes,
            detail=detail,
            expected_version=expected_version,
            after=after,
        )

    def reject(
        self, entry_id: str, *, reason: str, by: str = "cli", expected_version: int | None = None
    ) -> Entry:
        """Reject an entry, snoozing its fingerprint.

        A reason whose first word is ``noise`` also mutes the entry's (KPI, slice)
        for ``policy.noise_mute`` and raises its threshold factor; the entry's
        ``feedback`` records it, and the fingerprint is snoozed for
        ``policy.rejected_snooze`` (see :mod:`register_client._lifecycle`).

        Parameters
        ----------
        entry_id : str
            The entry, e.g. ``"CIR-0001"``.
        reason : str
            Why; a first word ``noise`` mutes the slice.
        by : str, default "cli"
            Who does it, for the audit trail.
        expected_version : int, optional
            The version the caller saw; if the entry changed since, nothing is
            written and :class:`ConcurrentEditError` is raised.

        Returns
        -------
        Entry
            The entry after the change.

        Raises
        ------
        EntryNotFound
            If no entry has `entry_id`.
        InvalidTransition
            If the entry's status does not allow it (the message names from and to).
        InvalidTriage
            If `reason` is empty.
        ConcurrentEditError
            If `expected_version` is stale, or another writer won the race.
        """
        if not reason or not reason.strip():
            raise InvalidTriage(entry_id, "reason", reason, "reject needs a reason")
        policy = self.policy

        def after(conn: Connection, row: Any) -> None:
            clock = self.scan_clock(conn)
            feedback: dict[str, Any] = {
                "snoozed_until": self._snoozed_until(clock),
                "renotify_above": abs(row.magnitude) * policy.renotify_ratio,
            }
            if is_noise(reason):
                feedback["mute"] = self._mute_slice(conn, row, reason, clock).model_dump(
                    mode="json"
                )
            conn.execute(update(entries).where(entries.c.seq == row.seq).values(feedback=feedback))

        return self._edit(
            entry_id,
            action="reject",
            by=by,
            to_status="rejected",
            detail={"reason": reason.strip(), "noise": is_noise(reason)},
            expected_version=expected_version,
            after=after,
        )

    def mark_duplicate(
        self, entry_id: str, *, of: str, by: str = "cli", expected_version: int | None = None
    ) -> Entry:
        """Mark an entry as a duplicate of a primary; its later detections go to the primary.

        If `of` is itself a duplicate, the entry points at the end of that chain.

        Parameters
        ----------
        entry_id : str
            The entry, e.g. ``"CIR-0001"``.
        of : str
            The primary entry's id.
        by : str, default "cli"
            Who does it, for the audit trail.
        expected_version : int, optional
            The version the caller saw; if the entry changed since, nothing is
            written and :class:`ConcurrentEditError` is raised.

        Returns
        -------
        Entry
            The entry after the change.

        Raises
        ------
        EntryNotFound
            If no entry has `entry_id`.
        InvalidTransition
            If the entry's status does not allow it (the message names from and to).
        InvalidTriage
            If `of` is the entry itself or would close a cycle.
        ConcurrentEditError
            If `expected_version` is stale, or another writer won the race.
        """

        def primary(conn: Connection) -> int:
            row = read_row(conn, of)
            if row.seq == parse_id(entry_id):
                raise InvalidTriage(entry_id, "of", of, "an entry cannot duplicate itself")
            seen = {row.seq}
            while row.status == "duplicate" and row.duplicate_of is not None:
                row = conn.execute(select(entries).where(entries.c.seq == row.duplicate_of)).one()
                if row.seq == parse_id(entry_id) or row.seq in seen:
                    raise InvalidTriage(entry_id, "of", of, "that would make a duplicate cycle")
                seen.add(row.seq)
            return int(row.seq)

        def work(conn: Connection) -> Entry:
            target = primary(conn)
            row = edit(
                conn,
                entry_id,
                action="mark_duplicate",
                by=by,
                now=self.now(),
                to_status="duplicate",
                changes={"duplicate_of": target},
                detail={"of": format_id(target)},
                expected_version=expected_version,
            )
            return load_entries(conn, seqs=[row.seq])[0]

        return self._run(work)

"""Triage: assign, prioritise, agree a target, comment, start, monitor, close and reopen.

Each method is one transaction: it checks the lifecycle, writes the change with
an optimistic version check, and appends one audit event (who, when, what,
from -> to). Each returns the entry as it is afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, update

from ._decisions import DecisionMixin
from ._entry import Entry, format_id
from ._errors import InvalidTransition, InvalidTriage
from ._lifecycle import CLOSURE_CODES
from ._parts import check_target
from ._read import load_entries
from ._schema import entries, mutes
from ._triage import edit, read_row
from ._types import as_utc, iso

__all__ = ["TriageMixin"]


class TriageMixin(DecisionMixin):
    """The triage API of :class:`~register_client.Register` (decisions included)."""

    def assign(
        self,
        entry_id: str,
        *,
        owner: str | None,
        by: str = "cli",
        expected_version: int | None = None,
    ) -> Entry:
        """Set or clear the entry's owner."""
        return self._edit(
            entry_id,
            action="assign",
            by=by,
            changes={"owner": owner},
            detail={"owner": owner},
            expected_version=expected_version,
        )

    def set_priority(
        self,
        entry_id: str,
        priority: int,
        *,
        reason: str = "",
        by: str = "cli",
        expected_version: int | None = None,
    ) -> Entry:
        """Set the priority, 1 (highest) to 5, with the reason written on the entry."""
        if not isinstance(priority, int) or not 1 <= priority <= 5:
            raise InvalidTriage(entry_id, "priority", priority, "expected an integer 1-5")
        changes: dict[str, Any] = {"priority": priority}
        if reason:
            changes["priority_reason"] = reason
        return self._edit(
            entry_id,
            action="set_priority",
            by=by,
            changes=changes,
            detail={"priority": priority, "reason": reason},
            expected_version=expected_version,
        )

    def set_target(
        self,
        entry_id: str,
        value: float,
        *,
        target_by: datetime | None = None,
        by: str = "cli",
        expected_version: int | None = None,
    ) -> Entry:
        """Agree a target value (ServiceNow CIM's target value) and the date to reach it.

        A value outside the KPI's domain (a share above 1, a negative duration) raises
        :class:`InvalidTriage` and writes nothing.
        """
        agreed = {"value": float(value), "by": iso(as_utc(target_by)) if target_by else None}
        return self._edit(
            entry_id,
            action="set_target",
            by=by,
            changes={"target": agreed, "target_value": float(value)},
            detail={"target": agreed},
            expected_version=expected_version,
            after=lambda _conn, row: check_target(format_id(row.seq), row.kpi, value),
        )

    def comment(self, entry_id: str, text: str, *, by: str = "cli") -> Entry:
        """Add a comment to the audit trail."""
        if not text or not text.strip():
            raise InvalidTriage(entry_id, "text", text, "a comment needs text")
        return self._edit(entry_id, action="comment", by=by, detail={"text": text.strip()})

    def start(self, entry_id: str, *, by: str = "cli", note: str = "") -> Entry:
        """Move an accepted entry to ``in_progress``."""
        return self._edit(
            entry_id,
            action="start",
            by=by,
            to_status="in_progress",
            detail={"note": note} if note else {},
        )

    def monitor(self, entry_id: str, *, by: str = "cli", note: str = "") -> Entry:
        """Move an entry to ``monitoring``: the change is made, its effect is being watched."""
        return self._edit(
            entry_id,
            action="monitor",
            by=by,
            to_status="monitoring",
            detail={"note": note} if note else {},
        )

    def reopen(self, entry_id: str, *, reason: str, by: str = "cli") -> Entry:
        """Reopen a rejected or duplicate entry as ``new``.

        It clears the link to a primary, the snooze, and the slice's mute if this
        entry's ``noise`` rejection set it: the decision it stood for is withdrawn.
        """

        def work(conn: Connection) -> Entry:
            row = read_row(conn, entry_id)
            lifted = conn.execute(
                delete(mutes).where(
                    mutes.c.slice_key == row.slice_key, mutes.c.entry_seq == row.seq
                )
            ).rowcount
            edited = edit(
                conn,
                entry_id,
                action="reopen",
                by=by,
                now=self.now(),
                to_status="new",
                changes={"duplicate_of": None, "feedback": None},
                detail={"reason": reason, **({"mute_lifted": True} if lifted else {})},
            )
            return load_entries(conn, seqs=[edited.seq])[0]

        return self._run(work)

    def close(
        self,
        entry_id: str,
        *,
        code: str,
        note: str = "",
        by: str = "cli",
        expected_version: int | None = None,
    ) -> Entry:
        """Close an entry with a closure code: successful, unsuccessful or withdrawn.

        A ``new`` entry can only be closed as ``withdrawn``. A closed-successful
        entry whose finding is detected again opens a new, linked entry; a
        withdrawn one is snoozed like a rejection.

        Parameters
        ----------
        entry_id : str
            The entry, e.g. ``"CIR-0001"``.
        code : {"successful", "unsuccessful", "withdrawn"}
            ServiceNow CIM's closure code.
        note : str, optional
            Why, for the audit trail.
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
            If `code` is not a closure code.
        ConcurrentEditError
            If `expected_version` is stale, or another writer won the race.
        """
        if code not in CLOSURE_CODES:
            raise InvalidTriage(entry_id, "code", code, f"one of: {', '.join(CLOSURE_CODES)}")

        def after(conn: Connection, row: Any) -> None:
            if row.status == "new" and code != "withdrawn":
                raise InvalidTransition(
                    format_id(row.seq),
                    "new",
                    "closed",
                    f"a new entry can only be closed as 'withdrawn', not {code!r}",
                )
            if code == "withdrawn":
                feedback = {"snoozed_until": self._snoozed_until(self.scan_clock(conn))}
                conn.execute(
                    update(entries).where(entries.c.seq == row.seq).values(feedback=feedback)
                )

        return self._edit(
            entry_id,
            action="close",
            by=by,
            to_status="closed",
            changes={"closure_code": code},
            detail={"closure_code": code, "note": note} if note else {"closure_code": code},
            expected_version=expected_version,
            after=after,
        )

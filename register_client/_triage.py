"""Triage edits: one audited, optimistically locked change to one entry.

Every edit reads the entry, checks the lifecycle, and writes with
``UPDATE ... WHERE seq = :seq AND version = :read_version``. If another writer
got there first no row matches and :class:`ConcurrentEditError` is raised; the
transaction (history row included) is rolled back. Callers that showed the entry
to a person earlier pass that ``expected_version`` to make the check span the
whole read-decide-write cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from ._entry import format_id, parse_id
from ._errors import ConcurrentEditError, EntryNotFound, InvalidTransition
from ._lifecycle import TRANSITIONS, allowed
from ._schema import entries, history
from ._types import jsonable

__all__ = ["edit", "read_row"]


def read_row(conn: Connection, entry_id: str, *, for_update: bool = False) -> Row[Any]:
    """Return the entry's row, or raise :class:`EntryNotFound` naming the id.

    ``for_update`` locks the row until the transaction ends (PostgreSQL; SQLite's writers
    are serialised already), for writes that depend on what was read.
    """
    seq = parse_id(entry_id)
    row = None
    if seq is not None:
        query = select(entries).where(entries.c.seq == seq)
        row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise EntryNotFound(str(entry_id))
    return row


def edit(
    conn: Connection,
    entry_id: str,
    *,
    action: str,
    by: str,
    now: datetime,
    to_status: str | None = None,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    expected_version: int | None = None,
    hint: str = "",
) -> Row[Any]:
    """Apply one triage action to one entry and audit it.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the caller's transaction.
    entry_id : str
        The entry, e.g. ``"CIR-0001"``.
    action : str
        The audit trail's verb: ``accept``, ``reject``, ``comment``, ...
    by : str
        Who does it.
    now : datetime
        When.
    to_status : str, optional
        The new status; ``None`` keeps the status (assign, comment, ...).
    changes : dict, optional
        Other columns to set.
    detail : dict, optional
        What the audit trail records besides from and to.
    expected_version : int, optional
        The version the caller read; a mismatch raises :class:`ConcurrentEditError`.
    hint : str
        Added to an :class:`InvalidTransition` message.

    Returns
    -------
    Row
        The entry's row as read before the change.
    """
    row = read_row(conn, entry_id)
    name = format_id(row.seq)
    if expected_version is not None and row.version != expected_version:
        raise ConcurrentEditError(name, expected_version, row.version)
    if to_status is not None and to_status == row.status:
        raise InvalidTransition(name, row.status, to_status, f"it is already {row.status!r}")
    if to_status is not None and not allowed(row.status, to_status):
        if not hint:
            nexts = sorted(TRANSITIONS.get(row.status, frozenset()))
            hint = f"from {row.status!r} it may go to {', '.join(nexts) or 'nothing: it is final'}"
        raise InvalidTransition(name, row.status, to_status, hint)
    values: dict[str, Any] = dict(changes or {})
    values |= {"version": row.version + 1, "updated_at": now}
    if to_status is not None:
        values |= {"status": to_status, "status_changed_at": now}
    result = conn.execute(
        update(entries)
        .where(entries.c.seq == row.seq, entries.c.version == row.version)
        .values(**values)
    )
    if result.rowcount != 1:
        actual = conn.execute(
            select(entries.c.version).where(entries.c.seq == row.seq)
        ).scalar_one_or_none()
        raise ConcurrentEditError(name, row.version, actual)
    conn.execute(
        insert(history).values(
            entry_seq=row.seq,
            at=now,
            by=by,
            action=action,
            from_status=row.status,
            to_status=to_status if to_status is not None else row.status,
            detail=jsonable(detail or {}),
        )
    )
    return row

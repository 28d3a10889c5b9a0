"""What the register's API mixins need from :class:`~register_client.Register`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from ._entry import Entry
from ._lifecycle import Policy
from ._read import load_entries
from ._triage import edit

__all__ = ["Plumbing"]

T = TypeVar("T")


class Plumbing:
    """Transactions, clocks and the audited edit, shared by the API mixins."""

    policy: Policy

    def _run(self, work: Callable[[Connection], T], *, retry_integrity: bool = False) -> T:
        raise NotImplementedError  # pragma: no cover - Register implements it

    def now(self) -> datetime:
        """Return the register's notion of now (aware UTC)."""
        raise NotImplementedError  # pragma: no cover - Register implements it

    def scan_clock(self, conn: Connection) -> datetime:
        """Return the time snoozes and mutes are measured from."""
        raise NotImplementedError  # pragma: no cover - Register implements it

    def _edit(self, entry_id: str, **kw: Any) -> Entry:
        extra: Callable[[Connection, Any], None] | None = kw.pop("after", None)

        def work(conn: Connection) -> Entry:
            row = edit(conn, entry_id, now=self.now(), **kw)
            if extra is not None:
                extra(conn, row)
            return load_entries(conn, seqs=[row.seq])[0]

        return self._run(work)

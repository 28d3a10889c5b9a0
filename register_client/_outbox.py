"""The outbox for external syncs: the register stays the ledger, Jira and ServiceNow mirror it.

A sync must survive being killed at any point, and two syncs must never create
two external records for one entry. Three tables carry that:

* ``sync_links`` maps (target, entry) to the external record once its key is
  known, with the fingerprint, a hash of the state last pushed, the last
  follow-up verdict pushed and the last remote status pulled back.
* ``sync_intents`` records each intended external write (``create``,
  ``update``, ``comment``) with an idempotency key *before* the call, and marks
  it ``done`` (with the external key) after. An intent still ``pending`` after
  a crash says a call may have happened: the sync must look for its result
  before trying again.
* ``sync_locks`` holds one lease per target, so two syncs of the same target
  take turns; a lease whose holder died on this host, or that expired, is free.
"""

from __future__ import annotations

import builtins
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update

from ._entry import format_id, parse_id
from ._errors import EntryNotFound, RegisterError
from ._register import Register
from ._schema import entries, sync_intents, sync_links, sync_locks, upsert

__all__ = ["SyncBusy", "SyncIntent", "SyncLink", "SyncOutbox"]


class SyncBusy(RegisterError):
    """Another sync of the same target holds the lock and did not finish in time."""

    retryable = True


@dataclass(frozen=True)
class SyncLink:
    """One entry's external record on a target, as far as the register knows it."""

    target: str
    entry_id: str
    fingerprint: str
    external_key: str | None
    external_id: str | None
    pushed_hash: str | None
    pushed_verdict: str | None
    remote_status: str | None


@dataclass(frozen=True)
class SyncIntent:
    """One external write, recorded before it is made."""

    id: int
    target: str
    entry_id: str
    op: str
    idempotency_key: str
    payload_hash: str | None
    state: str
    created_at: datetime


def _link(row: Any) -> SyncLink:
    return SyncLink(
        target=row.target,
        entry_id=format_id(row.entry_seq),
        fingerprint=row.fingerprint,
        external_key=row.external_key,
        external_id=row.external_id,
        pushed_hash=row.pushed_hash,
        pushed_verdict=row.pushed_verdict,
        remote_status=row.remote_status,
    )


def _intent(row: Any) -> SyncIntent:
    return SyncIntent(
        id=row.id,
        target=row.target,
        entry_id=format_id(row.entry_seq),
        op=row.op,
        idempotency_key=row.idempotency_key,
        payload_hash=row.payload_hash,
        state=row.state,
        created_at=row.created_at,
    )


def _holder_alive(holder: str) -> bool:
    """Tell whether a lock holder (``host:pid:nonce``) may still be running."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only the lease's expiry can free it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SyncOutbox:
    """The outbox and link table of one sync target (``"jira"``, ``"servicenow"``).

    Parameters
    ----------
    register : Register
        The register that is the ledger.
    target : str
        The external system's name.

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> box = SyncOutbox(reg, "jira")
    >>> intent = box.intend("CIR-0001", "create")
    >>> [i.op for i in box.pending("CIR-0001")]
    ['create']
    >>> box.done(intent, external_key="RAD-1", pushed_hash="h1")
    >>> box.link("CIR-0001").external_key, box.pending("CIR-0001")
    ('RAD-1', [])
    """

    def __init__(self, register: Register, target: str) -> None:
        self.register = register
        self.target = target
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _seq(self, conn: Connection, entry_id: str) -> tuple[int, str]:
        seq = parse_id(entry_id)
        row = None
        if seq is not None:
            row = conn.execute(
                select(entries.c.seq, entries.c.fingerprint).where(entries.c.seq == seq)
            ).first()
        if row is None:
            raise EntryNotFound(entry_id)
        return int(row.seq), str(row.fingerprint)

    # -- the lock ---------------------------------------------------------------------------
    def _try_lock(self, lease: timedelta) -> str | None:
        """Take or renew the target's lease; return the other holder if it is taken."""

        def work(conn: Connection) -> str | None:
            now = self.register.now()
            row = conn.execute(
                select(sync_locks).where(sync_locks.c.target == self.target).with_for_update()
            ).first()
            if row is not None and not (
                row.holder == self.holder or row.expires_at <= now or not _holder_alive(row.holder)
            ):
                return str(row.holder)
            values = {"holder": self.holder, "expires_at": now + lease}
            if row is not None:
                conn.execute(
                    update(sync_locks).where(sync_locks.c.target == self.target).values(**values)
                )
                return None
            # Two first-ever syncs race on the insert: one row wins, the loser sees it.
            conn.execute(
                upsert(conn, sync_locks)
                .values(target=self.target, **values)
                .on_conflict_do_nothing(index_elements=["target"])
            )
            winner: str = conn.execute(
                select(sync_locks.c.holder).where(sync_locks.c.target == self.target)
            ).scalar_one()
            return None if winner == self.holder else str(winner)

        return self.register._run(work, retry_integrity=True)

    @contextmanager
    def locked(
        self, *, lease: timedelta = timedelta(minutes=10), wait: float = 600.0
    ) -> Iterator[None]:
        """Hold the target's lock for the block, waiting up to `wait` seconds for it.

        Raises
        ------
        SyncBusy
            If another live sync still holds it after `wait` seconds.
        """
        deadline = time.monotonic() + wait
        while (other := self._try_lock(lease)) is not None:
            if time.monotonic() >= deadline:
                raise SyncBusy(f"another {self.target} sync is running ({other}); try again later")
            time.sleep(0.2)
        try:
            yield
        finally:
            self.register._run(
                lambda conn: conn.execute(
                    delete(sync_locks).where(
                        sync_locks.c.target == self.target, sync_locks.c.holder == self.holder
                    )
                )
            )

    def renew(self, lease: timedelta = timedelta(minutes=10)) -> None:
        """Extend the lease while a long sync is still working."""
        self._try_lock(lease)

    # -- links ------------------------------------------------------------------------------
    def links(self) -> dict[str, SyncLink]:
        """Return every entry's link on this target, by entry id."""
        rows = self.register._run(
            lambda conn: conn.execute(
                select(sync_links).where(sync_links.c.target == self.target)
            ).all()
        )
        return {link.entry_id: link for link in map(_link, rows)}

    def link(self, entry_id: str) -> SyncLink | None:
        """Return the entry's link on this target, if it has one."""

        def work(conn: Connection) -> SyncLink | None:
            seq = parse_id(entry_id)
            row = conn.execute(
                select(sync_links).where(
                    sync_links.c.target == self.target, sync_links.c.entry_seq == seq
                )
            ).first()
            return None if row is None else _link(row)

        return self.register._run(work)

    def save_link(self, entry_id: str, **values: Any) -> SyncLink:
        """Create or update the entry's link with `values` (external_key, pushed_hash, ...)."""

        def work(conn: Connection) -> SyncLink:
            seq, fingerprint = self._seq(conn, entry_id)
            now = self.register.now()
            changes = {**values, "updated_at": now}
            conn.execute(
                upsert(conn, sync_links)
                .values(
                    target=self.target,
                    entry_seq=seq,
                    fingerprint=fingerprint,
                    created_at=now,
                    **changes,
                )
                .on_conflict_do_update(index_elements=["target", "entry_seq"], set_=changes)
            )
            row = conn.execute(
                select(sync_links).where(
                    sync_links.c.target == self.target, sync_links.c.entry_seq == seq
                )
            ).one()
            return _link(row)

        return self.register._run(work, retry_integrity=True)

    # -- intents ----------------------------------------------------------------------------
    def intend(self, entry_id: str, op: str, payload_hash: str | None = None) -> SyncIntent:
        """Record an external write before making it; its key goes with the call if it can."""

        def work(conn: Connection) -> SyncIntent:
            seq, _ = self._seq(conn, entry_id)
            key = uuid.uuid4().hex
            conn.execute(
                sync_intents.insert().values(
                    target=self.target,
                    entry_seq=seq,
                    op=op,
                    idempotency_key=key,
                    payload_hash=payload_hash,
                    state="pending",
                    created_at=self.register.now(),
                )
            )
            row = conn.execute(
                select(sync_intents).where(sync_intents.c.idempotency_key == key)
            ).one()
            return _intent(row)

        return self.register._run(work)

    def pending(self, entry_id: str | None = None) -> builtins.list[SyncIntent]:
        """Return the intents not known to be done, oldest first (one entry's, or all)."""

        def work(conn: Connection) -> builtins.list[SyncIntent]:
            query = select(sync_intents).where(
                sync_intents.c.target == self.target, sync_intents.c.state == "pending"
            )
            if entry_id is not None:
                query = query.where(sync_intents.c.entry_seq == self._seq(conn, entry_id)[0])
            return [_intent(r) for r in conn.execute(query.order_by(sync_intents.c.id)).all()]

        return self.register._run(work)

    def done(
        self,
        intent: SyncIntent,
        *,
        external_key: str | None = None,
        external_id: str | None = None,
        **link_values: Any,
    ) -> None:
        """Mark an intent done and write what it changed into the entry's link, atomically."""

        def work(conn: Connection) -> None:
            seq, fingerprint = self._seq(conn, intent.entry_id)
            now = self.register.now()
            conn.execute(
                update(sync_intents)
                .where(sync_intents.c.id == intent.id)
                .values(state="done", finished_at=now, external_key=external_key)
            )
            changes = {**link_values, "updated_at": now}
            if external_key is not None:
                changes["external_key"] = external_key
            if external_id is not None:
                changes["external_id"] = external_id
            conn.execute(
                upsert(conn, sync_links)
                .values(
                    target=self.target,
                    entry_seq=seq,
                    fingerprint=fingerprint,
                    created_at=now,
                    **changes,
                )
                .on_conflict_do_update(index_elements=["target", "entry_seq"], set_=changes)
            )

        self.register._run(work)

    def abandon(self, intent: SyncIntent, reason: str = "abandoned") -> None:
        """Mark an intent that is known not to have happened (or is superseded)."""
        self.register._run(
            lambda conn: conn.execute(
                update(sync_intents)
                .where(sync_intents.c.id == intent.id)
                .values(state=reason[:16], finished_at=self.register.now())
            )
        )

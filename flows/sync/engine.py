"""Mirror the register into an external tool and pull triage decisions back.

The register is the ledger. For each entry, under the target's lock:

1. Finish or clear what a killed sync left behind: a ``create`` intent still
   pending may have created a record, so the sync looks for it (by search, for up
   to ``settle_seconds`` after the intent, since search lags) before creating again;
   a pending comment is looked for on the record itself.
2. Create the record of an open entry that has none, recording the intent first.
3. Push changes (re-detection, new priority, target) and a comment when the
   follow-up verdict changes.
4. Read the record's status back; a change made there becomes a triage action in
   the register, audited under the external user's name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flows.sync.content import Content, entry_content
from flows.sync.http import SyncAuthError, SyncError, SyncUncertain
from flows.sync.mirror import Mirror, Remote
from flows.sync.pullback import apply_status
from register_client import Entry, Register, RegisterError, SyncIntent, SyncOutbox

__all__ = ["SyncReport", "sync_register"]

T = TypeVar("T")
log = logging.getLogger("flows.sync")
_OPEN = ("new", "accepted", "in_progress", "monitoring")


@dataclass
class SyncReport:
    """What one sync did, entry ids per outcome."""

    target: str
    created: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    commented: list[str] = field(default_factory=list)
    pulled: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the report as plain data."""
        return dict(self.__dict__)


def _attempt(outbox: SyncOutbox, intent: SyncIntent, call: Callable[..., T], *args: Any) -> T:
    """Make an intended call; an error that proves nothing happened clears the intent."""
    try:
        return call(*args)
    except SyncUncertain:
        raise  # it may have happened: the intent stays pending for the next sync
    except SyncError:
        outbox.abandon(intent, "failed")
        raise


def _recover_create(
    mirror: Mirror, outbox: SyncOutbox, intent: SyncIntent, content: Content, now: float
) -> Remote | None:
    """Find the record a pending create may have made, waiting out the search lag."""
    age = outbox.register.now() - intent.created_at
    deadline = now + max(mirror.settle_seconds - age.total_seconds(), 0.0)
    while True:
        remote = mirror.find(content)
        if remote is not None or time.monotonic() >= deadline:
            return remote
        time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))


def _recover(
    mirror: Mirror,
    outbox: SyncOutbox,
    entry: Entry,
    content: Content,
    pending: list[SyncIntent],
    report: SyncReport,
) -> str | None:
    """Settle the entry's pending intents; return its record's key if one is known."""
    link = outbox.link(entry.id)
    key = link.external_key if link else None
    for intent in pending:
        if intent.op == "create" and key is None:
            remote = _recover_create(mirror, outbox, intent, content, time.monotonic())
            if remote is None:
                outbox.abandon(intent, "not_found")
                continue
            outbox.done(intent, external_key=remote.key, external_id=remote.id)
            report.adopted.append(entry.id)  # made by a sync that died before recording it
            key = remote.key
        elif intent.op == "comment" and key and mirror.has_comment(key, intent.idempotency_key):
            outbox.done(intent, pushed_verdict=intent.payload_hash)
        else:  # updates are idempotent and redone below; a comment not found is reposted
            outbox.abandon(intent, "superseded")
    return key


def _sync_entry(
    mirror: Mirror,
    outbox: SyncOutbox,
    register: Register,
    entry: Entry,
    seen: dict[str, Remote],
    pending: list[SyncIntent],
    base_url: str | None,
    report: SyncReport,
) -> None:
    content = entry_content(entry.to_json(), base_url)
    key = _recover(mirror, outbox, entry, content, pending, report)
    if key is None:
        if entry.status not in _OPEN:
            return  # decided before it was ever mirrored: nothing to triage there
        remote = seen.get(f"{entry.id}/{entry.fingerprint}")
        if remote is not None:
            outbox.save_link(entry.id, external_key=remote.key, external_id=remote.id)
            report.adopted.append(entry.id)
            key = remote.key
        else:
            intent = outbox.intend(entry.id, "create", content.digest)
            remote = _attempt(outbox, intent, mirror.create, content, intent.idempotency_key)
            outbox.done(
                intent,
                external_key=remote.key,
                external_id=remote.id,
                pushed_hash=content.digest,
                pushed_verdict=content.verdict,
            )
            report.created.append(entry.id)
            return
    link = outbox.link(entry.id)
    assert link is not None
    if link.pushed_hash != content.digest:
        intent = outbox.intend(entry.id, "update", content.digest)
        _attempt(outbox, intent, mirror.update, key, content)
        outbox.done(intent, pushed_hash=content.digest)
        report.updated.append(entry.id)
    if content.verdict is not None and content.verdict != link.pushed_verdict:
        intent = outbox.intend(entry.id, "comment", content.verdict)
        text = content.verdict_line or content.verdict
        _attempt(outbox, intent, mirror.comment, key, text, intent.idempotency_key)
        outbox.done(intent, pushed_verdict=content.verdict)
        report.commented.append(entry.id)
    remote_status = mirror.status(key)
    if remote_status.label != link.remote_status:
        outcome = apply_status(register, entry, remote_status, mirror.target, key)
        if outcome is not None:
            (report.conflicts if outcome.startswith("conflict") else report.pulled).append(
                f"{entry.id}: {outcome}"
            )
        outbox.save_link(entry.id, remote_status=remote_status.label)


def sync_register(register: Register, mirror: Mirror, *, base_url: str | None = None) -> SyncReport:
    """Mirror every entry into `mirror` and pull its status changes back.

    A failure on one entry is reported and the others go on; rerunning the sync
    finishes the job without creating anything twice.

    Raises
    ------
    SyncAuthError
        If the target refuses the credentials (nothing more is tried).
    SyncBusy
        If another sync of the same target holds the lock for too long.
    """
    outbox = SyncOutbox(register, mirror.target)
    report = SyncReport(mirror.target)
    with outbox.locked():
        seen = mirror.find_all()
        pending: dict[str, list[SyncIntent]] = {}
        for intent in outbox.pending():
            pending.setdefault(intent.entry_id, []).append(intent)
        renewed = time.monotonic()
        for entry in register.list():
            if time.monotonic() - renewed > 60:
                outbox.renew()
                renewed = time.monotonic()
            try:
                _sync_entry(
                    mirror,
                    outbox,
                    register,
                    entry,
                    seen,
                    pending.get(entry.id, []),
                    base_url,
                    report,
                )
            except SyncAuthError:
                raise
            except SyncUncertain as exc:
                log.warning("%s (left pending; the next sync settles it)", exc)
                report.failed.append(f"{entry.id}: {exc}")
            except (SyncError, RegisterError) as exc:
                log.warning("%s: %s", entry.id, exc)
                report.failed.append(f"{entry.id}: {exc}")
    return report

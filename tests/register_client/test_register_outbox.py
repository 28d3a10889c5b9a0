"""The sync outbox: intents before calls, links after, one lease per target (both backends)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import insert

from register_client import Candidate, EntryNotFound, Register, SyncBusy, SyncOutbox
from register_client._schema import sync_locks


@pytest.fixture
def filed(reg: Register) -> Register:
    reg.file([Candidate.example(), Candidate.example(dimensions={"priority": "P2"})])
    return reg


def test_an_intent_is_pending_until_done_and_done_writes_the_link(filed: Register) -> None:
    box = SyncOutbox(filed, "jira")
    create = box.intend("CIR-0001", "create", "h1")
    assert [i.idempotency_key for i in box.pending()] == [create.idempotency_key]
    assert box.link("CIR-0001") is None
    box.done(create, external_key="CI-1", external_id="10001", pushed_hash="h1")
    link = box.link("CIR-0001")
    assert link is not None and (link.external_key, link.pushed_hash) == ("CI-1", "h1")
    assert link.fingerprint == filed.get("CIR-0001").fingerprint
    comment = box.intend("CIR-0001", "comment", "improving")
    box.abandon(comment, "superseded")
    assert box.pending() == []
    box.save_link("CIR-0001", remote_status="Won't Do")
    assert box.link("CIR-0001").remote_status == "Won't Do"  # type: ignore[union-attr]
    assert SyncOutbox(filed, "servicenow").links() == {}  # targets are separate


def test_intents_name_real_entries(filed: Register) -> None:
    with pytest.raises(EntryNotFound):
        SyncOutbox(filed, "jira").intend("CIR-0042", "create")


def test_one_live_holder_per_target_and_the_other_waits_or_gives_up(filed: Register) -> None:
    first, second = SyncOutbox(filed, "jira"), SyncOutbox(filed, "jira")
    with first.locked():
        with (
            pytest.raises(SyncBusy, match="another jira sync is running"),
            second.locked(wait=0.3),
        ):
            pass
        with SyncOutbox(filed, "servicenow").locked(wait=0.3):
            pass  # another target is not blocked
    with second.locked(wait=0.3):
        pass


def test_a_dead_or_expired_holder_does_not_block(filed: Register) -> None:
    dead = f"{socket.gethostname()}:999999999:dead"
    far = filed.now() + timedelta(hours=1)
    with filed.engine.begin() as conn:
        conn.execute(insert(sync_locks).values(target="jira", holder=dead, expires_at=far))
        conn.execute(
            insert(sync_locks).values(
                target="servicenow",
                holder="elsewhere:1:x",
                expires_at=filed.now() - timedelta(seconds=1),
            )
        )
    with (
        SyncOutbox(filed, "jira").locked(wait=0.3),
        SyncOutbox(filed, "servicenow").locked(wait=0.3),
    ):
        pass

"""Filing on both backends: exactly once, and lifecycle-aware dedup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from register_client import Candidate, Policy, Register, connect

D = datetime(2024, 3, 7, tzinfo=UTC)


def detection(day: int, *, magnitude: float = 6.0, **changes: Any) -> Candidate:
    at = D + timedelta(days=day)
    return Candidate.example(
        evidence={"at": at, "value": 14.0 + day, "score": 0.9},
        current={"value": 14.0 + day},
        magnitude=magnitude,
        **changes,
    )


def file(reg: Register, *cands: Candidate, day: int = 0) -> Any:
    return reg.file(list(cands), scan_at=D + timedelta(days=day, hours=6))


def test_first_filing_creates_a_new_entry_with_the_contract_fields(reg: Register) -> None:
    report = file(reg, detection(0))
    assert [o.entry_id for o in report.created] == ["CIR-0001"]
    assert report.created[0].id == "CIR-0001"
    entry = reg.get("CIR-0001").to_json()
    for key in (
        "id",
        "title",
        "description",
        "status",
        "kind",
        "priority",
        "owner",
        "kpi",
        "dimensions",
        "window",
        "baseline",
        "current",
        "target",
        "source",
        "fingerprint",
        "first_seen",
        "last_seen",
        "occurrences",
        "measurements",
        "progress",
        "history",
    ):
        assert key in entry, key
    assert entry["status"] == "new" and entry["occurrences"] == 1
    assert entry["kpi"] | {"measure": None, "domain": None} == {
        "name": "mttr_hours",
        "unit": "h",
        "better": "lower",
        "measure": None,
        "domain": None,
    }
    assert entry["source"]["gate"] == {"validation_id": "v1", "success": True}
    assert entry["baseline"]["median"] == 8.0 and entry["base_value"] == 8.0
    assert entry["target"]["value"] == 8.0 and entry["target"]["by"] == "2024-06-30T00:00:00+00:00"
    assert entry["first_seen"] == "2024-03-07T06:00:00+00:00"
    assert entry["history"][0]["action"] == "filed" and entry["history"][0]["to"] == "new"


def test_refiling_the_same_detection_changes_nothing(reg: Register) -> None:
    file(reg, detection(0))
    before = reg.get("CIR-0001")
    for _ in range(3):
        report = file(reg, detection(0), day=1)
        assert [o.action for o in report.unchanged] == ["unchanged"]
    after = reg.get("CIR-0001")
    assert after.occurrences == 1 and len(after.evidence) == 1
    assert after.last_seen == before.last_seen and len(reg.list()) == 1


def test_redetection_of_an_open_entry_appends_evidence(reg: Register) -> None:
    file(reg, detection(0))
    report = file(reg, detection(1, magnitude=7.0), day=1)
    assert [o.entry_id for o in report.updated] == ["CIR-0001"]
    entry = reg.get("CIR-0001")
    assert entry.occurrences == 2 and [e.value for e in entry.evidence] == [14.0, 15.0]
    assert entry.last_seen == D + timedelta(days=1, hours=6)
    # The first detection's snapshot is frozen; the newest one is under ``latest``.
    assert entry.current["value"] == 14.0 and entry.magnitude == 6.0
    assert entry.baseline["median"] == 8.0
    assert entry.latest is not None and entry.latest["value"] == 15.0
    assert entry.latest["seen"] == "2024-03-08T06:00:00+00:00"
    assert len(reg.list()) == 1


def test_a_batch_with_the_same_finding_twice_files_one_entry(reg: Register) -> None:
    report = file(reg, detection(1), detection(0), detection(0))
    assert len(report.created) == 1 and len(report.updated) == 1 and len(report.unchanged) == 1
    assert reg.get("CIR-0001").occurrences == 2


def test_rejected_stays_rejected_then_renotifies_linked_when_magnitude_grows(reg: Register) -> None:
    file(reg, detection(0))
    reg.reject("CIR-0001", reason="known seasonal effect", by="alice")
    quiet = file(reg, detection(1, magnitude=6.5), day=1)
    assert quiet.suppressed[0].entry_id == "CIR-0001" and "rejected" in quiet.suppressed[0].reason
    loud = file(reg, detection(2, magnitude=9.5), day=2)
    assert [(o.action, o.linked_to) for o in loud.created] == [("linked", "CIR-0001")]
    old, new = reg.get("CIR-0001"), reg.get(loud.created[0].entry_id)
    assert old.status == "rejected" and new.status == "new"
    assert new.linked_to == "CIR-0001" and new.link_kind == "renotify_of"
    assert new.fingerprint == old.fingerprint and new.generation == 2
    assert old.history[-1].action == "superseded"
    assert any("snoozed" in n for n in old.notes)
    # the suppressed detection is kept as evidence, not counted as an occurrence
    assert [e.suppressed for e in old.evidence] == [False, True] and old.occurrences == 1


def test_rejected_renotifies_after_its_snooze(backend_url: str) -> None:
    reg = connect(backend_url, policy=Policy(rejected_snooze=timedelta(days=5)))
    file(reg, detection(0))
    reg.reject("CIR-0001", reason="not now")
    assert file(reg, detection(3), day=3).suppressed
    assert file(reg, detection(6), day=6).linked[0].linked_to == "CIR-0001"
    reg.dispose()


def test_duplicate_sends_later_detections_to_its_primary(reg: Register) -> None:
    file(reg, detection(0))
    file(reg, detection(0, dimensions={"priority": "P2"}))
    reg.mark_duplicate("CIR-0002", of="CIR-0001", by="bob")
    report = file(reg, detection(1, dimensions={"priority": "P2"}), day=1)
    assert [o.entry_id for o in report.updated] == ["CIR-0001"]
    primary, dup = reg.get("CIR-0001"), reg.get("CIR-0002")
    assert primary.occurrences == 2 and dup.occurrences == 1
    assert {e.fingerprint for e in primary.evidence} == {primary.fingerprint, dup.fingerprint}
    assert dup.duplicate_of == "CIR-0001" and dup.status == "duplicate"


def test_closed_successful_that_regresses_opens_a_linked_entry(reg: Register) -> None:
    file(reg, detection(0))
    reg.accept("CIR-0001", owner="ops", target=8.0)
    reg.close("CIR-0001", code="successful")
    report = file(reg, detection(30), day=30)
    assert [(o.action, o.linked_to) for o in report.created] == [("linked", "CIR-0001")]
    new = reg.get(report.created[0].entry_id)
    assert new.link_kind == "regression_of" and "regression of CIR-0001" in new.notes
    assert reg.get("CIR-0001").status == "closed"
    # and the regression is itself an open entry from now on
    assert file(reg, detection(31), day=31).updated[0].entry_id == new.id


def test_noise_rejection_mutes_the_slice_and_says_so(reg: Register) -> None:
    file(reg, detection(0))
    entry = reg.reject("CIR-0001", reason="noise: weekend batch jobs", by="carol")
    mute = reg.muted(entry.fingerprint)
    assert mute is not None and mute.entry_id == "CIR-0001" and mute.threshold_factor == 1.5
    assert reg.muted(dataset="demo", kpi="mttr_hours", dimensions={"priority": "P1"}) == mute
    assert reg.feedback_for("demo") == [mute] and reg.feedback_for("other") == []
    assert any("noise" in n and "muted until" in n for n in entry.to_json()["notes"])
    # another kind of finding on the same slice is muted too, unless it is much larger
    dip = detection(1, kind="level_shift", direction="down")
    assert "slice muted" in file(reg, dip, day=1).suppressed[0].reason
    big = detection(2, kind="level_shift", direction="down", magnitude=10.0)
    assert file(reg, big, day=2).created


def test_mute_expires(reg: Register, clock: Any) -> None:
    file(reg, detection(0))
    reg.reject("CIR-0001", reason="noise")
    mute = reg.muted(Candidate.example())
    assert mute is not None
    assert reg.muted(Candidate.example(), at=mute.until + timedelta(seconds=1)) is None


def test_list_filters_by_status_and_dataset(reg: Register) -> None:
    file(reg, detection(0))
    file(reg, detection(0, dimensions={"priority": "P2"}))
    reg.accept("CIR-0002", owner="ops")
    assert [e.id for e in reg.list("accepted")] == ["CIR-0002"]
    assert [e.id for e in reg.follow_up()] == ["CIR-0002"]
    assert len(reg.list(dataset="demo")) == 2 and reg.list(dataset="nope") == []


def test_withdrawn_entries_snooze_like_rejected_ones(reg: Register) -> None:
    file(reg, detection(0))
    reg.accept("CIR-0001", owner="ops")
    reg.close("CIR-0001", code="withdrawn", note="out of scope")
    assert "withdrawn" in file(reg, detection(1), day=1).suppressed[0].reason
    assert file(reg, detection(2, magnitude=12.0), day=2).linked[0].linked_to == "CIR-0001"


def test_closed_unsuccessful_recurs_as_a_linked_entry(reg: Register) -> None:
    file(reg, detection(0))
    reg.accept("CIR-0001", owner="ops")
    reg.close("CIR-0001", code="unsuccessful")
    report = file(reg, detection(5), day=5)
    assert reg.get(report.created[0].entry_id or "").link_kind == "recurrence_of"


def test_old_detections_replayed_after_closure_file_nothing(reg: Register) -> None:
    file(reg, detection(0))
    file(reg, detection(3), day=3)
    reg.accept("CIR-0001", owner="ops")
    reg.close("CIR-0001", code="successful")
    report = file(reg, detection(1), day=4)  # older than the latest evidence: old news
    assert "not newer" in report.suppressed[0].reason and not report.created


def test_duplicate_chains_end_at_the_last_primary(reg: Register) -> None:
    for p in ("P1", "P2", "P3"):
        file(reg, detection(0, dimensions={"priority": p}))
    reg.mark_duplicate("CIR-0003", of="CIR-0002")
    reg.mark_duplicate("CIR-0002", of="CIR-0001")
    report = file(reg, detection(1, dimensions={"priority": "P3"}), day=1)
    assert report.updated[0].entry_id == "CIR-0001"
    # marking a duplicate of a duplicate points at the chain's primary
    file(reg, detection(0, dimensions={"priority": "P4"}))
    assert reg.mark_duplicate("CIR-0004", of="CIR-0003").duplicate_of == "CIR-0001"


def test_reopened_duplicate_gets_its_own_detections_again(reg: Register) -> None:
    file(reg, detection(0))
    file(reg, detection(0, dimensions={"priority": "P2"}))
    reg.mark_duplicate("CIR-0002", of="CIR-0001")
    reg.reopen("CIR-0002", reason="separate cause")
    report = file(reg, detection(1, dimensions={"priority": "P2"}), day=1)
    assert report.updated[0].entry_id == "CIR-0002"


def test_reopening_a_noise_rejection_lifts_its_mute(reg: Register) -> None:
    file(reg, detection(0))
    reg.reject("CIR-0001", reason="noise")
    assert reg.muted(Candidate.example()) is not None
    entry = reg.reopen("CIR-0001", reason="it was real")
    assert reg.muted(Candidate.example()) is None
    assert entry.history[-1].detail == {"reason": "it was real", "mute_lifted": True}
    assert entry.feedback is None and entry.status == "new"


def test_repeated_noise_rejections_raise_the_threshold(reg: Register) -> None:
    file(reg, detection(0))
    reg.reject("CIR-0001", reason="noise")
    spike_down = detection(1, kind="dip", magnitude=20.0)
    report = file(reg, spike_down, day=1)
    new_id = report.created[0].entry_id or ""
    reg.reject(new_id, reason="noise again")
    mute = reg.muted(Candidate.example())
    assert mute is not None and mute.count == 2 and mute.threshold_factor == 2.25
    assert mute.entry_id == new_id and mute.magnitude_floor == 45.0


def test_list_takes_comma_separated_statuses(reg: Register) -> None:
    file(reg, detection(0))
    file(reg, detection(0, dimensions={"priority": "P2"}))
    reg.accept("CIR-0002", owner="ops")
    reg.reject("CIR-0001", reason="no")
    assert [e.id for e in reg.list("accepted, rejected")] == ["CIR-0001", "CIR-0002"]
    assert repr(reg).startswith("Register('")


def test_superseding_an_entry_invalidates_a_stale_edit(reg: Register) -> None:
    from register_client import ConcurrentEditError

    file(reg, detection(0))
    rejected = reg.reject("CIR-0001", reason="not now")
    file(reg, detection(1), day=1)  # evidence on a rejected entry: no version change
    assert reg.get("CIR-0001").version == rejected.version
    file(reg, detection(2, magnitude=20.0), day=2)  # superseded by a linked entry
    assert reg.get("CIR-0001").version == rejected.version + 1
    with pytest.raises(ConcurrentEditError):
        reg.assign("CIR-0001", owner="x", expected_version=rejected.version)

"""Issue 7's storage: measurements, progress verdicts and regressions of closed entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from register_client import VERDICTS, Candidate, EntryNotFound, InvalidTriage, Register

D = datetime(2024, 3, 7, tzinfo=UTC)


@pytest.fixture
def accepted(reg: Register) -> Register:
    reg.file([Candidate.example()], scan_at=D)
    reg.accept("CIR-0001", owner="ops", target=8.0)
    return reg


def test_measurements_are_stored_in_order_and_idempotent_per_period(accepted: Register) -> None:
    reg = accepted
    for day, value in [(14, 12.0), (7, 13.0), (21, 9.5)]:
        reg.add_measurement(
            "CIR-0001",
            D + timedelta(days=day),
            value,
            "improving",
            detail={"vs_baseline": value - 8.0, "p_value": 0.03},
        )
    entry = reg.add_measurement(
        "CIR-0001", D + timedelta(days=21), 7.9, "target_met", detail={"vs_target": -0.1}
    )
    assert [(m.value, m.verdict) for m in entry.measurements] == [
        (13.0, "improving"),
        (12.0, "improving"),
        (7.9, "target_met"),
    ]
    as_json = entry.to_json()["measurements"]
    assert as_json[-1] == {
        "vs_target": -0.1,
        "at": "2024-03-28T00:00:00+00:00",
        "value": 7.9,
        "verdict": "target_met",
    }


def test_progress_verdict_changes_are_audited(accepted: Register) -> None:
    reg = accepted
    reg.set_progress("CIR-0001", "improving", at=D + timedelta(days=14))
    reg.set_progress("CIR-0001", "improving", at=D + timedelta(days=15))  # no new audit event
    entry = reg.set_progress(
        "CIR-0001",
        "target_met",
        at=D + timedelta(days=21),
        detail={"periods_met": 3, "suggestion": "close as successful"},
    )
    assert entry.progress == "target_met" and entry.progress_at == D + timedelta(days=21)
    assert [h.action for h in entry.history].count("progress") == 2
    data = entry.to_json()
    assert data["progress"] == "target_met"
    assert data["progress_detail"]["periods_met"] == 3
    assert "suggestion: close as successful" in data["notes"]


def test_bad_verdicts_and_ids(accepted: Register) -> None:
    assert set(VERDICTS) == {
        "improving",
        "target_met",
        "no_change",
        "regressed",
        "insufficient_data",
    }
    with pytest.raises(InvalidTriage, match="verdict"):
        accepted.add_measurement("CIR-0001", D, 1.0, "better")
    with pytest.raises(InvalidTriage, match="verdict"):
        accepted.set_progress("CIR-0001", "great")
    with pytest.raises(EntryNotFound, match="CIR-0404"):
        accepted.add_measurement("CIR-0404", D, 1.0, "no_change")


def test_follow_up_lists_what_a_scan_re_measures(accepted: Register) -> None:
    reg = accepted
    reg.file([Candidate.example(dimensions={"priority": "P2"})], scan_at=D)
    assert [e.id for e in reg.follow_up()] == ["CIR-0001"]
    reg.start("CIR-0001")
    assert [e.id for e in reg.follow_up()] == ["CIR-0001"]
    reg.monitor("CIR-0001")
    assert [e.id for e in reg.list(("accepted", "in_progress", "monitoring"))] == ["CIR-0001"]
    reg.close("CIR-0001", code="successful")
    assert reg.follow_up() == []


def test_a_closed_entry_that_regresses_comes_back_linked(accepted: Register) -> None:
    reg = accepted
    reg.close("CIR-0001", code="successful", note="target met 4 weeks")
    at = D + timedelta(days=60)
    outcome = reg.regressed("CIR-0001", at=at, value=13.0, detail={"p_value": 0.01})
    assert outcome.action == "linked" and outcome.linked_to == "CIR-0001"
    new = reg.get(outcome.entry_id or "")
    assert new.link_kind == "regression_of" and new.status == "new"
    assert (
        new.title.startswith("Regression: ") and new.fingerprint == reg.get("CIR-0001").fingerprint
    )
    assert new.baseline == reg.get("CIR-0001").baseline and new.owner == "ops"
    assert new.evidence[0].detail["p_value"] == 0.01
    assert reg.regressed("CIR-0001", at=at, value=13.0).action == "unchanged"
    # a later regression report lands on the open regression entry
    later = reg.regressed("CIR-0001", at=at + timedelta(days=1), value=14.0)
    assert (later.action, later.entry_id) == ("updated", new.id)


def test_a_relapse_reopens_an_improved_entry_once_per_improvement(accepted: Register) -> None:
    reg = accepted
    numbers = {"baseline_median": 10.0, "shift": 3.1, "p_worse": 0.004, "periods": 7}
    never = reg.relapsed("CIR-0001", at=D + timedelta(days=7), value=13.0, detail=numbers)
    assert never.action == "unchanged" and "has not improved" in never.reason
    reg.add_measurement("CIR-0001", D + timedelta(days=14), 9.0, "improving")
    reg.start("CIR-0001")
    reg.monitor("CIR-0001")
    reg.set_progress("CIR-0001", "regressed", detail={"plot": "CIR-0001-followup.png"})
    first = reg.relapsed("CIR-0001", at=D + timedelta(days=21), value=13.1, detail=numbers)
    assert (first.action, first.entry_id) == ("updated", "CIR-0001")
    entry = reg.get("CIR-0001")
    (event,) = [h for h in entry.history if h.action == "relapse"]
    assert (event.from_status, event.to_status, event.by) == ("monitoring", "in_progress", "scan")
    assert event.detail == {**numbers, "at": "2024-03-28T00:00:00+00:00", "value": 13.1}
    assert entry.status == "in_progress" and entry.progress == "regressed"
    assert entry.progress_detail == {**event.detail, "plot": "CIR-0001-followup.png"}
    # it sticks: later bad nights do not reopen it again ...
    again = reg.relapsed("CIR-0001", at=D + timedelta(days=22), value=13.4, detail=numbers)
    assert again.action == "unchanged" and "already relapsed on 2024-03-28" in again.reason
    # ... until it improves once more and relapses again (an in-progress entry stays so)
    reg.add_measurement("CIR-0001", D + timedelta(days=30), 8.5, "target_met")
    assert reg.relapsed("CIR-0001", at=D + timedelta(days=40), value=13.0).action == "updated"
    events = [h for h in reg.get("CIR-0001").history if h.action == "relapse"]
    assert [(h.from_status, h.to_status) for h in events] == [
        ("monitoring", "in_progress"),
        ("in_progress", "in_progress"),
    ]


def test_a_relapse_never_undoes_an_owners_decision(reg: Register) -> None:
    for priority in ("P1", "P2", "P3"):
        reg.file([Candidate.example(dimensions={"priority": priority})], scan_at=D)
        entry_id = reg.list()[-1].id
        reg.accept(entry_id, owner="ops")
        reg.add_measurement(entry_id, D + timedelta(days=7), 9.0, "improving")
    reg.reject("CIR-0001", reason="not ours")
    reg.close("CIR-0002", code="successful")
    reg.mark_duplicate("CIR-0003", of="CIR-0002")
    for entry_id in ("CIR-0001", "CIR-0002", "CIR-0003"):
        before = reg.get(entry_id)
        outcome = reg.relapsed(entry_id, at=D + timedelta(days=21), value=14.0)
        assert outcome.action == "unchanged" and "the decision stands" in outcome.reason
        after = reg.get(entry_id)
        assert (after.status, after.version, after.history) == (
            before.status,
            before.version,
            before.history,
        )

"""Every triage command, its lifecycle checks and its audit trail, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from register_client import (
    Candidate,
    ConcurrentEditError,
    EntryNotFound,
    InvalidTransition,
    InvalidTriage,
    Register,
    connect,
)


@pytest.fixture
def one(reg: Register) -> Register:
    reg.file([Candidate.example()], scan_at=datetime(2024, 3, 7, 6, tzinfo=UTC))
    return reg


def test_full_happy_path_is_audited(one: Register) -> None:
    reg = one
    reg.assign("CIR-0001", owner="team-a", by="lead")
    reg.set_priority("CIR-0001", 2, reason="P1 customers", by="lead")
    reg.accept("CIR-0001", owner="dana", target=7.5, by="dana")
    reg.comment("CIR-0001", "root cause: shift handover", by="dana")
    reg.start("CIR-0001", by="dana")
    reg.monitor("CIR-0001", by="dana")
    entry = reg.close("CIR-0001", code="successful", note="MTTR back to 7h", by="dana")
    assert entry.status == "closed" and entry.closure_code == "successful"
    assert entry.owner == "dana" and entry.priority == 2 and entry.priority_reason == "P1 customers"
    assert entry.target is not None and entry.target.value == 7.5 and entry.target_value == 7.5
    assert entry.target.by == datetime(2024, 6, 30, tzinfo=UTC)  # the suggested date is kept
    trail = [(h.action, h.from_status, h.to_status, h.by) for h in entry.history]
    assert trail == [
        ("filed", None, "new", "scan"),
        ("assign", "new", "new", "lead"),
        ("set_priority", "new", "new", "lead"),
        ("accept", "new", "accepted", "dana"),
        ("comment", "accepted", "accepted", "dana"),
        ("start", "accepted", "in_progress", "dana"),
        ("monitor", "in_progress", "monitoring", "dana"),
        ("close", "monitoring", "closed", "dana"),
    ]
    assert entry.version == 8
    assert entry.history[4].detail == {"text": "root cause: shift handover"}
    history_json = entry.to_json()["history"]
    assert history_json[3]["from"] == "new" and history_json[3]["to"] == "accepted"
    assert all(h["at"].endswith("+00:00") for h in history_json)


@pytest.mark.parametrize(
    ("steps", "call", "from_status", "to_status"),
    [
        ([], lambda r: r.start("CIR-0001"), "new", "in_progress"),
        ([], lambda r: r.monitor("CIR-0001"), "new", "monitoring"),
        (
            [lambda r: r.reject("CIR-0001", reason="x")],
            lambda r: r.accept("CIR-0001", owner="o"),
            "rejected",
            "accepted",
        ),
        (
            [lambda r: r.close("CIR-0001", code="withdrawn")],
            lambda r: r.reject("CIR-0001", reason="x"),
            "closed",
            "rejected",
        ),
        (
            [lambda r: r.accept("CIR-0001", owner="o")],
            lambda r: r.accept("CIR-0001", owner="o"),
            "accepted",
            "accepted",
        ),
        ([], lambda r: r.close("CIR-0001", code="successful"), "new", "closed"),
    ],
)
def test_invalid_transitions_are_refused_naming_entry_from_and_to(
    one: Register,
    steps: list,
    call: object,
    from_status: str,
    to_status: str,  # type: ignore[type-arg]
) -> None:
    for step in steps:
        step(one)
    before = one.get("CIR-0001")
    with pytest.raises(InvalidTransition) as info:
        call(one)  # type: ignore[operator]
    err = info.value
    assert (err.entry_id, err.from_status, err.to_status) == ("CIR-0001", from_status, to_status)
    assert "CIR-0001" in str(err) and from_status in str(err) and to_status in str(err)
    after = one.get("CIR-0001")
    assert after.version == before.version and len(after.history) == len(before.history)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.close("CIR-0001", code="done"), "code"),
        (lambda r: r.set_priority("CIR-0001", 0), "priority"),
        (lambda r: r.accept("CIR-0001", owner=" "), "owner"),
        (lambda r: r.reject("CIR-0001", reason=""), "reason"),
        (lambda r: r.mark_duplicate("CIR-0001", of="CIR-0001"), "of"),
        (lambda r: r.comment("CIR-0001", ""), "text"),
    ],
)
def test_bad_triage_arguments_name_the_field(one: Register, call: object, field: str) -> None:
    with pytest.raises(InvalidTriage) as info:
        call(one)  # type: ignore[operator]
    assert info.value.field == field and "CIR-0001" in str(info.value)
    assert len(one.get("CIR-0001").history) == 1


def test_unknown_ids_are_refused_by_name(one: Register) -> None:
    for bad in ("CIR-0099", "nonsense", "0"):
        with pytest.raises(EntryNotFound, match=bad):
            one.get(bad)
        with pytest.raises(EntryNotFound, match=bad):
            one.accept(bad, owner="x")
    with pytest.raises(EntryNotFound, match="CIR-0042"):
        one.mark_duplicate("CIR-0001", of="CIR-0042")
    assert one.get("cir-1").id == "CIR-0001"


def test_duplicate_reopen_and_cycle_guard(one: Register) -> None:
    one.file([Candidate.example(dimensions={"priority": "P2"})])
    dup = one.mark_duplicate("CIR-0002", of="CIR-0001", by="eve")
    assert dup.duplicate_of == "CIR-0001" and dup.history[-1].detail == {"of": "CIR-0001"}
    with pytest.raises(InvalidTriage, match="cycle"):
        one.mark_duplicate("CIR-0001", of="CIR-0002")  # would point at its own duplicate
    reopened = one.reopen("CIR-0002", reason="different root cause")
    assert reopened.status == "new" and reopened.duplicate_of is None


def test_noise_rejection_is_recorded_on_the_entry(one: Register) -> None:
    entry = one.reject("CIR-0001", reason="Noise, holiday week", by="fay")
    assert entry.feedback is not None and entry.feedback["mute"]["count"] == 1
    assert entry.history[-1].detail == {"reason": "Noise, holiday week", "noise": True}
    plain = one.reopen("CIR-0001", reason="oops")
    assert plain.feedback is None


def test_stale_expected_version_is_a_concurrent_edit(one: Register) -> None:
    seen = one.get("CIR-0001")
    one.assign("CIR-0001", owner="gus")
    with pytest.raises(ConcurrentEditError) as info:
        one.accept("CIR-0001", owner="hal", expected_version=seen.version)
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert "CIR-0001" in str(info.value)
    assert one.get("CIR-0001").status == "new"


def test_two_clients_editing_the_same_entry(backend_url: str) -> None:
    a, b = connect(backend_url), connect(backend_url)
    a.file([Candidate.example()])
    version = a.get("CIR-0001").version
    a.accept("CIR-0001", owner="a", expected_version=version)
    with pytest.raises(ConcurrentEditError):
        b.reject("CIR-0001", reason="no", expected_version=version)
    assert b.get("CIR-0001").owner == "a"
    a.dispose()
    b.dispose()


_REACH = {
    "new": [],
    "accepted": [("accept",)],
    "in_progress": [("accept",), ("start",)],
    "monitoring": [("accept",), ("start",), ("monitor",)],
    "rejected": [("reject",)],
    "duplicate": [("duplicate",)],
    "closed": [("accept",), ("close",)],
}
_MOVE = {
    "accepted": "accept",
    "in_progress": "start",
    "monitoring": "monitor",
    "rejected": "reject",
    "duplicate": "duplicate",
    "closed": "close",
    "new": "reopen",
}


def _do(reg: Register, entry_id: str, step: str, primary: str) -> None:
    status = reg.get(entry_id).status
    calls = {
        "accept": lambda: reg.accept(entry_id, owner="o", by="t"),
        "start": lambda: reg.start(entry_id, by="t"),
        "monitor": lambda: reg.monitor(entry_id, by="t"),
        "reject": lambda: reg.reject(entry_id, reason="r", by="t"),
        "duplicate": lambda: reg.mark_duplicate(entry_id, of=primary, by="t"),
        "close": lambda: reg.close(
            entry_id, code="withdrawn" if status == "new" else "successful", by="t"
        ),
        "reopen": lambda: reg.reopen(entry_id, reason="r", by="t"),
    }
    calls[step]()


def test_every_allowed_transition_works_and_is_audited(reg: Register) -> None:
    from register_client import TRANSITIONS

    reg.file([Candidate.example(dimensions={"slice": "primary"})])
    primary, n = "CIR-0001", 1
    for from_status, targets in TRANSITIONS.items():
        for to_status in sorted(targets):
            n += 1
            reg.file([Candidate.example(dimensions={"slice": f"s{n}"})])
            entry_id = f"CIR-{n:04d}"
            for (step,) in _REACH[from_status]:
                _do(reg, entry_id, step, primary)
            assert reg.get(entry_id).status == from_status
            _do(reg, entry_id, _MOVE[to_status], primary)
            last = reg.get(entry_id).history[-1]
            assert (last.from_status, last.to_status, last.by) == (from_status, to_status, "t")
    assert n - 1 == sum(len(t) for t in TRANSITIONS.values())

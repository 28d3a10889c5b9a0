"""The rule table, tested without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from register_client import STATUSES, TRANSITIONS
from register_client._lifecycle import Head, Policy, allowed, decide

T0 = datetime(2024, 3, 1, tzinfo=UTC)
LATER = T0 + timedelta(days=10)


def head(status: str, code: str | None = None, *, snooze_days: float | None = 30) -> Head:
    until = None if snooze_days is None else T0 + timedelta(days=snooze_days)
    return Head("CIR-0001", status, code, until, 4.0, T0)


def run(
    h: Head | None,
    *,
    at: datetime = LATER,
    magnitude: float = 4.0,
    scan_at: datetime = LATER,
    **kw: object,
) -> tuple[str, str | None]:
    d = decide(h, evidence_at=at, magnitude=magnitude, scan_at=scan_at, policy=Policy(), **kw)  # type: ignore[arg-type]
    return d.action, d.link_kind


def test_transition_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(targets <= set(STATUSES) for targets in TRANSITIONS.values())
    assert not TRANSITIONS["closed"]
    assert allowed("new", "accepted") and not allowed("rejected", "accepted")


def test_first_detection_creates() -> None:
    assert run(None) == ("create", None)


@pytest.mark.parametrize("status", ["new", "accepted", "in_progress", "monitoring"])
def test_open_entries_absorb_detections(status: str) -> None:
    assert run(head(status)) == ("append", None)


def test_rejected_is_snoozed_unless_magnitude_grows() -> None:
    assert run(head("rejected"))[0] == "suppress"
    assert run(head("rejected"), magnitude=5.9)[0] == "suppress"
    assert run(head("rejected"), magnitude=6.0) == ("link", "renotify_of")
    assert run(head("rejected"), magnitude=-6.5) == ("link", "renotify_of")


def test_rejected_after_snooze_files_a_linked_entry() -> None:
    late = T0 + timedelta(days=31)
    assert run(head("rejected"), at=late, scan_at=late) == ("link", "renotify_of")
    assert run(head("rejected", snooze_days=None), at=late, scan_at=late)[0] == "suppress"


def test_withdrawn_behaves_like_rejected() -> None:
    assert run(head("closed", "withdrawn"))[0] == "suppress"
    assert run(head("closed", "withdrawn"), magnitude=9.0) == ("link", "renotify_of")


def test_closed_successful_regression_and_unsuccessful_recurrence() -> None:
    assert run(head("closed", "successful")) == ("link", "regression_of")
    assert run(head("closed", "unsuccessful")) == ("link", "recurrence_of")


def test_old_evidence_never_reopens_anything() -> None:
    assert run(head("closed", "successful"), at=T0)[0] == "suppress"
    assert run(head("rejected"), at=T0 - timedelta(days=1), magnitude=100.0)[0] == "suppress"


def test_mute_suppresses_new_and_linked_entries_below_its_floor() -> None:
    assert run(None, mute_floor=6.0, mute_note="noise")[0] == "suppress"
    assert run(None, magnitude=7.0, mute_floor=6.0) == ("create", None)
    assert run(head("closed", "successful"), mute_floor=6.0)[0] == "suppress"
    assert run(head("accepted"), mute_floor=6.0) == ("append", None)

"""Labelled events: the YAML and CSV shapes, clear errors, and per-row labels."""

from __future__ import annotations

import pandas as pd
import pytest

from detectors.labels import LabelError, event_rows, parse_events


def test_yaml_and_csv_rows_give_the_same_event() -> None:
    from_yaml = parse_events(
        [
            {
                "kpi": "backlog_open",
                "slice": {"assignment_group": "Group 39"},
                "window": ["2016-04-24", "2016-05-07"],
                "kind": "level_shift",
            }
        ]
    )
    from_csv = parse_events([{"kpi": "backlog_open", "slice": "assignment_group=Group 39",
                              "start": "2016-04-24", "end": "2016-05-07", "kind": "level_shift",
                              "note": float("nan")}])  # fmt: skip
    assert from_yaml == from_csv
    event = from_yaml[0]
    assert event.matches("backlog_open", {"assignment_group": "Group 39", "category": "*"})
    assert not event.matches("backlog_open", {})
    assert event.to_json()["window"] == ["2016-04-24", "2016-05-07"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"kpi": "k", "window": ["2016-01-02", "2016-01-01"], "kind": "spike"}, "starts"),
        ({"kpi": "k", "window": ["2016-01-01"], "kind": "spike"}, "window must be"),
        ({"kpi": "k", "window": ["soon", "2016-01-01"], "kind": "spike"}, "must be a date"),
        ({"kpi": "k", "window": ["2016-01-01", "2016-01-01"], "kind": "blip"}, "kind must be"),
        (
            {"kpi": "k", "window": ["2016-01-01", "2016-01-01"], "kind": "spike", "slise": {}},
            "unknown field",
        ),
        (
            {"kpi": "k", "window": ["2016-01-01", "2016-01-01"], "kind": "spike", "slice": "g"},
            "name=value",
        ),
    ],
)
def test_a_bad_event_is_one_clear_error(row: dict[str, object], message: str) -> None:
    with pytest.raises(LabelError, match=message) as info:
        parse_events([{"kpi": "ok", "window": ["2016-01-01", "2016-01-01"], "kind": "dip"}, row])
    assert str(info.value).startswith("event 2")


def test_event_rows_mark_days_and_touched_weeks() -> None:
    events = parse_events([{"kpi": "k", "slice": {"g": "a"}, "window": ["2016-04-28", "2016-05-02"],
                            "kind": "spike"}])  # fmt: skip
    days = pd.date_range("2016-04-26", periods=8, freq="D")
    assert event_rows(days, events, "k", {"g": "a"}).tolist() == [
        False, False, True, True, True, True, True, False]  # fmt: skip
    assert not event_rows(days, events, "k").any()
    weeks = pd.date_range("2016-04-18", periods=4, freq="W-MON")
    assert event_rows(weeks, events, "k", {"g": "a"}).tolist() == [False, True, True, False]

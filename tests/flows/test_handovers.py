"""Handovers: ping-pongs are counted per unordered team pair and named with their category."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from flows.select.handovers import find_handovers, handover_stats
from tests.flows.kinds_frames import config_with, frame

AS_OF = date(2024, 3, 31)


def _events(paths: dict[str, list[str]], start: str = "2024-03-20") -> pd.DataFrame:
    rows = []
    for record, teams in paths.items():
        for step, team in enumerate(teams):
            at = pd.Timestamp(start) + pd.Timedelta(hours=10 * step)
            rows.append({"id": record, "team": team, "at": at, "category": "Laptop"})
    return pd.DataFrame(rows)


def test_ping_pongs_are_counted_per_unordered_pair() -> None:
    events = _events({"1": ["A", "B", "A", "A", "B"], "2": ["B", "A", "B"], "3": ["A", "C"]})
    stats = handover_stats(events, "id", "team", "at")
    assert stats.handovers.to_dict() == {"1": 3, "2": 2, "3": 1}
    assert stats.pingpongs["pair"].value_counts().to_dict() == {"A <-> B": 3}


def test_time_lost_per_extra_handover_is_the_slope_of_median_lead_times() -> None:
    paths = {f"a{i}": ["A", "B"] for i in range(30)} | {f"b{i}": ["A", "B", "A"] for i in range(30)}
    stats = handover_stats(_events(paths), "id", "team", "at")
    assert stats.hours_per_handover == pytest.approx(10.0)  # one more step of 10 hours


def test_the_worst_pair_is_filed_with_its_category_and_hours() -> None:
    paths = {f"p{i}": ["SD", "NET", "SD"] for i in range(60)} | {
        f"q{i}": ["SD", "APP"] for i in range(60)
    }
    config = config_with(
        {"events": ["team", "at", "category"]},
        kinds={
            "handovers": [
                {"source": "events", "at": "at", "context": "category", "min_pingpongs": 50}
            ]
        },
    )
    (found,) = find_handovers(
        {"events": frame("events", _events(paths))}, config.kinds.handovers[0], config, AS_OF
    )
    assert found.kind == "handover" and found.dimensions == {"team_pair": "NET <-> SD"}
    assert found.records == 60 and "60 times in 60 records" in found.detail
    assert "category Laptop (100%)" in found.detail
    # Lead times 10 h (one handover) and 20 h (two): 10 h each; half of 60 / 8 a week saved.
    assert found.hours_per_week == pytest.approx(60 / 8 / 2 * 10.0)
    assert "lead time per extra handover (waiting time, not effort)" in found.benefit_basis


def test_too_few_ping_pongs_file_nothing() -> None:
    config = config_with(
        {"events": ["team", "at"]},
        kinds={"handovers": [{"source": "events", "at": "at", "min_pingpongs": 50}]},
    )
    events = _events({"1": ["A", "B", "A"]})
    assert (
        find_handovers(
            {"events": frame("events", events)}, config.kinds.handovers[0], config, AS_OF
        )
        == []
    )

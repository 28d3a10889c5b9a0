import numpy as np
import pandas as pd
import pytest
import yaml

from detectors import Finding
from flows.config.model import ScanConfig
from flows.kpis.compute import ALL
from flows.select.breaks import explained, find_breaks
from flows.select.drilldown import attribute, drill_down

CONFIG = """
sources: [{name: s, path: x.csv, columns: {id: id, opened: o, team: t, ok: k},
           dates: [opened], booleans: [ok], dimensions: [team]}]
kpis:
  - {name: opened, source: s, measure: count, date: opened, unit: n/day, better: lower,
     dimensions: [team], csf: c, objective: o}
  - {name: flagged, source: s, measure: rate, flag: ok, date: opened, unit: share,
     better: lower, csf: c, objective: o}
drilldown: {min_impact_share: 0.1}
"""
PERIODS = pd.date_range("2024-01-01", periods=60, freq="D")


@pytest.fixture
def config() -> ScanConfig:
    return ScanConfig.model_validate(yaml.safe_load(CONFIG))


def _frame(teams: dict[str, np.ndarray]) -> pd.DataFrame:
    rows = []
    for team, values in teams.items():
        rows += [
            {"kpi": "opened", "team": team, "period": p, "value": v, "n": int(v)}
            for p, v in zip(PERIODS, values, strict=True)
        ]
    total = sum(teams.values())
    rows += [
        {"kpi": "opened", "team": ALL, "period": p, "value": v, "n": int(v)}
        for p, v in zip(PERIODS, total, strict=True)
    ]
    return pd.DataFrame(rows)


def _finding(team: str | None, start: str = "2024-02-20", score: float = 0.9) -> Finding:
    ts = pd.Timestamp(start)
    return Finding(
        kpi="opened",
        dimensions={"team": team} if team else {},
        kind="level_shift",
        direction="up",
        adverse=True,
        start=ts,
        end=PERIODS[-1],
        observed=0.0,
        expected=0.0,
        band_low=0.0,
        band_high=0.0,
        magnitude=0.5,
        score=score,
        detector="test",
    )


def test_one_entry_names_the_team_that_drives_the_total(config) -> None:
    flat = np.full(60, 50.0)
    jump = np.r_[np.full(50, 50.0), np.full(10, 90.0)]
    frame = _frame({"A": jump, "B": flat, "C": flat})
    table = attribute(frame, config.kpis[0], PERIODS[50], PERIODS[-1])
    assert table.set_index("value").loc["A", "contribution"] == pytest.approx(40.0)
    kept = drill_down([_finding(None), _finding("A"), _finding("B", score=0.6)], frame, config)
    assert len(kept) == 1 and kept[0].finding.dimensions == {}
    assert [(d["value"], d["share"]) for d in kept[0].drivers] == [("A", 1.0)]


def test_a_small_team_moving_on_a_flat_total_is_not_material(config) -> None:
    big, small = np.full(60, 100.0), np.r_[np.full(50, 2.0), np.full(10, 6.0)]
    mid = np.r_[np.full(50, 20.0), np.full(10, 40.0)]
    frame = _frame({"A": big, "B": small, "C": mid})
    kept = drill_down([_finding("B"), _finding("C")], frame, config)
    assert [k.finding.dimensions for k in kept] == [{"team": "C"}]
    assert kept[0].impact == pytest.approx(20.0 / 122.0)


def test_a_renamed_team_is_one_data_quality_finding(config) -> None:
    old = np.r_[np.full(40, 30.0), np.zeros(20)]
    new = np.r_[np.zeros(40), np.full(20, 30.0)]
    frame = _frame({"A": old, "B": new, "C": np.full(60, 10.0)})
    breaks = find_breaks(frame, config)
    assert len(breaks) == 1
    brk = breaks[0]
    assert (brk.finding.kind, brk.finding.dimensions) == ("data_quality", {"team": "A"})
    assert [(d["value"], d["role"]) for d in brk.drivers] == [("A", "vanished"), ("B", "appeared")]
    assert brk.finding.start == PERIODS[40]
    assert explained(_finding("B", start="2024-02-12"), breaks)
    assert not explained(_finding("C", start="2024-02-12"), breaks)


def test_a_flag_share_stepping_from_all_to_none_is_a_process_change(config) -> None:
    share = np.r_[np.full(57, 0.97), np.full(3, 0.01)]
    frame = pd.DataFrame(
        {"kpi": "flagged", "team": ALL, "period": PERIODS, "value": share, "n": 100}
    )
    (brk,) = find_breaks(frame, config)
    assert (brk.finding.kind, brk.finding.direction) == ("process_change", "down")
    assert brk.finding.start == PERIODS[57]
    flagged = Finding(
        kpi="flagged",
        dimensions={},
        kind="dip",
        direction="down",
        adverse=False,
        start=PERIODS[58],
        end=PERIODS[59],
        observed=0.0,
        expected=0.0,
        band_low=0.0,
        band_high=0.0,
        magnitude=-1.0,
        score=1.0,
        detector="t",
    )
    assert explained(flagged, [brk])


def test_many_teams_recoded_at_once_are_one_finding(config) -> None:
    before, after = np.r_[np.full(40, 30.0), np.zeros(20)], np.r_[np.zeros(40), np.full(20, 20.0)]
    teams = {"A": before, "B": before, "C": before, "X": after, "Y": after, "Z": after}
    (brk,) = find_breaks(_frame(teams), config)
    assert brk.finding.dimensions == {} and brk.finding.params["rule"] == "recode"
    assert brk.finding.params["vanished"] == ["A", "B", "C"]
    assert brk.finding.params["appeared"] == ["X", "Y", "Z"]
    assert explained(_finding("Y", start="2024-02-12"), [brk])


def test_a_recoding_entry_says_how_many_values_stopped_and_started(config) -> None:
    from flows.candidates import Provenance, build_candidate

    before, after = np.r_[np.full(40, 30.0), np.zeros(20)], np.r_[np.zeros(40), np.full(20, 20.0)]
    teams = {"A": before, "B": before, "C": before, "X": after, "Y": after, "Z": after}
    frame = _frame(teams)
    (brk,) = find_breaks(frame, config)
    spec = config.kpis[0]
    provenance = Provenance("s", "f" * 64, None, {"success": True})
    data = build_candidate(
        brk.finding, frame, spec, config, provenance, PERIODS[-1].date(), brk.drivers
    )
    assert "re-coding from" in data["title"] and "3 values stopped, 3 started" in data["title"]
    assert "90 -> 60 a period" in data["title"] and "n/a" not in data["title"]
    # A recording change has no level to chase: no n/a in its text and no target.
    assert "n/a" not in data["description"] and data["target"] is None
    assert "no target is suggested" in data["description"]

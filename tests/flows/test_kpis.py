from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flows.config.model import ScanConfig
from flows.kpis.compute import ALL, compute_kpis, dimension_columns
from flows.load.as_of import records_as_of
from flows.load.records import RecordFrame

KPIS = """
sources: [{name: s, path: x.csv, columns: {id: id, opened: o, resolved: r, ok: k, team: t},
           dates: [opened, resolved], booleans: [ok], dimensions: [team]}]
kpis:
  - {name: opened, source: s, measure: count, date: opened, unit: n/day, better: lower,
     dimensions: [team], min_slice_records: 2, csf: c, objective: o}
  - {name: ttr, source: s, measure: duration, start: opened, end: resolved, date: opened,
     unit: hours, better: lower, min_records: 1, min_complete_share: 0.5, csf: c, objective: o}
  - {name: breach, source: s, measure: rate, flag: ok, negate: true, date: opened,
     complete_when: resolved, unit: share, better: lower, min_records: 1, csf: c, objective: o}
"""


@pytest.fixture
def frame() -> RecordFrame:
    records = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "opened": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 10:00",
                    "2024-01-03 08:00",
                    "2024-01-03 09:00",
                    "2024-01-04 09:00",
                ]
            ),
            "resolved": pd.to_datetime(
                [
                    "2024-01-01 11:00",
                    "2024-01-02 10:00",
                    "2024-01-03 12:00",
                    "2024-01-06 09:00",
                    None,
                ]
            ),
            "ok": pd.array([True, False, True, False, pd.NA], dtype="boolean"),
            "team": ["A", "A", "B", "A", "B"],
        }
    )
    return RecordFrame("s", Path("x.csv"), "0" * 64, records, 5, {})


@pytest.fixture
def config(tmp_path: Path) -> ScanConfig:
    import yaml

    return ScanConfig.model_validate(yaml.safe_load(KPIS))


def _series(kpis: pd.DataFrame, name: str, team: str = ALL) -> pd.Series:
    rows = kpis[kpis["kpi"] == name]
    if "team" in kpis:
        rows = rows[rows["team"] == team]
    return rows.set_index("period")["value"]


def test_counts_fill_empty_days_with_zero(frame: RecordFrame, config: ScanConfig) -> None:
    kpis = compute_kpis({"s": frame}, config, date(2024, 1, 4))
    assert dimension_columns(kpis) == ["team"]
    assert _series(kpis, "opened").tolist() == [2.0, 0.0, 2.0, 1.0]
    assert _series(kpis, "opened", "A").tolist() == [2.0, 0.0, 1.0, 0.0]


def test_duration_as_of_hides_what_had_not_happened(frame: RecordFrame, config: ScanConfig) -> None:
    late = compute_kpis({"s": frame}, config, date(2024, 1, 10))
    assert _series(late, "ttr").loc["2024-01-03"] == pytest.approx(38.0)  # median of 4 h, 72 h
    early = compute_kpis({"s": frame}, config, date(2024, 1, 4))
    # As of Jan 4, "d" is unresolved: half of Jan 3 is complete, so its median is 4 h.
    assert _series(early, "ttr").loc["2024-01-03"] == pytest.approx(4.0)
    assert np.isnan(_series(early, "ttr").loc["2024-01-04"])  # nothing complete yet


def test_rate_negates_the_flag(frame: RecordFrame, config: ScanConfig) -> None:
    kpis = compute_kpis({"s": frame}, config, date(2024, 1, 10))
    assert _series(kpis, "breach").loc["2024-01-01"] == pytest.approx(0.5)
    assert _series(kpis, "breach").loc["2024-01-03"] == pytest.approx(0.5)


def test_records_as_of_drops_future_records(frame: RecordFrame) -> None:
    visible = records_as_of(frame, ["opened", "resolved"], "opened", date(2024, 1, 3))
    assert visible["id"].tolist() == ["a", "b", "c", "d"]
    assert visible["resolved"].isna().tolist() == [False, False, False, True]


def test_small_slices_are_not_tracked(frame: RecordFrame, config: ScanConfig) -> None:
    kpis = compute_kpis({"s": frame}, config, date(2024, 1, 4))
    assert set(kpis.loc[kpis["kpi"] == "opened", "team"]) == {ALL, "A", "B"}
    assert set(kpis.loc[kpis["kpi"] == "ttr", "team"]) == {ALL}  # no dimensions configured


def test_weekly_grain(frame: RecordFrame, config: ScanConfig) -> None:
    weekly = config.model_copy(
        update={"kpis": [config.kpis[0].model_copy(update={"grain": "W", "dimensions": []})]}
    )
    kpis = compute_kpis({"s": frame}, weekly, date(2024, 1, 8))
    assert _series(kpis, "opened").to_dict() == {
        pd.Timestamp("2024-01-01"): 5.0,
        pd.Timestamp("2024-01-08"): 0.0,
    }

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from flows.config.model import ScanConfig
from flows.kpis.catalogue import KpiError
from flows.kpis.compute import ALL, compute_kpis
from flows.load.records import RecordFrame

CONFIG = """
sources:
  - {name: inc, path: i.csv, columns: {id: id, opened: o, resolved: r, ci: c, n: n, reopened: ro,
     team: t}, dates: [opened, resolved, reopened], numbers: [n], dimensions: [team]}
  - {name: chg, path: c.csv, columns: {id: id, ci: c, done: d}, dates: [done]}
kpis:
  - {name: backlog, source: inc, measure: backlog, start: opened, end: resolved, date: opened,
     unit: open, better: lower, dimensions: [team], min_slice_records: 1, csf: c, objective: o}
  - {name: reassigned, source: inc, measure: rate, flag: n, above: 0, date: opened, unit: share,
     better: lower, min_records: 1, csf: c, objective: o}
  - {name: reopened, source: inc, measure: rate, flag: reopened, date: opened, unit: share,
     better: lower, min_records: 1, csf: c, objective: o}
  - {name: after_change, source: inc, measure: linked, date: opened, unit: share, better: lower,
     link: {source: chg, key: ci, other_key: ci, date: done, within_days: 2}, min_records: 1,
     csf: c, objective: o}
"""


def _frame(source: str, records: pd.DataFrame) -> RecordFrame:
    return RecordFrame(source, Path(f"{source}.csv"), "0" * 64, records, len(records), {})


@pytest.fixture
def frames() -> dict[str, RecordFrame]:
    day = pd.Timestamp("2024-01-01")
    incidents = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "opened": [day, day, day + pd.Timedelta(days=1), day + pd.Timedelta(days=2)],
            "resolved": [day, day + pd.Timedelta(days=2), pd.NaT, day + pd.Timedelta(days=2)],
            "ci": ["x", "y", "x", "z"],
            "n": [0.0, 2.0, 1.0, None],
            "reopened": [pd.NaT, day, pd.NaT, pd.NaT],
            "team": ["A", "A", "B", "B"],
        }
    )
    changes = pd.DataFrame(
        {"id": ["c1", "c2"], "ci": ["x", "z"], "done": [day - pd.Timedelta(days=1), day]}
    )
    return {"inc": _frame("inc", incidents), "chg": _frame("chg", changes)}


@pytest.fixture
def config() -> ScanConfig:
    return ScanConfig.model_validate(yaml.safe_load(CONFIG))


def _series(kpis: pd.DataFrame, name: str, team: str = ALL) -> list[float]:
    rows = kpis[(kpis["kpi"] == name) & (kpis["team"] == team)]
    return rows.sort_values("period")["value"].tolist()


def test_backlog_counts_open_records_at_each_day_end(frames, config) -> None:
    kpis = compute_kpis(frames, config, date(2024, 1, 4))
    # a closes on its day; b is open two nights; c never closes; d closes on its day.
    assert _series(kpis, "backlog") == [1.0, 2.0, 1.0, 1.0]
    assert _series(kpis, "backlog", "B") == [0.0, 1.0, 1.0, 1.0]


def test_numeric_and_date_flags(frames, config) -> None:
    kpis = compute_kpis(frames, config, date(2024, 1, 4))
    assert _series(kpis, "reassigned")[:2] == [0.5, 1.0]  # d's unknown count is left out
    assert _series(kpis, "reopened")[:3] == [0.5, 0.0, 0.0]


def test_linked_counts_a_change_on_the_same_ci_within_the_window(frames, config) -> None:
    kpis = compute_kpis(frames, config, date(2024, 1, 4))
    # a (ci x, change the day before) and d (ci z, change two days before) are linked;
    # c (ci x, change two days before) is too, b (ci y) is not.
    assert _series(kpis, "after_change")[:3] == [0.5, 1.0, 1.0]


def test_empty_input_column_is_a_clear_error(frames, config) -> None:
    frames["inc"].records["n"] = None
    with pytest.raises(KpiError, match="'reassigned': input column 'n' has no values"):
        compute_kpis(frames, config, date(2024, 1, 4))


def test_daily_grain_on_weekly_stamped_data_is_rejected(frames, config) -> None:
    weekly = pd.date_range("2024-01-01", periods=6, freq="W-MON")
    records = pd.DataFrame(
        {
            "id": list("abcdef"),
            "opened": weekly,
            "resolved": weekly,
            "ci": "x",
            "n": 1.0,
            "reopened": pd.NaT,
            "team": "A",
        }
    )
    frames["inc"] = _frame("inc", records)
    with pytest.raises(KpiError, match="same weekday"):
        compute_kpis(frames, config, date(2024, 2, 12))


def test_a_grain_wider_than_the_data_is_rejected(frames, config) -> None:
    weekly = config.model_copy(
        update={"kpis": [k.model_copy(update={"grain": "W"}) for k in config.kpis]}
    )
    with pytest.raises(KpiError, match="grain 'W' gives 1 period"):
        compute_kpis(frames, weekly, date(2024, 1, 4))

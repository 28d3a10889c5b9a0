"""KPI filters (``where:``): exactly the filtered values, and one clear error for a bad column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from flows.config.model import ConfigError, ScanConfig, load_config
from flows.kpis.catalogue import KpiError
from flows.kpis.compute import compute_kpis
from flows.load.records import RecordFrame

SOURCE = {
    "name": "s",
    "path": "x.csv",
    "columns": {"id": "id", "opened": "o", "resolved": "r", "priority": "p", "team": "t"},
    "dates": ["opened", "resolved"],
    "dimensions": ["priority", "team"],
}
KPI = {"source": "s", "date": "opened", "unit": "u", "better": "lower", "csf": "c",
       "objective": "o", "min_records": 1, "min_complete_share": 0.5}  # fmt: skip
P1_P2 = {"priority": ["1 - Critical", "2 - High"]}


def _config(where: dict[str, object]) -> ScanConfig:
    kpis = [
        {**KPI, "name": "opened", "measure": "count", "dimensions": ["team"],
         "min_slice_records": 1, "where": where},
        {**KPI, "name": "ttr", "measure": "duration", "start": "opened", "end": "resolved",
         "where": where},
        {**KPI, "name": "backlog", "measure": "backlog", "start": "opened", "end": "resolved",
         "where": where},
    ]  # fmt: skip
    return ScanConfig.model_validate({"sources": [SOURCE], "kpis": kpis})


def _frame() -> RecordFrame:
    rng = np.random.default_rng(7)
    n = 300
    opened = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 28 * 24, n), unit="h")
    resolved = opened + pd.to_timedelta(rng.exponential(30, n), unit="h")
    records = pd.DataFrame({
        "id": [f"INC{i}" for i in range(n)],
        "opened": opened,
        "resolved": resolved.where(rng.uniform(size=n) > 0.1),
        "priority": rng.choice(["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"], n),
        "team": rng.choice(["A", "B"], n),
    })  # fmt: skip
    return RecordFrame("s", Path("x.csv"), "0" * 64, records, n, {})


def test_a_filtered_kpi_is_the_kpi_of_the_filtered_records() -> None:
    frame = _frame()
    as_of = date(2024, 1, 31)
    filtered = compute_kpis({"s": frame}, _config(P1_P2), as_of)
    kept = frame.records[frame.records["priority"].isin(P1_P2["priority"])]
    only = RecordFrame("s", Path("x.csv"), "0" * 64, kept.reset_index(drop=True), len(kept), {})
    by_hand = compute_kpis({"s": only}, _config({}), as_of)
    assert len(kept) < len(frame.records)
    pd.testing.assert_frame_equal(filtered, by_hand)
    opened = filtered[(filtered["kpi"] == "opened") & (filtered["team"] == "*")]
    assert opened["value"].sum() == len(kept)
    unfiltered = compute_kpis({"s": frame}, _config({}), as_of)
    assert unfiltered.loc[unfiltered["kpi"] == "opened", "value"].sum() > opened["value"].sum()


def test_equality_on_one_value() -> None:
    frame = _frame()
    out = compute_kpis({"s": frame}, _config({"team": "B"}), date(2024, 1, 31))
    opened = out[(out["kpi"] == "opened") & (out["team"] == "*")]
    assert opened["value"].sum() == (frame.records["team"] == "B").sum()
    assert set(out.loc[out["kpi"] == "opened", "team"]) == {"*", "B"}


def test_a_filter_that_matches_nothing_names_the_kpi() -> None:
    with pytest.raises(KpiError, match=r"KPI 'opened': where .* matches no records"):
        compute_kpis({"s": _frame()}, _config({"priority": "1 - Critcal"}), date(2024, 1, 31))


def test_a_where_column_not_mapped_is_one_config_error(tmp_path: Path) -> None:
    raw = {"sources": [SOURCE], "kpis": [{**KPI, "name": "p1_opened", "measure": "count",
                                          "where": {"urgency": "1 - High"}}]}  # fmt: skip
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert "KPI 'p1_opened': where names column 'urgency', not mapped in source 's'" in message
    assert message.startswith(str(path))


def test_an_empty_list_is_a_config_error() -> None:
    with pytest.raises(ValueError, match=r"where\.priority is an empty list"):
        _config({"priority": []})

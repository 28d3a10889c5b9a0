"""The indexed drill-down gives the numbers of the plain pandas comparison it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flows.kpis.compute import ALL
from flows.select.kpi_index import BASELINE_PERIODS, KpiIndex

PERIODS = pd.date_range("2024-01-01", periods=80, freq="D")


def _frame(seed: int) -> pd.DataFrame:
    """Two KPIs, two dimensions, gaps (NaN values) and uneven series."""
    rng = np.random.default_rng(seed)
    parts = []
    for kpi in ("a", "b"):
        keys = (
            [(ALL, ALL)] + [(f"t{i}", ALL) for i in range(5)] + [(ALL, f"c{i}") for i in range(4)]
        )
        for team, cat in keys:
            value = rng.normal(10, 3, len(PERIODS))
            value[rng.random(len(PERIODS)) < 0.2] = np.nan
            parts.append(
                pd.DataFrame(
                    {
                        "kpi": kpi,
                        "team": team,
                        "cat": cat,
                        "period": PERIODS,
                        "value": value,
                        "n": rng.integers(0, 9, len(PERIODS)),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed)


def _reference(
    frame: pd.DataFrame, kpi: str, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """The per-finding pandas comparison drill-down used before the index."""
    rows = frame[frame["kpi"] == kpi].sort_values("period")
    label = pd.Series(ALL, index=rows.index)
    value = pd.Series(ALL, index=rows.index)
    for dim in ("team", "cat"):
        mine = rows[dim] != ALL
        label[mine], value[mine] = dim, rows.loc[mine, dim]
    keyed = rows.assign(dimension=label, slice=value)
    before = keyed[keyed["period"] < start].dropna(subset=["value"])
    before = before.groupby(["dimension", "slice"]).tail(BASELINE_PERIODS)
    during = keyed[(keyed["period"] >= start) & (keyed["period"] <= end)]
    return pd.DataFrame(
        {
            "baseline": before.groupby(["dimension", "slice"])["value"].mean(),
            "current": during.groupby(["dimension", "slice"])["value"].mean(),
            "n": during.groupby(["dimension", "slice"])["n"].sum(),
        }
    ).reset_index()


@pytest.mark.parametrize(("seed", "first", "last"), [(0, 50, 60), (1, 10, 10), (2, 79, 79)])
def test_window_matches_the_pandas_reference(seed: int, first: int, last: int) -> None:
    frame = _frame(seed)
    index = KpiIndex(frame)
    for kpi in ("a", "b"):
        got = index.window(kpi, PERIODS[first], PERIODS[last])
        want = _reference(frame, kpi, PERIODS[first], PERIODS[last])
        pd.testing.assert_frame_equal(
            got, want.astype({"n": "float64"}), check_exact=False, rtol=1e-12
        )


def test_one_series_reads_only_that_series() -> None:
    frame = _frame(3)
    index = KpiIndex(frame)
    only = [("team", "t2"), (ALL, ALL), ("team", "nobody")]
    full = index.window("a", PERIODS[40], PERIODS[45])
    part = index.window("a", PERIODS[40], PERIODS[45], only)
    assert part[["dimension", "slice"]].values.tolist() == [[ALL, ALL], ["team", "t2"]]
    wanted = full["dimension"].eq(ALL) | full["slice"].eq("t2")
    pd.testing.assert_frame_equal(part, full[wanted].reset_index(drop=True))


def test_unknown_kpi_and_empty_frame_give_empty_tables() -> None:
    assert KpiIndex(_frame(0)).window("zz", PERIODS[0], PERIODS[1]).empty
    empty = pd.DataFrame(columns=["kpi", "period", "value", "n"])
    assert KpiIndex(empty).window("a", PERIODS[0], PERIODS[1]).empty


@pytest.mark.parametrize(("measure", "first", "last"), [("duration", 50, 60), ("count", 79, 79)])
def test_slice_impact_equals_the_one_read_off_the_drill_down_table(
    measure: str, first: int, last: int
) -> None:
    """A slice's impact, read straight from the arrays, is the table's to the last bit."""
    from detectors import Finding
    from flows.config.model import KpiSpec
    from flows.select.drilldown import _impact, attribute

    frame = _frame(4)
    index = KpiIndex(frame)
    spec = KpiSpec.model_construct(name="a", measure=measure)  # all that impact reads
    start, end = PERIODS[first], PERIODS[last]
    for dim, value in [("team", f"t{i}") for i in range(5)] + [("cat", "c1"), ("team", "zz")]:
        table = attribute(index, spec, start, end, (dim, value))
        row = table[(table["dimension"] == dim) & (table["value"] == value)]
        total = table[table["dimension"] == ALL]
        level = abs(float(total["baseline"].iloc[0]))
        want = 0.0 if row.empty else abs(float(row["contribution"].iloc[0])) / level
        finding = Finding(
            kpi="a", dimensions={dim: value}, kind="spike", direction="up", adverse=True,
            start=start, end=end, observed=1.0, expected=0.0, band_low=0.0, band_high=0.5,
            magnitude=1.0, score=1.0, detector="test",
        )  # fmt: skip
        got = _impact(finding, index, spec)
        assert got == want or (np.isnan(got) and np.isnan(want))  # a NaN impact stays NaN

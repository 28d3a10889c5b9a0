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

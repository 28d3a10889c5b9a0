"""The night's KPI frame indexed once, for drill-down: one sorted block of arrays per KPI.

Drill-down compares every series of a KPI over a finding's window with the periods before
it. Done on the long frame, each finding costs a scan of the whole frame with string
comparisons, so a night costs findings x frame size. :class:`KpiIndex` labels each row's
series once (``dimension`` = the sliced dimension or ``"*"``, ``slice`` = its value), gives
each series an integer code, and keeps each KPI's rows sorted by (series, period) in numpy
arrays; a window is then a few vectorised passes over one KPI's block, and one series'
numbers only touch that series' rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from flows.kpis.compute import ALL, dimension_columns

__all__ = ["BASELINE_PERIODS", "KpiIndex"]

#: Periods a baseline snapshot spans (four weeks of days), shared with the candidates stage.
BASELINE_PERIODS = 28


@dataclass(frozen=True)
class _Block:
    """One KPI's rows, sorted by (series code, period); ``offsets[i]`` starts series i."""

    series: pd.DataFrame  # one row per series: dimension, slice (sorted by both)
    lookup: dict[tuple[str, str], int]  # (dimension, slice) -> series code
    code: np.ndarray
    period: np.ndarray  # datetime64[ns] as int64
    value: np.ndarray
    n: np.ndarray
    offsets: np.ndarray


class KpiIndex:
    """A KPI frame indexed by KPI and series, built once per night.

    Examples
    --------
    >>> frame = pd.DataFrame({"kpi": "k", "team": ["*", "*", "a", "a"],
    ...                       "period": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2),
    ...                       "value": [4.0, 6.0, 1.0, 3.0], "n": [4, 6, 1, 3]})
    >>> table = KpiIndex(frame).window("k", pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-02"))
    >>> table[["dimension", "slice", "baseline", "current", "n"]].to_dict("records")[1]
    {'dimension': 'team', 'slice': 'a', 'baseline': 1.0, 'current': 3.0, 'n': 3.0}
    """

    def __init__(self, kpi_frame: pd.DataFrame) -> None:
        self._blocks: dict[str, _Block] = {}
        if kpi_frame.empty:
            return
        # Series are labelled by integer codes (which dimension, which of its values);
        # strings are touched once per series, not once per row.
        rows = len(kpi_frame)
        dimension = np.full(rows, -1, dtype=np.int64)  # index into dims; -1 is the total
        value_code = np.full(rows, -1, dtype=np.int64)
        dims = dimension_columns(kpi_frame)
        names = []
        for d, dim in enumerate(dims):
            codes, uniques = pd.factorize(kpi_frame[dim], use_na_sentinel=False)
            values = np.asarray(uniques, dtype=object)
            mine = values[codes] != ALL
            dimension[mine], value_code[mine] = d, codes[mine]
            names.append(values)
        kpi_code, kpis = pd.factorize(kpi_frame["kpi"])
        columns = _Columns(
            dims=dims,
            names=names,
            key=(dimension + 1) * (max((len(v) for v in names), default=0) + 1) + value_code + 1,
            dimension=dimension,
            value_code=value_code,
            period=kpi_frame["period"].to_numpy(dtype="datetime64[ns]").view("int64"),
            value=kpi_frame["value"].to_numpy(dtype="float64"),
            n=kpi_frame["n"].to_numpy(dtype="float64"),
        )
        for k, kpi in enumerate(kpis):
            self._blocks[str(kpi)] = _block(columns, np.flatnonzero(kpi_code == k))

    def window(
        self,
        kpi: str,
        start: pd.Timestamp,
        end: pd.Timestamp,
        series: list[tuple[str, str]] | None = None,
    ) -> pd.DataFrame:
        """Baseline and window numbers of every series of ``kpi`` (or only ``series``).

        Returns one row per series with ``dimension``, ``slice``, ``baseline`` (mean of the
        last :data:`BASELINE_PERIODS` known values before ``start``), ``current`` (mean over
        ``start..end``) and ``n`` (records in the window), sorted by dimension and slice.
        Series with no row before or in the window are left out.
        """
        block = self._blocks.get(kpi)
        if block is None:
            return pd.DataFrame(columns=["dimension", "slice", "baseline", "current", "n"])
        keep, baseline, current, n = _numbers(block, start, end, series)
        return (
            block.series.iloc[keep]
            .assign(baseline=baseline, current=current, n=n)
            .reset_index(drop=True)
        )

    def numbers(
        self, kpi: str, start: pd.Timestamp, end: pd.Timestamp, series: list[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[float, float, float]]:
        """``baseline``, ``current`` and ``n`` of each of ``series``, as :meth:`window` has them.

        No table is built: a slice finding's impact needs two series, thousands of times a
        night at a million incidents a year.
        """
        block = self._blocks.get(kpi)
        if block is None:
            return {}
        keep, baseline, current, n = _numbers(block, start, end, series)
        names = block.series.iloc[keep].itertuples(index=False)
        return {
            (str(d), str(v)): (float(b), float(c), float(k))
            for (d, v), b, c, k in zip(names, baseline, current, n, strict=True)
        }


def _numbers(
    block: _Block,
    start: pd.Timestamp,
    end: pd.Timestamp,
    series: list[tuple[str, str]] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the kept series codes and their baseline, current and n (see ``window``)."""
    size = len(block.series)
    codes = np.arange(size)
    rows = np.arange(len(block.code))
    if series is not None:
        codes = np.array(sorted({block.lookup[k] for k in series if k in block.lookup}), int)
        rows = np.concatenate(
            [np.arange(block.offsets[c], block.offsets[c + 1]) for c in codes] or [rows[:0]]
        )
    code, period = block.code[rows], block.period[rows]
    value, n = block.value[rows], block.n[rows]
    lo, hi = pd.Timestamp(start).value, pd.Timestamp(end).value
    before = np.flatnonzero((period < lo) & ~np.isnan(value))
    # Rows are sorted by (code, period): keep each series' last BASELINE_PERIODS ones.
    per = np.bincount(code[before], minlength=size)
    rank_from_end = np.cumsum(per)[code[before]] - np.arange(len(before))
    last = before[rank_from_end <= BASELINE_PERIODS]
    base_n = np.bincount(code[last], minlength=size)
    base_sum = np.bincount(code[last], weights=value[last], minlength=size)
    during = np.flatnonzero((period >= lo) & (period <= hi))
    in_window = np.bincount(code[during], minlength=size)
    known = during[~np.isnan(value[during])]
    cur_n = np.bincount(code[known], minlength=size)
    cur_sum = np.bincount(code[known], weights=value[known], minlength=size)
    n_sum = np.bincount(code[during], weights=n[during], minlength=size)
    keep = codes[(base_n[codes] > 0) | (in_window[codes] > 0)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (
            keep,
            base_sum[keep] / np.where(base_n[keep] > 0, base_n[keep], np.nan),
            cur_sum[keep] / np.where(cur_n[keep] > 0, cur_n[keep], np.nan),
            np.where(in_window[keep] > 0, n_sum[keep], np.nan),
        )


@dataclass(frozen=True)
class _Columns:
    """The whole frame as arrays: each row's series key and its numbers."""

    dims: list[str]
    names: list[np.ndarray]  # per dimension, its values by code
    key: np.ndarray  # one integer per (dimension, value); the total has its own
    dimension: np.ndarray
    value_code: np.ndarray
    period: np.ndarray
    value: np.ndarray
    n: np.ndarray


def _block(columns: _Columns, rows: np.ndarray) -> _Block:
    keys, first, inverse = np.unique(columns.key[rows], return_index=True, return_inverse=True)
    dims = columns.dimension[rows[first]]
    codes = columns.value_code[rows[first]]
    labels = pd.DataFrame(
        {
            "dimension": [ALL if d < 0 else columns.dims[d] for d in dims],
            "slice": [
                ALL if d < 0 else columns.names[d][c] for d, c in zip(dims, codes, strict=True)
            ],
        }
    )
    series = labels.sort_values(["dimension", "slice"])
    rank = np.empty(len(keys), dtype=np.int64)
    rank[series.index.to_numpy()] = np.arange(len(keys))
    series = series.reset_index(drop=True)
    code_of = rank[inverse.ravel()]
    period = columns.period[rows]
    order = np.lexsort((period, code_of))
    code = code_of[order]
    return _Block(
        series=series,
        lookup={(str(d), str(v)): i for i, (d, v) in enumerate(series.itertuples(index=False))},
        code=code,
        period=period[order],
        value=columns.value[rows][order],
        n=columns.n[rows][order],
        offsets=np.searchsorted(code, np.arange(len(series) + 1)),
    )

"""Turn a long KPI frame into a dense (periods x series) matrix, and check it.

The frame contract (the README's *KpiFrame*): columns ``kpi``, zero or more dimension
columns, ``period`` (datetime64), ``value`` (float, may be NaN) and ``n`` (int). One series
per (kpi, dimension values). Rows may come in any order; they are placed on a regular
period grid whose step is the smallest gap between distinct periods. Missing periods
become NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors._rolling import FloatArray, IntArray

__all__ = ["SeriesMatrix", "season_length", "to_matrix"]

_REQUIRED = ("kpi", "period", "value", "n")


@dataclass(frozen=True)
class SeriesMatrix:
    """Dense view of a KPI frame: ``values[t, s]`` is series ``s`` at ``periods[t]``."""

    periods: pd.DatetimeIndex
    keys: pd.DataFrame
    values: FloatArray
    counts: FloatArray
    step: pd.Timedelta

    def column_blocks(self, width: int) -> list[SeriesMatrix]:
        """Split into matrices of at most ``width`` series each, on the same period grid."""
        return [
            SeriesMatrix(
                periods=self.periods,
                keys=self.keys.iloc[start : start + width].reset_index(drop=True),
                values=self.values[:, start : start + width],
                counts=self.counts[:, start : start + width],
                step=self.step,
            )
            for start in range(0, self.values.shape[1], width)
        ]


def season_length(step: pd.Timedelta) -> int:
    """Rows per season for a grid step: weekday for daily, hour of day for hourly data.

    Examples
    --------
    >>> season_length(pd.Timedelta(days=1)), season_length(pd.Timedelta(weeks=1))
    (7, 1)
    """
    if step == pd.Timedelta(days=1):
        return 7
    if step == pd.Timedelta(hours=1):
        return 24
    return 1


def to_matrix(frame: pd.DataFrame) -> SeriesMatrix:
    """Pivot a long KPI frame to a :class:`SeriesMatrix`.

    Raises
    ------
    ValueError
        If a required column is missing, ``period`` is not datetime, a
        (kpi, dimensions, period) row is duplicated, or periods are off a regular grid.
    """
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(f"kpi_frame is missing column(s) {missing}; it needs {list(_REQUIRED)}")
    if not pd.api.types.is_datetime64_any_dtype(frame["period"]):
        raise ValueError(f"kpi_frame['period'] must be datetime64, got {frame['period'].dtype}")
    dims = [c for c in frame.columns if c not in _REQUIRED]
    key_cols = ["kpi", *dims]
    uniq = pd.DatetimeIndex(frame["period"].unique()).sort_values()
    step = pd.Timedelta(uniq.to_series().diff().min()) if len(uniq) > 1 else pd.Timedelta(days=1)
    grid = pd.date_range(uniq[0], uniq[-1], freq=step) if len(uniq) else uniq
    t_idx = grid.get_indexer(pd.DatetimeIndex(frame["period"]))
    if (t_idx < 0).any():
        raise ValueError(
            f"kpi_frame periods are not on a regular grid of step {step}; "
            "resample to one grain (daily or weekly) first"
        )
    codes, keys = _series_codes(frame, key_cols)
    t_len, s_len = len(grid), len(keys)
    # Series-major cells: a frame sorted by series writes them in order.
    cell = codes * t_len + t_idx
    # Duplicates share a (series, period) cell: count cells instead of hashing rows again.
    dup = np.bincount(cell, minlength=t_len * s_len)[cell] > 1
    if dup.any():
        example = frame.loc[dup, [*key_cols, "period"]].iloc[0].to_dict()
        raise ValueError(
            f"kpi_frame has {int(dup.sum())} rows on duplicate (kpi, dimensions, period) "
            f"cells, e.g. {example}; aggregate them before detection"
        )
    values = np.full(s_len * t_len, np.nan)
    counts = np.zeros(s_len * t_len)
    values[cell] = frame["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    counts[cell] = frame["n"].to_numpy(dtype=np.float64, na_value=0.0)
    return SeriesMatrix(
        periods=grid,
        keys=keys,
        values=np.ascontiguousarray(values.reshape(s_len, t_len).T),
        counts=np.ascontiguousarray(counts.reshape(s_len, t_len).T),
        step=step,
    )


def _series_codes(frame: pd.DataFrame, key_cols: list[str]) -> tuple[IntArray, pd.DataFrame]:
    """Return each row's series code as ``groupby(key_cols, sort=True, dropna=False)`` would.

    Returns the codes and the keys of each series (as strings). Hashing millions of
    string keys is most of a pivot's time, but a long frame holds each series' rows
    together: only the rows where a key differs from the row before are factorised
    (NaN counts as a change, so a missing key is factorised too), and each code is
    repeated down its stretch.
    """
    n_rows = len(frame)
    change = np.zeros(n_rows, dtype=bool)
    for col in key_cols:
        column = frame[col]
        change |= column.ne(column.shift()).to_numpy(dtype=bool)  # the first row too
    first = np.flatnonzero(change)
    stretch = np.diff(np.append(first, n_rows))
    levels, level_codes = [], []
    for col in key_cols:
        code, level = pd.factorize(frame[col].iloc[first], sort=True, use_na_sentinel=False)
        levels.append(level)
        level_codes.append(code)
    # Sorted levels, combined in key order, number the series lexicographically.
    series, at = np.unique(np.stack(level_codes, axis=1), axis=0, return_inverse=True)
    keys = pd.DataFrame(
        {
            col: level[series[:, j]]
            for j, (col, level) in enumerate(zip(key_cols, levels, strict=True))
        }
    ).astype(str)
    codes: IntArray = np.repeat(at.reshape(-1), stretch)
    return codes, keys

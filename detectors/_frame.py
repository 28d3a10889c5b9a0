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

from detectors._rolling import FloatArray

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
    uniq = pd.DatetimeIndex(frame["period"].drop_duplicates()).sort_values()
    step = pd.Timedelta(uniq.to_series().diff().min()) if len(uniq) > 1 else pd.Timedelta(days=1)
    grid = pd.date_range(uniq[0], uniq[-1], freq=step) if len(uniq) else uniq
    t_idx = grid.get_indexer(pd.DatetimeIndex(frame["period"]))
    if (t_idx < 0).any():
        raise ValueError(
            f"kpi_frame periods are not on a regular grid of step {step}; "
            "resample to one grain (daily or weekly) first"
        )
    groups = frame.groupby(key_cols, sort=True, dropna=False)
    codes = groups.ngroup().to_numpy()
    keys = groups.size().index.to_frame(index=False).astype(str)
    # Duplicates share a (series, period) cell: count cells instead of hashing rows again.
    cell = codes.astype(np.int64) * len(grid) + t_idx
    dup = np.bincount(cell, minlength=len(grid) * len(keys))[cell] > 1
    if dup.any():
        example = frame.loc[dup, [*key_cols, "period"]].iloc[0].to_dict()
        raise ValueError(
            f"kpi_frame has {int(dup.sum())} rows on duplicate (kpi, dimensions, period) "
            f"cells, e.g. {example}; aggregate them before detection"
        )
    values = np.full((len(grid), len(keys)), np.nan)
    counts = np.zeros((len(grid), len(keys)))
    values[t_idx, codes] = frame["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    counts[t_idx, codes] = frame["n"].to_numpy(dtype=np.float64, na_value=0.0)
    return SeriesMatrix(periods=grid, keys=keys, values=values, counts=counts, step=step)

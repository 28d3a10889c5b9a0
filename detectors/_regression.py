"""Causal rolling least-squares lines over (periods x series) matrices, via cumulative sums.

For each row ``t`` the line is fitted to rows ``t - window + 1 .. t``, NaN rows skipped.
Cumulative sums make this O(T x S) whatever the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors._rolling import FloatArray, running_sum

__all__ = ["RollingLine", "rolling_line"]


@dataclass(frozen=True)
class RollingLine:
    """Per row: slope per period, fitted value at the row, t-statistic and valid count."""

    slope: FloatArray
    fitted: FloatArray
    t_stat: FloatArray
    count: FloatArray


def _window_sum(a: FloatArray, window: int) -> FloatArray:
    c = np.concatenate([np.zeros((1, a.shape[1])), running_sum(a)])
    out = c[1:].copy()
    if window < len(a):
        out[window:] -= c[1 : len(a) + 1 - window]
    return out


def rolling_line(x: FloatArray, window: int, min_count: int) -> RollingLine:
    """Fit a line to the trailing ``window`` rows of every column, at every row.

    Rows with fewer than ``min_count`` valid values in their window are NaN.

    Examples
    --------
    >>> x = np.arange(10, dtype=float)[:, None] * 2.0 + 1.0
    >>> line = rolling_line(x, window=4, min_count=3)
    >>> line.slope[-1, 0], line.fitted[-1, 0]
    (np.float64(2.0), np.float64(19.0))
    """
    t_len, _ = x.shape
    missing = np.isnan(x)
    y = np.nan_to_num(x)
    # Time relative to the row itself keeps the sums small and the intercept the fitted value.
    t = np.arange(t_len, dtype=np.float64)[:, None]
    # Without gaps the time sums are one column shared by every series.
    valid = (~missing).astype(np.float64) if missing.any() else np.ones((t_len, 1))
    n = _window_sum(valid, window)
    st = _window_sum(valid * t, window)
    stt = _window_sum(valid * t * t, window)
    sy = _window_sum(y, window)
    sty = _window_sum(y * t, window)
    syy = _window_sum(y * y, window)
    with np.errstate(divide="ignore", invalid="ignore"):
        st_c = st - n * t  # sums of (s - t) over the window
        stt_c = stt - 2 * t * st + n * t * t
        sty_c = sty - t * sy
        sxx = stt_c - st_c * st_c / n
        slope = (sty_c - st_c * sy / n) / sxx
        intercept = (sy - slope * st_c) / n
        sse = np.maximum(syy - intercept * sy - slope * sty_c, 0.0)
        se = np.sqrt(sse / (n - 2) / sxx)
        t_stat = slope / se
    bad = np.broadcast_to(n < max(min_count, 3), slope.shape)
    for arr in (slope, intercept, t_stat):
        arr[bad] = np.nan
    return RollingLine(
        slope=slope, fitted=intercept, t_stat=t_stat, count=np.broadcast_to(n, slope.shape)
    )

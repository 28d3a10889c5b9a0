"""The robust seasonal baseline shared by the point and shift detectors.

For each row ``t`` of a (periods x series) matrix it computes, from rows before ``t`` only:

- ``expected``: the median of the same season phase in the last ``n_seasons`` cycles
  (same weekday, same hour), or of the last ``window`` rows while too few cycles exist;
- ``scale``: a clipped exponentially weighted mean absolute residual (see
  :func:`~detectors._rolling.ewm_abs_scale`), times the season phase's own running
  spread relative to it (Saturdays may be noisier than Tuesdays:
  :func:`phase_profile`), floored so that flat series stay defined;
- ``z = (x - expected) / scale``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors._rolling import FloatArray, ewm_abs_scale, lagged_median, running_sum

__all__ = ["Baseline", "phase_profile", "robust_baseline"]

#: Cycles of evidence at which a phase profile counts half.
_PRIOR_CYCLES = 2


@dataclass(frozen=True)
class Baseline:
    """Causal expectation, scale and standardised residual, each shaped (T, S)."""

    expected: FloatArray
    scale: FloatArray
    z: FloatArray


def phase_profile(ratio: FloatArray, period: int, *, alpha: float, clip: float) -> FloatArray:
    """Each season phase's running spread of ``ratio`` (residual / overall scale), causal.

    Rows of one phase (every ``period``-th row) form their own series; each gets a clipped
    running mean of ``|ratio|`` over its own past cycles, about 1 when the phase is as
    noisy as the rest, shrunk towards 1 while few cycles back it, and never below 1.
    Before three past cycles of a phase the profile is 1, so the cold start stays that of
    the overall scale (the UCI replay has six weeks of history in early April).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ratio = rng.normal(0, 1, (700, 1)) * np.where(np.arange(700) % 7 == 5, 3.0, 1.0)[:, None]
    >>> p = phase_profile(ratio, 7, alpha=0.05, clip=3.0)
    >>> [round(float(v)) for v in p[-7:, 0]]
    [1, 1, 1, 1, 1, 3, 1]
    """
    t_len, s_len = ratio.shape
    pad = (-t_len) % period
    cycles = np.vstack([ratio, np.full((pad, s_len), np.nan)]).reshape(-1, period * s_len)
    spread = ewm_abs_scale(cycles, alpha=alpha, clip=clip, min_periods=3)
    # Shrunk towards 1 by its number of past cycles: a profile from a few weeks is noisy,
    # and a low one would inflate every z of its phase.
    seen = running_sum(~np.isnan(cycles), np.intp) - ~np.isnan(cycles)
    weight = seen / (seen + _PRIOR_CYCLES)
    # Never below 1: a phase's band may widen (noisy Saturdays), but a profile that reads
    # low by chance must not narrow it, or every phase fires more often than its p says.
    shrunk = np.fmax(1.0 + weight * (spread - 1.0), 1.0)
    out: FloatArray = shrunk.reshape(-1, s_len)[:t_len]
    return out


def robust_baseline(
    x: FloatArray,
    *,
    period: int,
    n_seasons: int,
    window: int,
    min_periods: int,
    alpha: float,
    clip: float,
    rel_floor: float,
    abs_floor: float = 1e-9,
) -> Baseline:
    """Compute the causal robust baseline of every column of ``x``.

    The defaults live in :class:`~detectors.config.DetectorConfig` (``seasonal__*``).

    Parameters
    ----------
    x : ndarray of shape (T, S)
        Time runs down the rows; NaN marks a missing value.
    period : int
        Season length in rows (7 = weekday of daily data, 24 = hour of hourly data,
        1 = no seasonality).
    n_seasons : int
        How many past cycles the seasonal median uses.
    window : int
        Rows in the non-seasonal median used while fewer than 3 cycles are available.
    min_periods : int
        Rows of history needed before any z-score is produced (cold start).
    alpha, clip : float
        Smoothing weight and outlier clip of the residual scale.
    rel_floor, abs_floor : float
        The scale never drops below ``max(abs_floor, rel_floor * |expected|)``.

    Returns
    -------
    Baseline
        NaN wherever history is too short or the value is missing.
    """
    if period > 1:
        # Seasonal series wait for three cycles: a plain median before that would flag
        # every weekend as a dip.
        expected, n_ref = lagged_median(x, [period * k for k in range(1, n_seasons + 1)])
        enough = n_ref >= min(3, n_seasons)
    else:
        expected, n_ref = lagged_median(x, range(1, window + 1))
        enough = n_ref > 0
    history = running_sum(~np.isnan(x), np.intp) - ~np.isnan(x)
    expected = np.where((history >= min_periods) & enough, expected, np.nan)
    resid = x - expected
    # Three residuals before the first z: one residual alone says nothing about spread.
    raw = ewm_abs_scale(resid, alpha=alpha, clip=clip, min_periods=3)
    if period > 1:
        # A zero scale (a flat stretch) says nothing about a phase's relative spread.
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(raw > 0, resid / raw, np.nan)
        raw = raw * phase_profile(ratio, period, alpha=alpha, clip=clip)
    floor = np.maximum(abs_floor, rel_floor * np.abs(expected))
    scale = np.where(np.isnan(raw), np.nan, np.fmax(raw, floor))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = resid / scale
    return Baseline(expected=expected, scale=scale, z=z)

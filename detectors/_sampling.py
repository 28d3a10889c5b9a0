"""Sampling noise of KPI values: a variance-stabilising scale per statistic, and its floor.

A KPI value summarises ``n`` records; the fewer the records, the noisier the value. How
noisy depends on the statistic, which the KPI frame does not name, so it is read off each
series (:func:`series_kind`):

- a **count** (every value equals its ``n``: tickets opened, backlog) is scored as is,
  with Poisson noise ``sqrt(expected)`` as the floor; overdispersion shows up as a larger
  residual scale, and the point test caps its z by a negative binomial tail
  (:mod:`detectors._counts`). (Anscombe's square root would make the noise 1 everywhere, but it also
  shrinks every upward move: on the UCI log it hid two real volume bursts);
- a **rate** (every value in [0, 1]) is binomial: on the arcsine scale ``2 asin(sqrt(x))``
  its sampling noise is ``1 / sqrt(n)``;
- a **positive value** (a median, mean or p90 of ``n`` durations) is scored on the log
  scale, where a multiplicative move is symmetric. Its sampling variance is proportional
  to ``1 / n`` (for a median, ``pi/2 * sigma**2 / n``); the per-record spread is not known,
  so it is estimated causally as a clipped running mean of ``|residual| * sqrt(n)``,
  the spread the residuals would have at ``n = 1`` if all their variance were sampling
  noise. Divided by ``sqrt(n)`` it is the noise of a value of ``n`` records: as a floor
  under the residual scale it widens the band of a Saturday median of 8 records and
  leaves busy days to the residual scale;
- anything else (values of both signs) is scored as is, with the same estimated floor.

Medians commute with these monotone maps, so an expected value mapped back is the median
of the original values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from detectors._rolling import FloatArray, ewm_abs_scale

__all__ = [
    "COUNT",
    "LEVEL",
    "PLAIN",
    "RATE",
    "relative_floor",
    "restore",
    "sampling_scale",
    "series_kind",
    "stabilise",
]

COUNT, RATE, LEVEL, PLAIN = 0, 1, 2, 3

Columns = slice | NDArray[np.intp]


def _by_kind(
    kind: NDArray[np.int_],
    default: FloatArray,
    branches: dict[int, Callable[[Columns], FloatArray]],
) -> FloatArray:
    """``np.select`` on each column's kind, each branch computed on its own columns only.

    A scan is mostly counts: their branch is often the default, and then costs a copy.
    """
    out = np.array(default, dtype=np.float64)
    for k, branch in branches.items():
        is_k = kind == k
        if is_k.all():
            out[...] = branch(slice(None))
        elif is_k.any():
            cols = np.flatnonzero(is_k)
            out[..., cols] = branch(cols)
    return out


def series_kind(values: FloatArray, counts: FloatArray) -> NDArray[np.int_]:
    """Per column: COUNT, RATE, LEVEL (positive values) or PLAIN.

    Examples
    --------
    >>> v = np.array([[3.0, 0.2, 5.1, -1.0], [4.0, 0.0, np.nan, 2.0]])
    >>> series_kind(v, np.array([[3.0, 5, 9, 9], [4, 4, 0, 9]])).tolist()
    [0, 1, 2, 3]
    """
    known = ~np.isnan(values)
    count = np.all(~known | (values == counts), axis=0)
    rate = np.all(~known | ((values >= 0) & (values <= 1)), axis=0)
    level = np.all(~known | (values > 0), axis=0)
    out: NDArray[np.int_] = np.select([count, rate, level], [COUNT, RATE, LEVEL], PLAIN)
    return out


def stabilise(values: FloatArray, kind: NDArray[np.int_]) -> FloatArray:
    """Map each column to its variance-stabilising scale (see module docstring)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _by_kind(
            kind,
            values,
            {
                RATE: lambda c: 2.0 * np.arcsin(np.sqrt(np.clip(values[..., c], 0.0, 1.0))),
                LEVEL: lambda c: np.log(values[..., c]),
            },
        )
    return np.where(np.isnan(values), np.nan, out)


def restore(y: FloatArray, kind: NDArray[np.int_]) -> FloatArray:
    """Inverse of :func:`stabilise` (for expected values and band edges).

    Examples
    --------
    >>> kind = np.array([0, 1, 2, 3])
    >>> x = np.array([[7.0, 0.25, 3.5, -2.0]])
    >>> np.allclose(restore(stabilise(x, kind), kind), x)
    True
    """
    return _by_kind(
        kind,
        y,
        {
            RATE: lambda c: np.sin(np.clip(y[..., c], 0.0, np.pi) / 2.0) ** 2,
            LEVEL: lambda c: np.exp(np.minimum(y[..., c], 700.0)),
        },
    )


def sampling_scale(
    counts: FloatArray,
    kind: NDArray[np.int_],
    expected: FloatArray,
    resid: FloatArray,
    *,
    alpha: float,
    clip: float,
) -> FloatArray:
    """Return the standard deviation of each value's sampling noise, stabilised scale.

    Parameters
    ----------
    counts : ndarray of shape (T, S)
        The records behind each value.
    kind : ndarray of shape (S,)
        :func:`series_kind` of each column.
    expected : ndarray of shape (T, S)
        The causal expectation in the KPI's units (a count's Poisson mean).
    resid : ndarray of shape (T, S)
        Stabilised value minus its causal expectation.
    alpha, clip : float
        Smoothing weight and outlier clip of the running per-record spread.

    Returns
    -------
    ndarray of shape (T, S)
        NaN where no floor is known yet (cold start) or ``n = 0``.

    Examples
    --------
    >>> n = np.array([[100.0], [4.0]])
    >>> zeros = np.zeros((2, 1))
    >>> sampling_scale(n, np.array([RATE]), zeros, zeros, alpha=0.05, clip=3.0)[:, 0].tolist()
    [0.1, 0.5]
    """
    n = np.where(counts > 0, counts, np.nan)

    def estimated(c: Columns) -> FloatArray:
        # Column by column, so only the columns that need it pay for the running spread.
        per_record = ewm_abs_scale(
            resid[:, c] * np.sqrt(n[:, c]), alpha=alpha, clip=clip, min_periods=3
        )
        out: FloatArray = per_record / np.sqrt(n[:, c])
        return out

    with np.errstate(invalid="ignore", divide="ignore"):
        out = _by_kind(
            kind,
            np.full_like(n, np.nan),
            {
                COUNT: lambda c: np.sqrt(np.maximum(expected[:, c], 1.0)),
                RATE: lambda c: 1.0 / np.sqrt(n[:, c]),
                LEVEL: estimated,
                PLAIN: estimated,
            },
        )
    return np.where(np.isnan(n) & (kind != COUNT), np.nan, out)


def relative_floor(expected: FloatArray, kind: NDArray[np.int_], rel_floor: float) -> FloatArray:
    """``rel_floor * |expected|`` (KPI units) carried to the stabilised scale by its slope.

    Examples
    --------
    >>> kind = np.array([COUNT, RATE, LEVEL, PLAIN])
    >>> relative_floor(np.array([[100.0, 0.5, 20.0, -4.0]]), kind, 0.02).round(3).tolist()
    [[2.0, 0.02, 0.02, 0.08]]
    """
    x = np.abs(expected)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = rel_floor * _by_kind(
            kind,
            x,
            {
                RATE: lambda c: np.sqrt(x[..., c] / np.maximum(1.0 - x[..., c], 1e-9)),
                LEVEL: lambda c: np.ones_like(x[..., c]),
            },
        )
    return out

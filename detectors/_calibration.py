"""Map standardised deviations to calibrated anomaly scores in [0, 1].

A score is a monotone function of the two-sided Gaussian tail probability ``p`` of a
z-score: ``score = min(1, -log10(p) / 10)``. So ``0.5`` means ``p = 1e-5`` on every series,
which is what lets one threshold serve a whole corpus. The log scale keeps scores readable
where a raw ``1 - p`` would crowd against 1.

Raw deviations are rarely Gaussian; :class:`~detectors.calibrator.ScoreCalibrator` first
maps them to ``|N(0, 1)|`` quantiles (Merlion's approach) when that matters.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_ndtr, ndtri

__all__ = ["reaches", "score_to_z", "z_to_score"]

#: Score 1 is reached at ``p = 10 ** -LOG10_P_AT_ONE`` (|z| ~ 6.7).
LOG10_P_AT_ONE = 10.0


def z_to_score(z: ArrayLike) -> NDArray[np.float64]:
    """Calibrated score in [0, 1] of a z-score; NaN stays NaN.

    Examples
    --------
    >>> z_to_score([0.0, 3.0, -3.0, 10.0]).round(3).tolist()
    [0.0, 0.257, 0.257, 1.0]
    """
    # min(1, -log10(2 * Phi(-|z|)) / LOG10_P_AT_ONE), each step in place: on a year of
    # thousands of series every temporary costs as much in fresh pages as its arithmetic.
    a = np.asarray(z, dtype=np.float64)
    out = np.abs(a, out=np.empty(a.shape))
    np.negative(out, out=out)
    log_ndtr(out, out=out)
    np.add(np.log(2.0), out, out=out)
    np.divide(out, np.log(10.0), out=out)
    np.negative(out, out=out)
    np.divide(out, LOG10_P_AT_ONE, out=out)
    np.clip(out, 0.0, 1.0, out=out)
    out += 0.0  # turns the -0.0 of a zero deviation into 0.0
    score: NDArray[np.float64] = out[()]  # a 0-d input gives a scalar, as numpy would
    return score


def score_to_z(score: ArrayLike) -> NDArray[np.float64]:
    """Inverse of :func:`z_to_score` on (0, 1): the |z| a score threshold stands for.

    Examples
    --------
    >>> float(score_to_z(0.5).round(2))
    4.42
    """
    s = np.clip(np.asarray(score, dtype=np.float64), 0.0, 1.0)
    p = 10.0 ** (-s * LOG10_P_AT_ONE)
    out: NDArray[np.float64] = -ndtri(p / 2.0)
    return out


def reaches(z: ArrayLike, threshold: float) -> NDArray[np.bool_]:
    """``z_to_score(z) >= threshold``, with the tail computed only where ``|z|`` comes near.

    Most cells of a scan sit far below any threshold, and the Gaussian tail is the costly
    part of a score. The margin below the threshold's ``|z|`` (a billionth of it, and 1e-6
    for thresholds so small that scores near 0 lose their digits) is far wider than either
    function's rounding, so the flags are exactly those of the scores. NaN, which has no
    score, never reaches.

    Examples
    --------
    >>> reaches([0.0, 4.0, -4.5, np.nan], 0.5).tolist()
    [False, False, True, False]
    """
    a = np.asarray(z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        near = np.abs(a) >= score_to_z(threshold) * (1.0 - 1e-9) - 1e-6
    out = np.zeros(a.shape, dtype=bool)
    out[near] = z_to_score(a[near]) >= threshold
    return out

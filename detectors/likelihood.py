"""Anomaly likelihood: how surprising a recent run of prediction errors is, in digits.

The idea is HTM's (Ahmad, Lavin, Purdy, Agha, *Unsupervised real-time anomaly detection
for streaming data*, Neurocomputing 2017, section 3.3): the raw anomaly score of one row
is noisy, so judge a short moving average of it against the distribution of that average
over a long history, modelled as a Gaussian. A run of errors that is unusual *for this
series* is news, whatever the series' own noise level; one spike in a noisy series is not.
Written anew here, causal and vectorised over columns:

1. ``m_t``: mean of the raw score over the last ``short`` rows (``t`` included);
2. ``mu_t``, ``sigma_t``: mean and standard deviation of ``m`` over the ``long`` rows before
   ``t`` (fewer at the start), the variance floored so a flat history is not infinitely sure;
3. the surprise is ``-log10`` of the upper Gaussian tail of ``(m_t - mu_t) / sigma_t``: 5
   means a one-in-100,000 run. HTM reports ``log(1 - L) / log(1e-10)``, the same number / 10.

:func:`as_z` turns a surprise back into the Gaussian z-score with that upper tail, so it
can be weighed against a point deviation in the same units.

Rows with fewer than ``min_periods`` earlier averages, and NaN rows, score 0. The defaults
of ``short``, ``long`` and ``min_periods`` are HTM's published ones (averaging window 10,
historic window 8640, learning period 288 plus 100 estimation samples), not tuned here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import log_ndtr, ndtri

from detectors._rolling import FloatArray

__all__ = ["LikelihoodParams", "as_z", "surprise"]


@dataclass(frozen=True)
class LikelihoodParams:
    """Global hyperparameters of :func:`surprise` and of its use as an alarm.

    Parameters
    ----------
    short : int
        Rows in the moving average of the raw score.
    long : int
        Rows of history the Gaussian is fitted on.
    min_periods : int
        Earlier averages needed before a row is scored.
    level : float
        Surprise (``-log10`` tail probability) that raises an alarm
        (:func:`detectors.stream.nab_scores`); the one knob cross-validated on NAB.

    Examples
    --------
    >>> LikelihoodParams().as_dict()["long"]
    8640
    """

    short: int = 10
    long: int = 8640
    min_periods: int = 388
    level: float = 6.0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for provenance."""
        return asdict(self)


def _trailing_mean(x: FloatArray, window: int, lag: int) -> tuple[FloatArray, FloatArray]:
    """NaN-aware mean of rows ``t - lag - window + 1 .. t - lag`` and its count, per row."""
    zero = np.zeros((1, x.shape[1]))
    total = np.vstack([zero, np.cumsum(np.nan_to_num(x), axis=0)])
    count = np.vstack([zero, np.cumsum(~np.isnan(x), axis=0)])
    hi = np.maximum(np.arange(len(x)) + 1 - lag, 0)
    lo = np.maximum(hi - window, 0)
    n = count[hi] - count[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = (total[hi] - total[lo]) / n
    return mean, n


def surprise(
    raw: ArrayLike, params: LikelihoodParams | None = None, var_floor: float = 1e-4
) -> FloatArray:
    """``-log10`` of the tail probability of each row's short-run mean raw score.

    Parameters
    ----------
    raw : array-like of shape (T,) or (T, S)
        A raw anomaly score per row (a prediction error); NaN pads shorter columns.
    params : LikelihoodParams, optional
        Global hyperparameters.
    var_floor : float
        Smallest variance of the short-run means (in squared raw-score units).

    Returns
    -------
    ndarray of shape (T, S)
        0 while cold and on NaN rows, otherwise >= 0 (large = surprising).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> err = np.abs(rng.normal(0, 1, 3000))
    >>> err[2500:2520] += 4.0  # a run of large errors
    >>> s = surprise(err)[:, 0]
    >>> bool(s[:2500].max() < 4), bool(s[2500:2520].max() > 10)
    (True, True)
    """
    p = params or LikelihoodParams()
    x = np.asarray(raw, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    m, _ = _trailing_mean(x, p.short, lag=0)
    m = np.where(np.isnan(x), np.nan, m)
    mu, n = _trailing_mean(m, p.long, lag=1)
    mu2, _ = _trailing_mean(m * m, p.long, lag=1)
    sigma = np.sqrt(np.maximum(mu2 - mu * mu, var_floor))
    with np.errstate(invalid="ignore"):
        out: FloatArray = -log_ndtr((mu - m) / sigma) / np.log(10.0)
    return np.where((n >= p.min_periods) & ~np.isnan(m), out, 0.0)


def as_z(surprise_digits: ArrayLike) -> FloatArray:
    """Return the z-score whose upper Gaussian tail is ``10 ** -surprise`` (0 if none).

    Surprises above 300 digits (beyond float range) read as 300, i.e. z of about 37.

    Examples
    --------
    >>> np.round(as_z([0.0, 1.3, 6.0]), 2).tolist()
    [0.0, 1.64, 4.75]
    """
    s = np.clip(np.asarray(surprise_digits, dtype=np.float64), 0.0, 300.0)
    out: FloatArray = np.maximum(-ndtri(10.0**-s), 0.0)
    return out

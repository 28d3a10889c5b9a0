"""The high-frequency alarm scorer behind ``radar nab run``: :func:`alarm_scores`.

NAB-style data (one metric every few minutes, weeks long) needs more than the daily KPI
baseline: a daily cycle of hundreds of rows, flat stretches, and a price on every false
alarm. The scorer, causal throughout:

1. ``local``: robust z of each value against the median of the last ``window`` rows;
2. ``seasonal``: robust z against the same time of day over the last ``n_seasons`` days;
3. each scale is a clipped running mean absolute residual, floored at ``range_floor``
   times the range seen so far, so flat stretches do not make tiny wiggles infinite;
4. the surprise is ``-log10`` of the two-sided Gaussian tail probability of the larger z;
5. an alarm fires when the surprise reaches ``min_surprise``, then stays silent for
   ``refractory`` rows (fire once; re-arm for a later event);
6. alarm rows carry ``surprise / (surprise + 20)`` in (0, 1), every other row 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_ndtr

from detectors._rolling import FloatArray, ewm_abs_scale, lagged, nanmedian_last
from detectors.events import refractory

__all__ = ["AlarmParams", "alarm_scores", "surprise"]


@dataclass(frozen=True)
class AlarmParams:
    """Global hyperparameters of :func:`alarm_scores` (one set for a whole corpus)."""

    window: int = 120
    season: int = 288
    n_seasons: int = 3
    alpha: float = 0.003
    clip: float = 3.0
    range_floor: float = 0.02
    min_surprise: float = 20.0
    refractory: int = 300

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for provenance."""
        return asdict(self)


def _robust_z(x: FloatArray, lags: range | list[int], p: AlarmParams) -> FloatArray:
    ref, _ = nanmedian_last(lagged(x, lags))
    resid = x - ref
    scale = ewm_abs_scale(resid, alpha=p.alpha, clip=p.clip, min_periods=p.window)
    seen = np.where(np.isnan(x), np.nan, x)
    span = np.fmax.accumulate(seen, axis=0) - np.fmin.accumulate(seen, axis=0)
    floor = np.maximum(p.range_floor * lagged(span, [1])[..., 0], 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        # NaN scale = cold start: no score rather than a floor-sized one.
        z: FloatArray = resid / np.where(np.isnan(scale), np.nan, np.fmax(scale, floor))
    return np.nan_to_num(z, nan=0.0)


def surprise(values: ArrayLike, params: AlarmParams | None = None) -> FloatArray:
    """Per-row surprise ``-log10(p)`` of shape (T, S) for ``values`` of shape (T,) or (T, S)."""
    p = params or AlarmParams()
    x = np.asarray(values, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    z = np.abs(_robust_z(x, range(1, p.window + 1), p))
    if p.season > 1 and p.n_seasons > 0:
        seasonal = _robust_z(x, [p.season * k for k in range(1, p.n_seasons + 1)], p)
        z = np.maximum(z, np.abs(seasonal))
    out: FloatArray = -(np.log(2.0) + log_ndtr(-z)) / np.log(10.0)
    return out


def alarm_scores(values: ArrayLike, params: AlarmParams | None = None) -> NDArray[np.float64]:
    """Anomaly score in [0, 1) per row: non-zero only where an alarm fires.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = 10 + rng.normal(0, 1, 2000)
    >>> x[1500] = 30.0
    >>> np.flatnonzero(alarm_scores(x)).tolist()
    [1500]
    """
    p = params or AlarmParams()
    s = surprise(values, p)
    fired = refractory(s >= p.min_surprise, p.refractory)
    out = np.where(fired, s / (s + 20.0), 0.0)
    return out[:, 0] if np.asarray(values).ndim == 1 else out

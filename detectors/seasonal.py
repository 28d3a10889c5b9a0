"""Point anomalies with weekday or hour-of-day seasonality: :class:`SeasonalZScoreDetector`."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors._base import CausalDetectorMixin, check_int, max_abs_z
from detectors._baseline import robust_baseline
from detectors.config import check_estimator_params

__all__ = ["SeasonalZScoreDetector"]


class SeasonalZScoreDetector(CausalDetectorMixin):
    """Causal robust z-score against the same season phase in past cycles.

    Each value is compared with the median of the same phase (same weekday with
    ``period=7`` on daily data, same hour with ``period=24`` on hourly data) over the last
    ``n_seasons`` cycles, and scaled by a clipped, exponentially weighted mean absolute
    residual. A row's deviation is the largest ``|z|`` over its columns.

    Parameters
    ----------
    period : int, default=7
        Rows per season; 1 means no seasonality (then ``window`` rows are the reference).
    n_seasons : int, default=6
        Past cycles in the seasonal median.
    window : int, default=14
        Reference rows when ``period=1``.
    min_periods : int, default=14
        Rows of history before the first score (cold start: deviation 0).
    alpha : float, default=0.05
        Smoothing weight of the residual scale.
    clip : float, default=3.0
        Residuals enter the scale clipped at ``clip`` times the scale so far.
    rel_floor : float, default=0.02
        The scale never drops below ``rel_floor * |expected|``: a constant series is not
        infinitely surprised by a tiny wiggle.
    threshold : float, default=0.5
        Calibrated score that "auto" contamination puts ``offset_`` at (0.5: |z| ~ 4.42).
    contamination : "auto" or float, default="auto"
        Sets ``offset_``: at ``threshold``, or at this share of the training rows.

    Attributes
    ----------
    offset_ : float
        Decision threshold on ``score_samples``.
    n_features_in_ : int
        Columns seen in ``fit``.

    See Also
    --------
    LevelShiftDetector : persistent changes of level.
    TrendDetector : direction-aware degrading trends.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> days = np.arange(140)
    >>> X = (np.where(days % 7 >= 5, 20.0, 100.0) + rng.normal(0, 2, 140))[:, None]
    >>> X[120] = 60.0  # a weekday that looks like a weekend
    >>> det = SeasonalZScoreDetector(period=7).fit(X[:100])
    >>> np.flatnonzero(det.predict(X) == -1).tolist()
    [120]
    """

    def __init__(
        self,
        period: int = 7,
        n_seasons: int = 6,
        window: int = 14,
        min_periods: int = 14,
        alpha: float = 0.05,
        clip: float = 3.0,
        rel_floor: float = 0.02,
        threshold: float = 0.5,
        contamination: str | float = "auto",
    ) -> None:
        self.period = period
        self.n_seasons = n_seasons
        self.window = window
        self.min_periods = min_periods
        self.alpha = alpha
        self.clip = clip
        self.rel_floor = rel_floor
        self.threshold = threshold
        self.contamination = contamination

    def _validate_params(self) -> None:
        check_int("period", self.period, 1)
        check_estimator_params("seasonal", self.get_params(deep=False))

    def _deviation(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        base = robust_baseline(
            X,
            period=self.period,
            n_seasons=self.n_seasons,
            window=self.window,
            min_periods=self.min_periods,
            alpha=self.alpha,
            clip=self.clip,
            rel_floor=self.rel_floor,
        )
        return max_abs_z(base.z)

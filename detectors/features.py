"""Causal per-column features for pipelines: :class:`RollingFeatures`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from detectors._base import AllowNaNMixin, check_int
from detectors._baseline import robust_baseline
from detectors.config import DetectorConfig

__all__ = ["RollingFeatures"]

#: The seasonal detector's defaults for what these features do not expose.
_DEFAULT = DetectorConfig()


class RollingFeatures(AllowNaNMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Causal robust z-score of every column against its own recent past.

    Each call to ``transform`` reads ``X`` as one stretch of time (rows in order). A
    value is compared with the median of the ``window`` rows above it (or of the same phase
    in past cycles when ``period > 1``) and scaled by a clipped running mean absolute
    residual. Cold-start rows and missing values become 0, so a downstream estimator sees
    "nothing unusual" there. Putting KPIs on one z scale is what lets one
    IsolationForest look across KPIs with different units.

    Parameters
    ----------
    window : int, default=14
        Reference rows for the median (``period=1``).
    period : int, default=1
        Rows per season; 7 gives weekday seasonality on daily data.
    min_periods : int, default=7
        Rows of history before the first non-zero feature.

    Attributes
    ----------
    n_features_in_ : int
        Columns seen in ``fit``.

    See Also
    --------
    IsolationForestDetector : multivariate detector built on these features.

    Examples
    --------
    >>> X = np.column_stack([np.tile([10.0, 11.0], 20), np.tile([1e3, 1.1e3], 20)])
    >>> X[30] = [30.0, 1.05e3]
    >>> Z = RollingFeatures(window=10).fit_transform(X)
    >>> Z.shape, bool(abs(Z[30, 0]) > 10), bool(abs(Z[30, 1]) < 1)
    ((40, 2), True, True)
    """

    def __init__(self, window: int = 14, period: int = 1, min_periods: int = 7) -> None:
        self.window = window
        self.period = period
        self.min_periods = min_periods

    def fit(self, X: ArrayLike, y: Any = None) -> RollingFeatures:
        """Check the parameters and record the number of columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows in time order.
        y : ignored
            Present for API consistency.

        Returns
        -------
        self
        """
        check_int("window", self.window, 1)
        check_int("period", self.period, 1)
        check_int("min_periods", self.min_periods, 1)
        self._check_X(X, reset=True)
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Causal robust z-scores, shape (n_samples, n_features)."""
        check_is_fitted(self)
        Xv = self._check_X(X, reset=False)
        # No relative floor: z must not depend on how far a KPI's unit sits from zero.
        base = robust_baseline(
            Xv,
            period=self.period,
            n_seasons=_DEFAULT.seasonal__n_seasons,
            window=self.window,
            min_periods=self.min_periods,
            alpha=_DEFAULT.seasonal__alpha,
            clip=_DEFAULT.seasonal__clip,
            rel_floor=0.0,
        )
        out: NDArray[np.float64] = np.clip(
            np.nan_to_num(base.z, posinf=1e6, neginf=-1e6), -1e6, 1e6
        )
        return out

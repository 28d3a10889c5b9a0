"""Multivariate anomalies across the KPIs of one entity: :class:`IsolationForestDetector`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.ensemble import IsolationForest
from sklearn.utils.validation import check_is_fitted

from detectors._base import CausalDetectorMixin
from detectors.config import check_estimator_params
from detectors.features import RollingFeatures

__all__ = ["IsolationForestDetector"]


class IsolationForestDetector(CausalDetectorMixin):
    """IsolationForest over causal robust z-scores of every KPI of an entity.

    Columns are the KPIs of one entity (a team, a service) over the same periods.
    :class:`RollingFeatures` first puts each KPI on its own z scale against its own past,
    so the forest sees "how unusual is this combination of moves", not raw units. That
    catches a day where several KPIs each move a little, which no single-series test sees.

    Parameters
    ----------
    window : int, default=14
        Reference rows of the per-KPI features.
    n_estimators : int, default=100
        Trees in the forest.
    contamination : "auto" or float, default="auto"
        As in :class:`sklearn.ensemble.IsolationForest`.
    random_state : int, RandomState instance or None, default=None
        Seeds the forest.

    Attributes
    ----------
    forest_ : sklearn.ensemble.IsolationForest
        The fitted forest.
    offset_ : float
        Decision threshold on ``score_samples`` (the forest's own).
    n_features_in_ : int
        KPIs seen in ``fit``.

    See Also
    --------
    sklearn.ensemble.IsolationForest : the underlying estimator.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(0, 1, (200, 3)) + [50.0, 5.0, 500.0]
    >>> X[150] += [3.0, 3.0, 3.0]  # every KPI a bit off at once
    >>> det = IsolationForestDetector(random_state=0).fit(X[:140])
    >>> int(np.argmin(det.score_samples(X)))
    150
    """

    def __init__(
        self,
        window: int = 14,
        n_estimators: int = 100,
        contamination: str | float = "auto",
        random_state: Any = None,
    ) -> None:
        self.window = window
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.random_state = random_state

    def fit(self, X: ArrayLike, y: Any = None) -> IsolationForestDetector:
        """Fit the forest on the causal features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_kpis)
            Rows in time order.
        y : ignored
            Present for API consistency.

        Returns
        -------
        self
        """
        check_estimator_params("forest", self.get_params(deep=False))
        Xv = self._check_X(X, reset=True)
        feats = self._features(Xv)
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators,
            contamination=self.contamination,
            random_state=self.random_state,
        ).fit(feats)
        self.offset_ = float(self.forest_.offset_)
        return self

    def _features(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        out: NDArray[np.float64] = RollingFeatures(window=self.window).fit_transform(X)
        return out

    def score_samples(self, X: ArrayLike) -> NDArray[np.float64]:
        """Score each row's features with the forest: higher means more normal."""
        check_is_fitted(self)
        Xv = self._check_X(X, reset=False)
        out: NDArray[np.float64] = self.forest_.score_samples(self._features(Xv))
        return out

"""Merlion-style score calibration: :class:`ScoreCalibrator`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from detectors._base import AllowNaNMixin, check_int

__all__ = ["ScoreCalibrator"]


class ScoreCalibrator(AllowNaNMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Map raw anomaly scores to ``|N(0, 1)|`` quantiles, column by column.

    Like Merlion's ``AnomScoreCalibrator``: fitting records ``n_anchors`` quantiles of the
    training scores and pairs them with the same quantiles of the half-normal
    distribution; transforming interpolates between the anchors, is 0 below the lowest and
    extrapolates linearly above the highest. After calibration a value of 4.42 is as rare
    on every detector (and every series) as ``|z| = 4.42`` is for Gaussian noise, which is
    what lets scores of different detectors be combined and thresholded once.

    Parameters
    ----------
    n_anchors : int, default=100
        Quantiles kept from the training scores.

    Attributes
    ----------
    anchors_ : list of (ndarray, ndarray)
        Per column, raw-score anchors and their half-normal quantiles.
    n_features_in_ : int
        Columns seen in ``fit``.

    See Also
    --------
    EnsembleDetector : combines calibrated detector scores.

    Examples
    --------
    >>> raw = np.random.default_rng(0).exponential(3.0, size=(5000, 1))  # heavy-ish tail
    >>> cal = ScoreCalibrator().fit(raw)
    >>> float(np.round(cal.transform([[np.median(raw)]])[0, 0], 2))  # median -> 0.67
    0.67
    """

    def __init__(self, n_anchors: int = 100) -> None:
        self.n_anchors = n_anchors

    def fit(self, X: ArrayLike, y: Any = None) -> ScoreCalibrator:
        """Record the anchors of every column of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Raw anomaly scores (higher = more anomalous); NaN is ignored.
        y : ignored
            Present for API consistency.

        Returns
        -------
        self
        """
        check_int("n_anchors", self.n_anchors, 3)
        Xv = self._check_X(X, reset=True)
        probs = np.linspace(0.0, 1.0, self.n_anchors + 1)[:-1]
        target = -ndtri((1.0 - probs) / 2.0)  # half-normal quantiles
        self.anchors_ = []
        for col in Xv.T:
            col = col[~np.isnan(col)]
            raw = np.quantile(col, probs) if len(col) else np.zeros_like(probs)
            keep = np.r_[True, np.diff(raw) > 0]  # tied anchors carry no information
            self.anchors_.append((raw[keep], target[keep]))
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Calibrated scores, shape (n_samples, n_features); NaN stays NaN."""
        check_is_fitted(self)
        Xv = self._check_X(X, reset=False)
        out: NDArray[np.float64] = np.empty_like(Xv)
        for j, (raw, target) in enumerate(self.anchors_):
            if len(raw) < 2:  # a constant training score: identity is the honest answer
                out[:, j] = Xv[:, j]
                continue
            slope = (target[-1] - target[-2]) / (raw[-1] - raw[-2])
            z = np.interp(Xv[:, j], raw, target, left=0.0)
            above = Xv[:, j] > raw[-1]
            z[above] = target[-1] + slope * (Xv[above, j] - raw[-1])
            out[:, j] = np.where(np.isnan(Xv[:, j]), np.nan, z)
        return out

"""Shared scikit-learn plumbing for the causal outlier detectors.

Every detector here reads ``X`` of shape (n_samples, n_features) as one contiguous stretch
of time: rows are periods in order, columns are series (or KPIs of one entity). A row's
score depends only on that row and the rows above it. Each call to ``score_samples``
treats its ``X`` as a stretch of its own, so its first rows are a cold start.

Subclasses implement ``_deviation(X)``: a non-negative, z-like deviation per row (0 where
history is too short). The mixin turns it into the scikit-learn outlier API:

- ``score_samples = -deviation`` (higher means more normal);
- ``decision_function = score_samples - offset_``; ``predict`` gives -1 / +1;
- ``contamination="auto"`` puts ``offset_`` at the deviation whose calibrated score is the
  estimator's ``threshold`` (default 0.5: two-sided p = 1e-5, |z| ~ 4.42); a float puts it
  at that quantile of the training scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from detectors._calibration import score_to_z

__all__ = [
    "AllowNaNMixin",
    "CausalDetectorMixin",
    "check_contamination",
    "check_int",
    "max_abs_z",
]


def check_int(name: str, value: Any, low: int) -> int:
    """Validate an integer hyperparameter, naming it, its range and the value received."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def check_contamination(value: Any) -> str | float:
    """``"auto"`` or a float in (0, 0.5]."""
    if value == "auto":
        return "auto"
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 0.5:
        raise ValueError(f"contamination must be 'auto' or a float in (0, 0.5], got {value!r}")
    return float(value)


def max_abs_z(z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return each row's deviation: its largest ``|z|``, NaN (cold start) as 0.

    Examples
    --------
    >>> max_abs_z(np.array([[1.0, -3.0], [np.nan, np.inf]])).tolist()
    [3.0, 1000000000000.0]
    """
    # Capping inf keeps scores finite, so percentiles (a float contamination) stay defined.
    out: NDArray[np.float64] = np.nan_to_num(np.abs(z), posinf=1e12).max(axis=1)
    return out


class AllowNaNMixin:
    """Input checks for estimators that read rows of floats, NaN marking a missing value.

    Put it left of scikit-learn's mixins and ``BaseEstimator``, as their own mixins go.
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]  # found on the estimator's MRO
        tags.input_tags.allow_nan = True
        return tags

    def _check_X(self, X: ArrayLike, *, reset: bool) -> NDArray[np.float64]:
        """Validate ``X`` as float64 rows (recording ``n_features_in_`` when `reset`)."""
        out: NDArray[np.float64] = validate_data(
            self, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan"
        )
        return out


class CausalDetectorMixin(AllowNaNMixin, OutlierMixin, BaseEstimator):  # type: ignore[misc]
    """Outlier API on top of a causal ``_deviation``; see the module docstring."""

    contamination: str | float
    threshold: float

    def _validate_params(self) -> None:
        """Check hyperparameters; raise ``ValueError`` naming the bad one."""

    def _fit_extra(self, X: NDArray[np.float64]) -> None:
        """Learn anything beyond ``offset_`` (subclasses override)."""

    def _deviation(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError

    def fit(self, X: ArrayLike, y: Any = None) -> CausalDetectorMixin:
        """Learn the decision offset (and any detector state) from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows in time order; NaN marks a missing value.
        y : ignored
            Present for API consistency.

        Returns
        -------
        self
        """
        self._validate_params()
        contamination = check_contamination(self.contamination)
        Xv = self._check_X(X, reset=True)
        self._fit_extra(Xv)
        if contamination == "auto":
            self.offset_ = -float(score_to_z(self.threshold))
        else:
            self.offset_ = float(np.percentile(-self._deviation(Xv), 100.0 * float(contamination)))
        return self

    def score_samples(self, X: ArrayLike) -> NDArray[np.float64]:
        """Minus the causal deviation of each row: higher means more normal."""
        check_is_fitted(self)
        out: NDArray[np.float64] = -self._deviation(self._check_X(X, reset=False))
        return out

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """``score_samples(X) - offset_``: negative for outliers."""
        out: NDArray[np.float64] = self.score_samples(X) - self.offset_
        return out

    def predict(self, X: ArrayLike) -> NDArray[np.int_]:
        """-1 for outliers, +1 for inliers."""
        out: NDArray[np.int_] = np.where(self.decision_function(X) < 0, -1, 1)
        return out

"""An ensemble of calibrated detector scores: :class:`EnsembleDetector`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, clone

from detectors._base import CausalDetectorMixin
from detectors.calibrator import ScoreCalibrator
from detectors.seasonal import SeasonalZScoreDetector
from detectors.shift import LevelShiftDetector

__all__ = ["EnsembleDetector"]


class EnsembleDetector(CausalDetectorMixin):
    """Combine detectors after calibrating each one's scores to ``|N(0, 1)|``.

    Each member is cloned and fitted on ``X``; its training deviations
    (``-score_samples``) fit a :class:`ScoreCalibrator`. At scoring time the calibrated
    deviations are combined by ``max`` (any member alarmed) or ``mean`` (members agree).
    Because every member is calibrated, a deviation of 4.42 means "p = 1e-5" for the
    ensemble whatever the mix, and ``contamination="auto"`` keeps its meaning.

    Parameters
    ----------
    estimators : list of (str, estimator) or None, default=None
        Members; None means a :class:`SeasonalZScoreDetector` and a
        :class:`LevelShiftDetector` with their defaults.
    combine : {"max", "mean"}, default="max"
        How calibrated deviations are combined.
    contamination : "auto" or float, default="auto"
        Sets ``offset_``.

    Attributes
    ----------
    estimators_ : list of (str, estimator)
        Fitted members.
    calibrators_ : list of ScoreCalibrator
        One per member.
    offset_ : float
        Decision threshold on ``score_samples``.
    n_features_in_ : int
        Columns seen in ``fit``.

    See Also
    --------
    ScoreCalibrator : the per-member calibration.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(100, 5, (300, 1))
    >>> X[250] = 160  # a spike the point detector sees
    >>> det = EnsembleDetector().fit(X[:200])
    >>> np.flatnonzero(det.predict(X) == -1).tolist()
    [250]
    """

    def __init__(
        self,
        estimators: list[tuple[str, BaseEstimator]] | None = None,
        combine: str = "max",
        contamination: str | float = "auto",
    ) -> None:
        self.estimators = estimators
        self.combine = combine
        self.contamination = contamination

    def _validate_params(self) -> None:
        if self.combine not in ("max", "mean"):
            raise ValueError(f"combine must be 'max' or 'mean', got {self.combine!r}")
        if self.estimators is not None and not self.estimators:
            raise ValueError("estimators must be None or a non-empty list of (name, estimator)")

    def _members(self) -> list[tuple[str, Any]]:
        if self.estimators is None:
            return [("seasonal", SeasonalZScoreDetector()), ("shift", LevelShiftDetector())]
        return list(self.estimators)

    def _fit_extra(self, X: NDArray[np.float64]) -> None:
        self.estimators_ = [(name, clone(est).fit(X)) for name, est in self._members()]
        self.calibrators_ = [
            ScoreCalibrator().fit(-est.score_samples(X)[:, None]) for _, est in self.estimators_
        ]

    def _deviation(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        cal = np.column_stack(
            [
                c.transform(-est.score_samples(X)[:, None])[:, 0]
                for (_, est), c in zip(self.estimators_, self.calibrators_, strict=True)
            ]
        )
        out: NDArray[np.float64] = cal.max(axis=1) if self.combine == "max" else cal.mean(axis=1)
        return out

"""An ensemble of calibrated detector scores: :class:`EnsembleDetector`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, clone
from sklearn.utils.metaestimators import _BaseComposition

from detectors._base import CausalDetectorMixin
from detectors.calibrator import ScoreCalibrator
from detectors.seasonal import SeasonalZScoreDetector
from detectors.shift import LevelShiftDetector

__all__ = ["EnsembleDetector"]


class EnsembleDetector(_BaseComposition, CausalDetectorMixin):  # type: ignore[misc]
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
    threshold : float, default=0.5
        Calibrated score that "auto" contamination puts ``offset_`` at.
    contamination : "auto" or float, default="auto"
        Sets ``offset_``: at ``threshold``, or at this share of the training rows.

    Members' parameters are reachable the scikit-learn way, ``<name>__<param>``, as in a
    pipeline: ``set_params(shift__window=14)``.

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
    >>> bool(det.predict(X)[250] == -1)
    True
    >>> members = [("seasonal", SeasonalZScoreDetector()), ("shift", LevelShiftDetector())]
    >>> EnsembleDetector(members).set_params(shift__window=14).get_params()["shift__window"]
    14
    """

    def __init__(
        self,
        estimators: list[tuple[str, BaseEstimator]] | None = None,
        combine: str = "max",
        threshold: float = 0.5,
        contamination: str | float = "auto",
    ) -> None:
        self.estimators = estimators
        self.combine = combine
        self.threshold = threshold
        self.contamination = contamination

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters, with each member's as ``<name>__<param>`` when ``deep``."""
        if self.estimators is None:
            return dict(super().get_params(deep=deep))
        return dict(self._get_params("estimators", deep=deep))

    def set_params(self, **params: Any) -> EnsembleDetector:
        """Set parameters, members' ones as ``<name>__<param>``."""
        self._set_params("estimators", **params)
        return self

    def _validate_params(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0.0, 1.0], got {self.threshold!r}")
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

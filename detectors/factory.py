"""Build the configured estimators from a :class:`~detectors.config.DetectorConfig`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from detectors._base import CausalDetectorMixin
from detectors.config import DetectorConfig, parse_config
from detectors.ensemble import EnsembleDetector
from detectors.multivariate import IsolationForestDetector
from detectors.seasonal import SeasonalZScoreDetector
from detectors.shift import LevelShiftDetector
from detectors.trend import TrendDetector

__all__ = ["ESTIMATORS", "make_detector"]

#: Config prefix -> estimator class; the prefixes are the ensemble's step names.
ESTIMATORS: dict[str, type[CausalDetectorMixin]] = {
    "seasonal": SeasonalZScoreDetector,
    "shift": LevelShiftDetector,
    "trend": TrendDetector,
    "forest": IsolationForestDetector,
}


def make_detector(
    config: DetectorConfig | Mapping[str, Any] | None = None, name: str | None = None
) -> CausalDetectorMixin:
    """Build the estimator that a config describes.

    Parameters
    ----------
    config : DetectorConfig or mapping, optional
        The detector config (a mapping is validated first); None = every default.
    name : {"seasonal", "shift", "trend", "forest"} or None, default=None
        One estimator; None = an :class:`EnsembleDetector` of the seasonal, shift and
        trend detectors, whose ``get_params()`` holds every ``seasonal__``, ``shift__`` and
        ``trend__`` key of the config with the config's value.

    Examples
    --------
    >>> make_detector({"shift__window": 14}).get_params()["shift__window"]
    14
    >>> make_detector(name="seasonal")
    SeasonalZScoreDetector()
    >>> make_detector(name="season")
    Traceback (most recent call last):
    ...
    ValueError: name must be one of ['forest', 'seasonal', 'shift', 'trend'] or None, got 'season'
    """
    cfg = parse_config(config)
    if name is None:
        members = [(n, make_detector(cfg, n)) for n in ("seasonal", "shift", "trend")]
        return EnsembleDetector(estimators=members)  # type: ignore[arg-type]
    if name not in ESTIMATORS:
        raise ValueError(f"name must be one of {sorted(ESTIMATORS)} or None, got {name!r}")
    return ESTIMATORS[name](**cfg.estimator_params(name))

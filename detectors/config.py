"""One typed detector configuration: :class:`DetectorConfig`.

The scan (:func:`~detectors.adapter.detect_findings`) and the estimators share one
vocabulary. A key is either an estimator's parameter name prefixed by the estimator's step
name, the scikit-learn way, or a setting of the findings adapter itself:

================  =========================================  ==============================
prefix            estimator                                  keys
================  =========================================  ==============================
``seasonal__``    :class:`~detectors.SeasonalZScoreDetector`  n_seasons, window, min_periods,
                                                             alpha, clip, rel_floor,
                                                             threshold
``shift__``       :class:`~detectors.LevelShiftDetector`      window, reference, alpha,
                                                             rel_floor, threshold
``trend__``       :class:`~detectors.TrendDetector`           window, threshold
``forest__``      :class:`~detectors.IsolationForestDetector` window, n_estimators
(none)            the adapter                                min_rel_change, min_abs_change,
                                                             min_count, suppress,
                                                             shift_periods, cusum_drift,
                                                             cusum_limit, multivariate,
                                                             multivariate_horizon,
                                                             multivariate_threshold, targets
================  =========================================  ==============================

Each parameter has one default, here; the estimators' signatures carry the same values (a
test keeps them equal) and validate through :func:`check_estimator_params`, so a bound
is written once. ``make_detector`` (:mod:`detectors.factory`) builds the configured
estimators.

Names used before this model (``window``, ``shift_window``, ``threshold``, ...) are
translated with a ``FutureWarning`` that names the new key (:data:`LEGACY_KEYS`); giving
an old and a new name for the same setting is an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = ["LEGACY_KEYS", "DetectorConfig", "check_estimator_params", "parse_config"]

#: Old flat names and the keys they became.
LEGACY_KEYS: dict[str, tuple[str, ...]] = {
    "detector": (),  # named the only detector there was; the classes are named now
    "threshold": ("seasonal__threshold", "shift__threshold"),
    "n_seasons": ("seasonal__n_seasons",),
    "window": ("seasonal__window",),
    "min_periods": ("seasonal__min_periods",),
    "alpha": ("seasonal__alpha", "shift__alpha"),
    "clip": ("seasonal__clip",),
    "rel_floor": ("seasonal__rel_floor", "shift__rel_floor"),
    "shift_window": ("shift__window",),
    "shift_reference": ("shift__reference",),
    "trend_window": ("trend__window",),
    "trend_threshold": ("trend__threshold",),
}


class DetectorConfig(BaseModel):
    """Every detector hyperparameter of the scan, with its bounds (see module docstring).

    Examples
    --------
    >>> DetectorConfig(shift__window=14).shift__window
    14
    >>> DetectorConfig.model_validate({"shift__windw": 14})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for DetectorConfig
    shift__windw
      Extra inputs are not permitted ...
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    seasonal__n_seasons: int = Field(6, ge=1, le=520, description="past cycles in the median")
    seasonal__window: int = Field(14, ge=2, le=10_000, description="rows when no season")
    seasonal__min_periods: int = Field(14, ge=3, le=100_000, description="cold-start rows")
    seasonal__alpha: float = Field(0.05, ge=1e-6, le=1.0, description="scale smoothing")
    seasonal__clip: float = Field(3.0, ge=1.0, le=1e6, description="outlier clip of the scale")
    seasonal__rel_floor: float = Field(0.02, ge=0.0, le=10.0, description="scale floor / level")
    seasonal__threshold: float = Field(0.5, ge=0.0, le=1.0, description="calibrated score")
    shift__window: int = Field(7, ge=1, le=10_000, description="rows of the current level")
    shift__reference: int = Field(28, ge=2, le=10_000, description="rows of the previous level")
    shift__alpha: float = Field(0.05, ge=1e-6, le=1.0, description="scale smoothing")
    shift__rel_floor: float = Field(0.02, ge=0.0, le=10.0, description="scale floor / level")
    shift__threshold: float = Field(0.5, ge=0.0, le=1.0, description="calibrated score")
    trend__window: int = Field(28, ge=4, le=100_000, description="rows in the line fit")
    trend__threshold: float = Field(0.5, ge=0.0, le=1.0, description="calibrated score")
    forest__window: int = Field(14, ge=1, le=10_000, description="rows of rolling features")
    forest__n_estimators: int = Field(100, ge=1, le=10_000, description="trees")
    min_rel_change: float = Field(0.10, ge=0.0, le=1e6, description="move / |expected|")
    min_abs_change: float = Field(0.0, ge=0.0, description="move in KPI units")
    min_count: int = Field(
        20, ge=0, le=1_000_000, description="records a period needs to fire on its own"
    )
    suppress: int = Field(7, ge=0, le=100_000, description="gap that splits two events")
    shift_periods: int = Field(3, ge=1, le=100_000, description="flagged rows of a shift")
    cusum_drift: float = Field(0.5, ge=0.0, le=10.0, description="CUSUM slack, in bands")
    cusum_limit: float = Field(
        12.0, ge=0.0, le=1_000.0, description="CUSUM alarm level, in bands (0 = off)"
    )
    multivariate: bool = Field(False, description="one forest per entity (opt-in: it loops)")
    multivariate_horizon: int = Field(28, ge=1, le=100_000, description="rows the forest scores")
    # Forest scores are bounded, so calibrated tails rarely pass p = 1e-5: 0.3 is p = 1e-3.
    multivariate_threshold: float = Field(0.3, ge=0.0, le=1.0, description="calibrated score")
    targets: dict[str, float] = Field(default_factory=dict, description="kpi -> target level")

    @model_validator(mode="before")
    @classmethod
    def _translate_legacy(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = {k: v for k, v in data.items() if k not in LEGACY_KEYS}
        for old in sorted(set(data) & set(LEGACY_KEYS)):
            new = LEGACY_KEYS[old]
            clash = sorted(set(new) & set(data))
            if clash:
                raise ValueError(f"{old!r} is the old name of {clash}; give only the new one")
            warnings.warn(
                f"detector param {old!r} is renamed {' and '.join(new) or '(dropped)'}",
                FutureWarning,
                stacklevel=2,
            )
            out.update(dict.fromkeys(new, data[old]))
        return out

    def estimator_params(self, prefix: str) -> dict[str, Any]:
        """Return the ``prefix__`` keys as one estimator's keyword arguments.

        Examples
        --------
        >>> DetectorConfig().estimator_params("trend")
        {'window': 28, 'threshold': 0.5}
        """
        head = f"{prefix}__"
        return {
            k[len(head) :]: getattr(self, k) for k in type(self).model_fields if k.startswith(head)
        }


def parse_config(params: DetectorConfig | Mapping[str, Any] | None) -> DetectorConfig:
    """Return ``params`` as a :class:`DetectorConfig` (None = every default).

    Raises
    ------
    pydantic.ValidationError
        A ``ValueError`` naming each unknown key or value out of range.

    Examples
    --------
    >>> parse_config({"min_rel_change": 0.2}).min_rel_change
    0.2
    """
    if isinstance(params, DetectorConfig):
        return params
    return DetectorConfig.model_validate(dict(params or {}))


def check_estimator_params(prefix: str, params: Mapping[str, Any]) -> None:
    """Validate an estimator's parameters against the bounds of its config keys.

    Parameters the config does not hold (``contamination``, ``period``, ...) are ignored
    here; their estimator checks them.

    Raises
    ------
    ValueError
        Naming the parameter, its bounds and the value received.

    Examples
    --------
    >>> check_estimator_params("shift", {"window": 0})
    Traceback (most recent call last):
    ...
    ValueError: window must be greater than or equal to 1, got 0
    """
    fields = DetectorConfig.model_fields
    given = {f"{prefix}__{k}": v for k, v in params.items() if f"{prefix}__{k}" in fields}
    for key, value in given.items():
        # Estimators take ints for int fields: reject floats and bools the config would coerce.
        if fields[key].annotation is int and (
            isinstance(value, bool) or not isinstance(value, int | np.integer)
        ):
            raise ValueError(f"{key.split('__', 1)[1]} must be an int, got {value!r}")
    try:
        DetectorConfig.model_validate(given)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).split("__", 1)[1]
        rule = err["msg"].removeprefix("Input should be ")
        raise ValueError(f"{name} must be {rule}, got {err['input']!r}") from None

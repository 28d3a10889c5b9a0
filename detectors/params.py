"""Detector hyperparameters for :func:`~detectors.adapter.detect_findings`, with checks.

The values live in versioned config files (never env vars); this module only fills in the
defaults and rejects what cannot work, naming the parameter, the allowed range and the
value received.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_PARAMS", "resolve_params"]

#: Defaults tuned for daily and weekly ITSM KPIs.
DEFAULT_PARAMS: dict[str, Any] = {
    "detector": "seasonal_robust",
    "threshold": 0.5,  # calibrated score; 0.5 = two-sided p of 1e-5
    "n_seasons": 6,
    "window": 14,
    "min_periods": 14,
    "alpha": 0.05,
    "clip": 3.0,
    "rel_floor": 0.02,
    "min_rel_change": 0.10,
    "min_abs_change": 0.0,
    "suppress": 7,
    "shift_periods": 3,
    "shift_window": 7,
    "shift_reference": 28,
    "trend_window": 28,
    "trend_threshold": 0.5,
    "multivariate": False,  # one IsolationForest per entity: opt-in, it loops
    "multivariate_horizon": 28,
    # Forest scores are bounded, so calibrated tails rarely pass p = 1e-5: 0.3 is p = 1e-3.
    "multivariate_threshold": 0.3,
    "targets": {},
}

_DETECTORS = ("seasonal_robust",)
_RANGES: dict[str, tuple[float, float]] = {
    "threshold": (0.0, 1.0),
    "n_seasons": (1, 520),
    "window": (2, 10_000),
    "min_periods": (3, 100_000),
    "alpha": (1e-6, 1.0),
    "clip": (1.0, 1e6),
    "rel_floor": (0.0, 10.0),
    "min_rel_change": (0.0, 1e6),
    "min_abs_change": (0.0, float("inf")),
    "suppress": (0, 100_000),
    "shift_periods": (1, 100_000),
    "shift_window": (1, 10_000),
    "shift_reference": (2, 10_000),
    "trend_window": (4, 100_000),
    "trend_threshold": (0.0, 1.0),
    "multivariate_horizon": (1, 100_000),
    "multivariate_threshold": (0.0, 1.0),
}
_INTS = {
    "n_seasons",
    "window",
    "min_periods",
    "suppress",
    "shift_periods",
    "shift_window",
    "shift_reference",
    "trend_window",
    "multivariate_horizon",
}


def resolve_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and validate every value.

    Examples
    --------
    >>> resolve_params({"threshold": 0.7})["threshold"]
    0.7
    >>> resolve_params({"window": 1})
    Traceback (most recent call last):
    ...
    ValueError: params['window'] must be in [2, 10000], got 1
    """
    given = dict(params or {})
    unknown = sorted(set(given) - set(DEFAULT_PARAMS))
    if unknown:
        raise ValueError(f"unknown detector param(s) {unknown}; allowed: {sorted(DEFAULT_PARAMS)}")
    out = {**DEFAULT_PARAMS, **given}
    if out["detector"] not in _DETECTORS:
        raise ValueError(f"params['detector'] must be one of {_DETECTORS}, got {out['detector']!r}")
    for name, (lo, hi) in _RANGES.items():
        v = out[name]
        if name in _INTS and (isinstance(v, bool) or not isinstance(v, int)):
            raise ValueError(f"params[{name!r}] must be an int, got {v!r}")
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
            lo_s, hi_s = (int(lo), int(hi)) if name in _INTS else (lo, hi)
            raise ValueError(f"params[{name!r}] must be in [{lo_s}, {hi_s}], got {v!r}")
    if not isinstance(out["multivariate"], bool):
        raise ValueError(
            f"params['multivariate'] must be true or false, got {out['multivariate']!r}"
        )
    if not isinstance(out["targets"], dict):
        raise ValueError(
            f"params['targets'] must be a mapping kpi -> value, got {out['targets']!r}"
        )
    return out

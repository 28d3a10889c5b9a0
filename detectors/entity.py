"""Multivariate findings: unusual combinations of moves across the KPIs of one entity.

An entity is one set of dimension values (a team, a location, or the whole service when
every dimension is ``"*"``); its KPIs are the columns of one :class:`IsolationForestDetector`.
To stay causal, each entity's forest is fitted on all periods but the last
``multivariate_horizon`` and scores only those; its scores are calibrated on its own
training periods (:class:`ScoreCalibrator`). A forest's raw scores are bounded, so its
calibrated tail seldom reaches the other kinds' ``threshold``; it has its own,
``multivariate_threshold`` (0.3, p = 1e-3). A finding names the KPI that moved most
(largest robust z) at the peak.

This loops over entities (one forest each), so it is opt-in: ``multivariate: true``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detectors._baseline import robust_baseline
from detectors._build import EventStats, build_findings
from detectors._calibration import z_to_score
from detectors._frame import SeriesMatrix
from detectors.calibrator import ScoreCalibrator
from detectors.config import DetectorConfig
from detectors.events import find_events
from detectors.finding import Finding
from detectors.multivariate import IsolationForestDetector

__all__ = ["multivariate_findings"]


def _baseline_params(cfg: DetectorConfig) -> dict[str, Any]:
    """Return the seasonal settings that the baseline takes (all but the threshold)."""
    out = cfg.estimator_params("seasonal")
    del out["threshold"]
    return out


def _entities(m: SeriesMatrix) -> list[np.ndarray]:
    """Column indices of every entity with at least two KPIs."""
    dims = [c for c in m.keys.columns if c != "kpi"]
    if not dims:
        return [np.arange(len(m.keys))] if len(m.keys) > 1 else []
    groups = m.keys.groupby(dims, sort=True).indices
    return [np.asarray(ix) for ix in groups.values() if len(ix) > 1]


def multivariate_findings(
    m: SeriesMatrix, cfg: DetectorConfig, better: dict[str, str]
) -> list[Finding]:
    """Find ``multivariate`` events in every entity (see module docstring)."""
    horizon = cfg.multivariate_horizon
    t_len = len(m.periods)
    if t_len - horizon < cfg.seasonal__min_periods * 2:
        return []
    score = np.zeros_like(m.values)
    for cols in _entities(m):
        x = m.values[:, cols]
        det = IsolationForestDetector(**cfg.estimator_params("forest"), random_state=0)
        det.fit(x[: t_len - horizon])
        cal = ScoreCalibrator().fit(-det.score_samples(x[: t_len - horizon])[:, None])
        # Score the whole stretch (features need the history), keep only the horizon.
        z = cal.transform(-det.score_samples(x)[:, None])[:, 0]
        row_score = np.where(np.arange(t_len) >= t_len - horizon, z_to_score(z), 0.0)
        base = robust_baseline(x, period=1, **_baseline_params(cfg))
        lead = np.argmax(np.nan_to_num(np.abs(base.z)), axis=1)
        score[np.arange(t_len), cols[lead]] = np.nan_to_num(row_score)
    ev = find_events(score >= cfg.multivariate_threshold, suppress=cfg.suppress)
    if len(ev) == 0:
        return []
    base = robust_baseline(m.values, period=1, **_baseline_params(cfg))
    rows, cols = ev.start, ev.series
    expected = base.expected[rows, cols]
    half = 3.0 * base.scale[rows, cols]
    stats = EventStats(
        series=cols,
        start=ev.start,
        end=ev.end,
        kind=["multivariate"] * len(ev),
        observed=m.values[rows, cols],
        expected=expected,
        reference=expected,
        band_low=expected - half,
        band_high=expected + half,
        score=np.maximum.reduceat(score[ev.rows, ev.row_series], ev.offsets),
        n=m.counts[rows, cols],
    )
    params = {**cfg.estimator_params("forest"), "multivariate_horizon": horizon}
    return build_findings(m, stats, better, "IsolationForestDetector", params)

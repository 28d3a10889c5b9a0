"""Degrading trends: a direction-aware rolling slope test, optionally against a target.

A trend finding needs a rolling least-squares slope whose t-statistic passes
``trend__threshold`` (as a calibrated score), pointing the *bad* way for the KPI, and a
total change over the window of at least ``min_rel_change`` and ``min_abs_change``. When the
config gives a target for the KPI, the fitted current level must also be on the wrong
side of it: a worsening KPI that still beats its target is not an improvement opportunity.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors._base import CausalDetectorMixin
from detectors._build import EventStats, build_findings
from detectors._calibration import reaches, z_to_score
from detectors._frame import SeriesMatrix
from detectors._regression import rolling_line
from detectors.config import DetectorConfig, check_estimator_params
from detectors.events import event_mean, event_sum, find_events, row_max
from detectors.finding import Finding

__all__ = ["TrendDetector", "trend_findings"]


def _bad_sign(better: str | None) -> float:
    """+1 when rising is bad, -1 when falling is bad, 0 when both are."""
    return {"lower": 1.0, "higher": -1.0}.get(better or "", 0.0)


def trend_findings(m: SeriesMatrix, cfg: DetectorConfig, better: dict[str, str]) -> list[Finding]:
    """Find degrading-trend events in every series of ``m`` (see module docstring)."""
    w = cfg.trend__window
    # A slope from a part-filled window is mostly noise: wait for a (nearly) full one.
    line = rolling_line(m.values, window=w, min_count=max(4, (3 * w) // 4))
    line.t_stat[: w - 1] = np.nan
    # One lookup per KPI, not per series: series of a KPI share its direction and target.
    names, of_series = np.unique(m.keys["kpi"].to_numpy(), return_inverse=True)
    sign = np.array([_bad_sign(better.get(k)) for k in names])[of_series]
    target = np.array([float(cfg.targets.get(k, np.nan)) for k in names])[of_series]
    change = line.slope * (w - 1)
    start_level = line.fitted - change
    # Comparisons instead of sign arithmetic: the same flags without a float temporary
    # per test (rising is bad where sign > 0, falling where sign < 0).
    rising = sign > 0
    with np.errstate(invalid="ignore"):
        bad_way = np.where(sign == 0, True, np.where(rising, change > 0, change < 0))
        off_target = np.where(
            np.isnan(target) | (sign == 0),
            True,
            np.where(rising, line.fitted > target, line.fitted < target),
        )
        size = np.abs(change)
        floor = np.abs(start_level)
        floor *= cfg.min_rel_change
        flags = (
            reaches(line.t_stat, cfg.trend__threshold)
            & bad_way
            & off_target
            & (size >= floor)
            & (size >= cfg.min_abs_change)
        )
    ev = find_events(flags, suppress=cfg.suppress)
    if len(ev) == 0:
        return []
    baseline = event_mean(start_level, ev)
    expected = np.where(np.isnan(target[ev.series]), baseline, target[ev.series])
    stats = EventStats(
        series=ev.series,
        start=np.maximum(ev.start - w + 1, 0),
        end=ev.end,
        kind=["degradation"] * len(ev),
        observed=event_mean(line.fitted, ev),
        expected=expected,
        reference=baseline,
        band_low=np.fmin(baseline, expected),
        band_high=np.fmax(baseline, expected),
        score=row_max(z_to_score(line.t_stat[ev.rows, ev.row_series]), ev),
        n=event_sum(m.counts, ev),
    )
    params = {"trend__window": w, "trend__threshold": cfg.trend__threshold}
    return build_findings(m, stats, better, "TrendDetector", params)


class TrendDetector(CausalDetectorMixin):
    """Direction-aware degrading trend: t-statistic of a rolling least-squares slope.

    Only the bad direction counts when ``better`` is given, and with a ``target`` a trend
    counts only while the fitted level is on the wrong side of it.

    Parameters
    ----------
    window : int, default=28
        Rows in the rolling line fit.
    better : {"lower", "higher"} or None, default=None
        Which way is better for the KPI; None counts both directions.
    target : float or None, default=None
        The KPI's target level.
    threshold : float, default=0.5
        Calibrated score that "auto" contamination puts ``offset_`` at (0.5: |t| ~ 4.42).
    contamination : "auto" or float, default="auto"
        Sets ``offset_``: at ``threshold``, or at this share of the training rows.

    Attributes
    ----------
    offset_ : float
        Decision threshold on ``score_samples``.
    n_features_in_ : int
        Columns seen in ``fit``.

    See Also
    --------
    LevelShiftDetector : abrupt rather than gradual change.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = (20 + rng.normal(0, 1, 120) + np.r_[np.zeros(60), np.linspace(0, 15, 60)])[:, None]
    >>> worse = TrendDetector(better="lower").fit(X[:60])
    >>> bool((worse.predict(X[60:]) == -1).any())
    True
    >>> bool((TrendDetector(better="higher").fit(X[:60]).predict(X[60:]) == -1).any())
    False
    >>> bool((TrendDetector(better="lower", target=40.0).fit(X[:60]).predict(X) == -1).any())
    False
    """

    def __init__(
        self,
        window: int = 28,
        better: str | None = None,
        target: float | None = None,
        threshold: float = 0.5,
        contamination: str | float = "auto",
    ) -> None:
        self.window = window
        self.better = better
        self.target = target
        self.threshold = threshold
        self.contamination = contamination

    def _validate_params(self) -> None:
        check_estimator_params("trend", self.get_params(deep=False))
        if self.better not in (None, "lower", "higher"):
            raise ValueError(f"better must be 'lower', 'higher' or None, got {self.better!r}")

    def _deviation(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        line = rolling_line(X, window=self.window, min_count=max(4, (3 * self.window) // 4))
        sign = _bad_sign(self.better)
        t = np.nan_to_num(line.t_stat, posinf=1e12, neginf=-1e12)
        dev = np.abs(t) if sign == 0 else np.maximum(sign * t, 0.0)
        if self.target is not None and sign != 0:
            dev = np.where((line.fitted - self.target) * sign > 0, dev, 0.0)
        out: NDArray[np.float64] = dev.max(axis=1)
        return out

"""Degrading trends: a direction-aware rolling slope test, optionally against a target.

A trend finding needs a rolling least-squares slope whose t-statistic passes
``trend_threshold`` (as a calibrated score), pointing the *bad* way for the KPI, and a
total change over the window of at least ``min_rel_change`` and ``min_abs_change``. When the
config gives a target for the KPI, the fitted current level must also be on the wrong
side of it: a worsening KPI that still beats its target is not an improvement opportunity.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detectors._build import EventStats, build_findings
from detectors._calibration import z_to_score
from detectors._frame import SeriesMatrix
from detectors._regression import rolling_line
from detectors.events import event_max, event_mean, event_sum, find_events
from detectors.finding import Finding

__all__ = ["trend_findings"]


def _bad_sign(better: str | None) -> float:
    """+1 when rising is bad, -1 when falling is bad, 0 when both are."""
    return {"lower": 1.0, "higher": -1.0}.get(better or "", 0.0)


def trend_findings(m: SeriesMatrix, cfg: dict[str, Any], better: dict[str, str]) -> list[Finding]:
    """Find degrading-trend events in every series of ``m`` (see module docstring)."""
    w = cfg["trend_window"]
    # A slope from a part-filled window is mostly noise: wait for a (nearly) full one.
    line = rolling_line(m.values, window=w, min_count=max(4, (3 * w) // 4))
    line.t_stat[: w - 1] = np.nan
    kpis = m.keys["kpi"].to_numpy()
    sign = np.array([_bad_sign(better.get(k)) for k in kpis])
    target = np.array([float(cfg["targets"].get(k, np.nan)) for k in kpis])
    score = z_to_score(line.t_stat)
    start_level = line.fitted - line.slope * (w - 1)
    change = line.slope * (w - 1)
    with np.errstate(invalid="ignore"):
        bad_way = np.where(sign == 0, True, np.sign(change) == sign)
        off_target = np.where(
            np.isnan(target) | (sign == 0), True, (line.fitted - target) * sign > 0
        )
        flags = (
            (score >= cfg["trend_threshold"])
            & bad_way
            & off_target
            & (np.abs(change) >= cfg["min_rel_change"] * np.abs(start_level))
            & (np.abs(change) >= cfg["min_abs_change"])
        )
    ev = find_events(flags, suppress=cfg["suppress"])
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
        score=event_max(score, ev),
        n=event_sum(m.counts, ev),
    )
    params = {"trend_window": w, "trend_threshold": cfg["trend_threshold"]}
    return build_findings(m, stats, better, "rolling_trend", params)

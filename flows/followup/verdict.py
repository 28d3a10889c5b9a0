"""Judge an accepted entry's progress: the window after acceptance against its baseline.

Pure statistics over dated samples of one KPI slice; no register, no Prefect. Effects are
reported in KPI units, and p-values and effect signs are named by the KPI's good direction.

Rules, in order (tests one-sided at ``alpha``):

1. ``insufficient_data``: fewer than ``min_periods`` valued periods after acceptance
   (at most the last ``window_periods``) or in the baseline window.
2. ``target_met``: the after window's level is at or better than the target. The level is
   the baseline median moved by the Hodges-Lehmann shift between the windows.
3. ``improving``: the after window is better than the baseline window, or better than the
   detected window (when that spans at least three periods, so that a lasting shift
   which eases counts as progress).
4. ``regressed``: worse than the baseline window and, when the detected window can be
   compared, worse than it too (a problem that persists is not a regression).

"Better" and "worse" need both a significant test and a material shift: at least
``min_change`` of the baseline median (Hodges-Lehmann, like-weekday pairs).
5. ``no_change``: none of the above.

Seasonality: daily series are compared weekday with weekday (van Elteren's stratified
rank-sum test, and effects over like-weekday pairs); other grains with Mann-Whitney U.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from flows.config.followup_spec import FollowUpSpec

__all__ = ["Comparison", "FollowUpSpec", "Judgement", "compare", "judge"]

_MIN_COMPARE = 3  # periods a detected window needs before it is tested at all


@dataclass(frozen=True)
class Judgement:
    """A verdict, the after window's level (KPI units) and what it rests on."""

    verdict: Literal["improving", "target_met", "no_change", "regressed", "insufficient_data"]
    level: float | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """One-sided p-values, Cliff's delta and Hodges-Lehmann shift of ``after`` vs ``other``."""

    p_greater: float
    p_less: float
    delta: float  # P(after > other) - P(after < other), over like-weekday pairs
    shift: float  # median of like-weekday pairwise differences, in KPI units


def _keys(index: pd.Index, daily: bool) -> np.ndarray:
    if daily:
        return np.asarray(pd.DatetimeIndex(index).day_of_week)
    return np.zeros(len(index), dtype=int)


def _van_elteren(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Stratified rank-sum test (van Elteren 1960): one-sided p-values, normal approximation.

    Each stratum's rank sum is weighted by ``1 / (N_s + 1)``, which makes the test
    locally most powerful when the shift is the same in every stratum.
    """
    total, variance = 0.0, 0.0
    for a, o in pairs:
        n, m = a.size, o.size
        size = n + m
        ranks = stats.rankdata(np.concatenate([a, o]))
        _, counts = np.unique(np.concatenate([a, o]), return_counts=True)
        ties = float(np.sum(counts**3 - counts)) / (size * (size - 1)) if size > 1 else 0.0
        weight = 1.0 / (size + 1)
        total += weight * (ranks[:n].sum() - n * (size + 1) / 2)
        variance += weight**2 * n * m / 12 * ((size + 1) - ties)
    if variance <= 0:
        return 1.0, 1.0
    z = total / math.sqrt(variance)
    return float(stats.norm.sf(z)), float(stats.norm.cdf(z))


def compare(after: pd.Series, other: pd.Series, *, daily: bool) -> Comparison:
    """Compare two dated samples of a KPI, weekday with weekday for daily series.

    Daily KPIs in operations follow the week (quiet weekends), so a window heavy in
    Sundays must not pass for an improvement: each weekday of ``after`` is compared with
    the same weekday of ``other`` (van Elteren). Other grains use Mann-Whitney U, exact for
    small samples.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=42, freq="D")
    >>> kpi = pd.Series(np.tile([10.0, 11, 10, 12, 10, 2, 3], 6), index=days)
    >>> weekend_only = kpi[28:][kpi.index[28:].day_of_week >= 5]
    >>> c = compare(weekend_only, kpi[:28], daily=True)
    >>> round(c.shift, 1), c.p_less > 0.05
    (0.0, True)
    >>> compare(weekend_only, kpi[:28], daily=False).p_less < 0.05
    True
    """
    ka, ko = _keys(after.index, daily), _keys(other.index, daily)
    a, o = after.to_numpy(dtype="float64"), other.to_numpy(dtype="float64")
    pairs = [(a[ka == k], o[ko == k]) for k in np.intersect1d(ka, ko)]
    if not pairs:
        return Comparison(1.0, 1.0, 0.0, 0.0)
    diffs = np.concatenate([np.subtract.outer(x, y).ravel() for x, y in pairs])
    if daily:
        p_greater, p_less = _van_elteren(pairs)
    else:
        p_greater = float(stats.mannwhitneyu(a, o, alternative="greater").pvalue)
        p_less = float(stats.mannwhitneyu(a, o, alternative="less").pvalue)
    return Comparison(p_greater, p_less, float(np.mean(np.sign(diffs))), float(np.median(diffs)))


def judge(
    baseline: pd.Series,
    after: pd.Series,
    *,
    better: Literal["lower", "higher"],
    target: float | None,
    detected: pd.Series | None = None,
    daily: bool = True,
    spec: FollowUpSpec | None = None,
) -> Judgement:
    """Decide the progress verdict of one entry.

    Parameters
    ----------
    baseline, after : pandas.Series
        KPI values indexed by period start: the frozen baseline window, and the periods
        after acceptance (only the latest ``spec.window_periods`` are used).
    better : {"lower", "higher"}
        The KPI's good direction.
    target : float or None
        The agreed (or suggested) target value.
    detected : pandas.Series, optional
        The detected window's values while the entry was open, up to acceptance.
    daily : bool
        Whether periods are days, so weekday seasonality applies.
    spec : FollowUpSpec, optional
        The rules; defaults to ``FollowUpSpec()``.

    Returns
    -------
    Judgement
        The verdict; ``level`` is the baseline median moved by the like-weekday shift
        (None without enough data); ``detail`` holds the tests against the baseline, the
        detected window and the target, and a one-line ``reason``.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=42, freq="D")
    >>> kpi = pd.Series(np.r_[np.full(28, 10.0), np.full(14, 6.0)], index=days)
    >>> kpi += np.tile([0.3, -0.2, 0.1, -0.1, 0.2, -0.3, 0.0], 6)
    >>> judge(kpi[:28], kpi[28:], better="lower", target=5.0).verdict
    'improving'
    >>> judge(kpi[:28], kpi[28:], better="lower", target=7.0).verdict
    'target_met'
    """
    spec = spec or FollowUpSpec()
    base = baseline.dropna()
    now = after.dropna().tail(spec.window_periods)
    detail: dict[str, Any] = {
        "seasonality": "weekday" if daily else "none",
        "window": {
            "start": now.index.min() if now.size else None,
            "end": now.index.max() if now.size else None,
            "n": int(now.size),
        },
        "baseline_n": int(base.size),
    }
    if now.size < spec.min_periods or base.size < spec.min_periods:
        detail["reason"] = (
            f"{now.size} periods after acceptance and {base.size} in the baseline; "
            f"{spec.min_periods} needed on each side"
        )
        return Judgement("insufficient_data", None, detail)

    lower = better == "lower"
    vs_base = _oriented(compare(now, base, daily=daily), lower)
    base_median = float(base.median())
    # The baseline's level moved by the like-weekday shift: comparable with the target.
    level = base_median + vs_base["shift"]
    detail["vs_baseline"] = {
        "test": "van-elteren" if daily else "mann-whitney-u",
        "median": base_median,
        "change": vs_base["shift"],
        "change_pct": vs_base["shift"] / abs(base_median) if base_median else None,
        **vs_base,
    }
    detected = detected.dropna() if detected is not None else None
    vs_det = None
    if detected is not None and detected.size >= _MIN_COMPARE:
        vs_det = _oriented(compare(now, detected, daily=daily), lower)
        vs_det["median"] = float(detected.median())
        vs_det["n"] = int(detected.size)
    detail["vs_detected"] = vs_det
    met = target is not None and (level <= target if lower else level >= target)
    detail["vs_target"] = (
        None if target is None else {"value": target, "gap": level - target, "met": met}
    )

    floor = spec.min_change * abs(base_median)

    def moved(c: dict[str, Any] | None, way: str) -> bool:
        # significant and material: a 1% drift on a long window is significant yet no news
        return c is not None and c[f"p_{way}"] < spec.alpha and abs(c["shift"]) >= floor

    if met:
        verdict: Any = "target_met"
        reason = f"level {level:.4g} is at or better than the target {target:.4g}"
    elif moved(vs_base, "better") or moved(vs_det, "better"):
        verdict = "improving"
        reason = "better than the " + (
            "baseline" if moved(vs_base, "better") else "detected window"
        )
    elif moved(vs_base, "worse") and (vs_det is None or moved(vs_det, "worse")):
        verdict = "regressed"
        reason = "worse than the baseline" + (" and the detected window" if vs_det else "")
    elif moved(vs_base, "worse") and vs_det is not None:
        verdict = "no_change"
        reason = (
            f"still at the detected level: worse than the baseline (shift "
            f"{vs_base['shift']:+.3g}, p={vs_base['p_worse']:.2g}), no better than the "
            f"detected window (shift {vs_det['shift']:+.3g}, p={vs_det['p_better']:.2g})"
        )
    else:
        verdict = "no_change"
        p = min(vs_base["p_better"], vs_base["p_worse"])
        reason = (
            f"no clear change from the baseline (shift {vs_base['shift']:+.3g}, p={p:.2g}; "
            f"a change needs p < {spec.alpha:g} and a shift of at least {floor:.3g})"
        )
    detail["reason"] = reason
    return Judgement(verdict, level if math.isfinite(level) else None, detail)


def _oriented(c: Comparison, lower: bool) -> dict[str, Any]:
    """Name the one-sided p-values and the effect by the KPI's good direction."""
    return {
        "p_better": c.p_less if lower else c.p_greater,
        "p_worse": c.p_greater if lower else c.p_less,
        "cliffs_delta": -c.delta if lower else c.delta,  # in [-1, 1], positive = better
        "shift": c.shift,  # Hodges-Lehmann, KPI units
    }

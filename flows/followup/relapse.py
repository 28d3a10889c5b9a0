"""Relapse: a followed-up entry whose KPI had improved is worse than its baseline again.

ITIL's step 7 keeps the momentum going: an improvement that does not hold is a new
opportunity. An entry relapses on a night when

1. it had recovered since it was accepted (:func:`recovered`): an earlier night met the
   target, or judged it ``improving`` while no longer worse than the baseline. An entry
   still on its way down from the detected level has not recovered yet: "improving, 49
   against a detected 95" with a baseline of 27 is progress, not a level to relapse from;
2. tonight's window after acceptance (its latest ``window_periods``, at least
   ``min_periods`` valued periods on each side) is worse than the frozen baseline window by
   the follow-up's one-sided rank test (van Elteren, weekday by weekday, for daily KPIs;
   Mann-Whitney U otherwise) at ``alpha``, whose power grows with the number of periods;
3. and the Hodges-Lehmann shift is adverse and material: at least ``min_change`` of the
   baseline median.

The baseline is the level before the entry's event: for an anomaly, the good level it
degraded from; for a lesson (kind ``improvement``), the level before the improvement, so
a lesson relapses once the KPI is worse than before it improved. Unlike the ``regressed``
verdict, a relapse needs no comparison with the detected window: falling back to the
detected level after having improved is exactly a relapse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flows.config.followup_spec import FollowUpSpec
from flows.followup.verdict import Judgement
from register_client import Measurement

__all__ = ["Relapse", "recovered", "relapse_of"]


@dataclass(frozen=True)
class Relapse:
    """The numbers behind one relapse, in KPI units."""

    level: float
    baseline: float
    shift: float
    p_worse: float
    periods: int
    baseline_periods: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        """Return the relapse as plain data, for the entry's history."""
        return {
            "level": self.level,
            "baseline_median": self.baseline,
            "shift": self.shift,
            "p_worse": self.p_worse,
            "periods": self.periods,
            "baseline_periods": self.baseline_periods,
            "reason": self.reason,
        }


def _worse(vs_base: dict[str, Any], spec: FollowUpSpec) -> bool:
    """Return whether the rank test finds it significantly worse than the baseline."""
    return bool(vs_base["p_worse"] < spec.alpha and vs_base["cliffs_delta"] < 0)  # + = better


def recovered(earlier: Iterable[Measurement], spec: FollowUpSpec) -> bool:
    """Whether an earlier measurement saw the KPI recovered: at target, or back at baseline.

    Examples
    --------
    >>> from datetime import date
    >>> from flows.config.followup_spec import FollowUpSpec
    >>> still_high = {"vs_baseline": {"p_worse": 0.001, "cliffs_delta": -0.9}}
    >>> on_the_way = Measurement(at=date(2024, 5, 8), value=49, verdict="improving",
    ...                          detail=still_high)
    >>> recovered([on_the_way], FollowUpSpec())
    False
    >>> met = Measurement(at=date(2024, 5, 21), value=29, verdict="target_met")
    >>> recovered([on_the_way, met], FollowUpSpec())
    True
    """
    for m in earlier:
        if m.verdict == "target_met":
            return True
        vs_base = m.detail.get("vs_baseline")
        if m.verdict == "improving" and vs_base and not _worse(vs_base, spec):
            return True
    return False


def relapse_of(judged: Judgement, improved: bool, spec: FollowUpSpec) -> Relapse | None:
    """Return the relapse tonight's judgement shows, or None.

    Parameters
    ----------
    judged : Judgement
        Tonight's follow-up judgement of the entry (see :func:`flows.followup.judge`).
    improved : bool
        Whether the entry had :func:`recovered` on an earlier night.
    spec : FollowUpSpec
        ``alpha`` and ``min_change``, as for the verdicts.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from flows.followup.verdict import judge
    >>> days = pd.date_range("2024-01-01", periods=42, freq="D")
    >>> kpi = pd.Series(np.r_[np.full(28, 10.0), np.full(14, 13.0)], index=days)
    >>> kpi += np.tile([0.3, -0.2, 0.1, -0.1, 0.2, -0.3, 0.0], 6)
    >>> judged = judge(kpi[:28], kpi[28:], better="lower", target=8.0)
    >>> relapse_of(judged, improved=True, spec=FollowUpSpec()).shift
    3.0
    >>> relapse_of(judged, improved=False, spec=FollowUpSpec()) is None
    True
    """
    vs_base = judged.detail.get("vs_baseline")
    if not improved or judged.level is None or not vs_base:
        return None
    base = float(vs_base["median"])
    shift = float(vs_base["shift"])
    if not _worse(vs_base, spec) or abs(shift) < spec.min_change * abs(base):
        return None
    periods = int(judged.detail["window"]["n"])
    baseline_periods = int(judged.detail["baseline_n"])
    reason = (
        f"relapse: after improving, level {judged.level:.4g} is worse than the baseline "
        f"median {base:.4g} (shift {shift:+.3g}, one-sided {vs_base['test']} "
        f"p={vs_base['p_worse']:.2g} over {periods} periods against {baseline_periods}; "
        f"material from {spec.min_change:.0%})"
    )
    return Relapse(
        judged.level, base, shift, float(vs_base["p_worse"]), periods, baseline_periods, reason
    )

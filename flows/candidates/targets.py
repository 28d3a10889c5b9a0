"""The suggested target: specific, measurable, dated, and achievable by this slice.

The target follows the KPI's configured absolute ``target`` or, without one, improves on
the baseline level by ``target_improvement``. It is never better than the best level the
slice ever sustained (a rolling ``SUSTAIN_DAYS`` / ``SUSTAIN_WEEKS`` level before the
event): a target no period of history ever reached is a wish, not a target. It is
clipped to the KPI's domain. ``basis`` says in one line how it was set.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from flows.candidates.domain import clip
from flows.config.kpi_spec import KpiSpec

__all__ = ["SUSTAIN_DAYS", "SUSTAIN_WEEKS", "best_sustained", "suggest_target"]

SUSTAIN_DAYS = 28
SUSTAIN_WEEKS = 4


def best_sustained(history: pd.DataFrame, spec: KpiSpec) -> tuple[float, Any]:
    """Return the best rolling level of ``history`` and the period it ended on (NaN if none).

    Examples
    --------
    >>> from flows.config.kpi_spec import KpiSpec
    >>> spec = KpiSpec(name="k", source="s", measure="count", date="d", unit="n",
    ...                better="lower", csf="c", objective="o", grain="W")
    >>> weeks = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    >>> h = pd.DataFrame({"period": weeks, "value": [9, 8, 3, 2, 3, 2, 9, 9.0], "n": 1})
    >>> best_sustained(h, spec)[0]
    2.5
    """
    window = SUSTAIN_DAYS if spec.grain == "D" else SUSTAIN_WEEKS
    frame = history.set_index("period")
    enough = max(2, (3 * window) // 4)
    if spec.is_share:
        hits = (frame["value"] * frame["n"]).rolling(window, min_periods=enough).sum()
        records = frame["n"].where(frame["value"].notna()).rolling(window, min_periods=1).sum()
        levels = hits / records.where(records > 0)
    else:
        levels = frame["value"].rolling(window, min_periods=enough).median()
    # Only windows spanning the full length in time: a part-window at the start of the
    # history is not a level the slice sustained.
    levels = levels.iloc[window - 1 :].dropna()
    if levels.empty:
        return math.nan, None
    pos = int(levels.to_numpy().argmin() if spec.better == "lower" else levels.to_numpy().argmax())
    return float(levels.iloc[pos]), levels.index[pos]


def suggest_target(
    snapshot: dict[str, Any], history: pd.DataFrame, spec: KpiSpec, by: date
) -> dict[str, Any] | None:
    """Return the suggested target ``{value, by, basis}``, or None without a clean baseline.

    Parameters
    ----------
    snapshot : dict
        The baseline snapshot (:func:`flows.candidates.baseline.baseline_snapshot`).
    history : pandas.DataFrame
        The slice's periods before the event (``period``, ``value``, ``n``).
    spec : KpiSpec
        The KPI: direction, ``target``, ``target_improvement``, domain.
    by : date
        When the target should be reached.
    """
    level = snapshot.get("level")
    if not snapshot.get("clean") or level is None or not math.isfinite(level):
        return None
    lower = spec.better == "lower"
    if spec.target is not None:
        value, basis = spec.target, f"the configured target {spec.show(spec.target)}"
    else:
        step = spec.target_improvement
        value = level * (1 - step) if lower else level * (1 + step)
        basis = (
            f"{step:.0%} better than the baseline {snapshot.get('level_stat', 'level')} "
            f"{spec.show(level)}"
        )
    best, at = best_sustained(history, spec)
    if math.isfinite(best) and (value < best if lower else value > best):
        value = best
        basis += (
            f", held at the best level this slice sustained ({spec.show(best)}, "
            f"rolling {SUSTAIN_DAYS if spec.grain == 'D' else SUSTAIN_WEEKS} periods to "
            f"{pd.Timestamp(at):%Y-%m-%d})"
        )
    return {"value": clip(float(value), spec), "by": by, "basis": basis}

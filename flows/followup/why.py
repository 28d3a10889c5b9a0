"""Why a re-measurement is ``insufficient_data``, in words an owner can act on.

The verdict itself only counts valued periods. The reason looks at the periods after
acceptance in the night's KpiFrame, blank ones included:

- ``no_periods``: none yet (the data ends on or before the acceptance day);
- ``incomplete``: periods with enough records whose value is still blank, because too few
  of their records are complete (``complete_when``), or a holiday or extract edge
  blanked them; they fill in on later nights;
- ``thin``: periods with fewer than ``min_records`` records;
- ``too_few``: valued periods exist, but fewer than the rules need (per weekday for
  daily KPIs, which are compared weekday with weekday);
- ``baseline``: the frozen baseline window has too few values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from flows.config.followup_spec import FollowUpSpec
from flows.config.kpi_spec import KpiSpec

__all__ = ["explain_insufficient"]


def explain_insufficient(
    rows: pd.DataFrame,
    accepted: date,
    as_of: date,
    kpi: KpiSpec,
    spec: FollowUpSpec,
    baseline_n: int,
) -> dict[str, Any]:
    """Return ``{"why": code, "reason": text}`` for an ``insufficient_data`` verdict.

    Parameters
    ----------
    rows : pandas.DataFrame
        The entry's slice in the night's KpiFrame: ``period``, ``value``, ``n``.
    accepted, as_of : date
        The data day of acceptance and the night.
    kpi : KpiSpec
        The KPI (``complete_when``, ``min_records``, grain).
    spec : FollowUpSpec
        The follow-up rules (``min_periods``).
    baseline_n : int
        Valued periods in the frozen baseline window.

    Examples
    --------
    >>> from flows.config.kpi_spec import KpiSpec
    >>> kpi = KpiSpec(name="ttr", source="s", measure="duration", start="a", end="b",
    ...               date="a", unit="h", better="lower", csf="c", objective="o",
    ...               complete_when="closed_at")
    >>> days = pd.date_range("2024-03-01", periods=5, freq="D")
    >>> rows = pd.DataFrame({"period": days, "value": float("nan"), "n": 40})
    >>> explain_insufficient(rows, date(2024, 2, 29), date(2024, 3, 5), kpi,
    ...                      FollowUpSpec(), 28)["why"]
    'incomplete'
    """
    need = spec.min_periods
    since = pd.Timestamp(accepted)
    after = rows[(rows["period"] > since) & (rows["period"] <= pd.Timestamp(as_of))]
    valued = after.dropna(subset=["value"])
    blank = after[after["value"].isna()]
    thin = int((blank["n"] < kpi.min_records).sum())
    incomplete = len(blank) - thin
    if baseline_n < need:
        return {
            "why": "baseline",
            "reason": f"the frozen baseline has {baseline_n} valued periods; {need} needed",
        }
    if after.empty:
        last = rows["period"].max() if len(rows) else None
        data = f"the data ends {last:%Y-%m-%d}" if last is not None else "no data for the slice"
        return {
            "why": "no_periods",
            "reason": f"no periods since acceptance on {accepted.isoformat()} yet ({data})",
        }
    parts = [f"{len(valued)} of {len(after)} periods since acceptance have a value; {need} needed"]
    if incomplete:
        column = kpi.complete_when or kpi.end or "the end date"
        parts.append(
            f"{incomplete} not complete yet (fewer than {kpi.min_complete_share:.0%} of their "
            f"records have {column}, or a holiday or extract edge blanked them); they fill in "
            "on later nights"
        )
    if thin:
        parts.append(f"{thin} with fewer than {kpi.min_records} records")
    why = "incomplete" if incomplete else "thin" if thin else "too_few"
    if kpi.grain == "D" and len(valued) >= need:
        days = valued["period"].dt.day_of_week.nunique()
        parts.append(f"compared weekday with weekday, only {days} weekdays are covered")
        why = "too_few"
    return {"why": why, "reason": "; ".join(parts)}

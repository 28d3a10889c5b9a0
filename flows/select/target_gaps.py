"""Gaps to target: a KPI (or one of its slices) that misses its absolute target or SLA.

ITIL's third question, "where do we want to be?", sets targets. A KPI that has sat beyond
its target for weeks is an opportunity even when it is perfectly stable, which is exactly
when no change detector speaks. Over the last ``window_days`` of the KpiFrame:

- a **rate** is pooled over its records and must miss the target beyond chance: a one-sided
  binomial test at ``alpha`` with the records behind it (``n`` counts);
- any other measure must sit beyond the target in at least ``persist`` of the periods.

Periods the load stage blanked (holidays, extract edges) are not judged.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from flows.config.kinds_spec import TargetSpec
from flows.config.model import KpiSpec, ScanConfig
from flows.kpis.compute import ALL, dimension_columns
from flows.select.opportunities import MISSING, Opportunity, day_end

__all__ = ["MIN_SPAN", "find_target_gaps", "judge_series"]

#: The complete periods judged must span at least two weeks (before the extract has them,
#: e.g. while the first weeks' records are still open, nothing is judged).
MIN_SPAN = pd.Timedelta(days=13)


def judge_series(
    values: pd.Series, n: pd.Series, kpi: KpiSpec, target: TargetSpec
) -> tuple[float, float, float]:
    """Return (current value, p-value of "no worse than target", excess records per period).

    Examples
    --------
    >>> from flows.config.model import KpiSpec
    >>> kpi = KpiSpec(name="breach", source="s", measure="rate", flag="f", date="d",
    ...               unit="share", better="lower", csf="c", objective="o")
    >>> spec = TargetSpec(kpi="breach", value=0.1)
    >>> value, p, excess = judge_series(pd.Series([0.3, 0.4]), pd.Series([100, 100]), kpi, spec)
    >>> round(value, 2), p < 0.01, round(excess, 1)
    (0.35, True, 25.0)
    """
    lower = kpi.better == "lower"
    if kpi.measure == "rate":
        records = int(n.sum())
        hits = round(float((values * n).sum()))
        current = hits / records if records else float("nan")
        if lower:
            p = float(stats.binom.sf(hits - 1, records, target.value))
        else:
            p = float(stats.binom.cdf(hits, records, target.value))
        excess = (current - target.value) * records / max(len(values), 1)
        return current, p, excess if lower else -excess
    current = float(values.mean())
    beyond = (values > target.value) if lower else (values < target.value)
    # Not a test of chance, a test of persistence: "beyond target in most periods".
    p = 0.0 if beyond.mean() >= target.persist else 1.0
    gap = (current - target.value) if lower else (target.value - current)
    return current, p, gap * float(n.mean())


def find_target_gaps(
    kpi_frame: pd.DataFrame, target: TargetSpec, config: ScanConfig, as_of: date
) -> list[Opportunity]:
    """Return the worst gaps to ``target``: the total's, else its slices' (if asked).

    A total that misses its target is the one entry (its slices are the same story told
    again); slices are judged only under a total that meets it. A window the total cannot
    judge (too few complete records yet) is not judged at all.
    """
    specs = {k.name: k for k in config.kpis}
    kpi = specs.get(target.kpi)
    if kpi is None or kpi_frame.empty:
        return []
    end = day_end(as_of)
    start = end - pd.Timedelta(days=target.window_days)
    rows = kpi_frame[(kpi_frame["kpi"] == kpi.name)].dropna(subset=["value"])
    dims = dimension_columns(kpi_frame)
    if not target.slices:
        rows = rows[(rows[dims] == ALL).all(axis=1)] if dims else rows
    total = rows[(rows[dims] == ALL).all(axis=1)] if dims else rows
    in_window = total[(total["period"] >= start) & (total["period"] < end)]
    if int(in_window["n"].sum()) < target.min_records:
        return []
    if target.slices:
        total_gap = judge_series(in_window["value"], in_window["n"], kpi, target)
        if total_gap[1] < target.alpha and total_gap[2] > 0:
            rows = total
    found: list[tuple[float, Opportunity]] = []
    for key, series in rows.groupby(dims, sort=False) if dims else [((), rows)]:
        series = series.sort_values("period")
        window = series[(series["period"] >= start) & (series["period"] < end)]
        if window.empty or int(window["n"].sum()) < target.min_records:
            continue
        if window["period"].iloc[-1] - window["period"].iloc[0] < MIN_SPAN:
            continue  # a standing gap is one that sat there for weeks, not days
        current, p, excess = judge_series(window["value"], window["n"], kpi, target)
        if not (p < target.alpha and excess > 0):
            continue
        values = key if isinstance(key, tuple) else (key,)
        if MISSING in values:
            continue  # records without the attribute are no slice an owner can act on
        dimensions = {d: str(v) for d, v in zip(dims, values, strict=True) if v != ALL}
        found.append(
            (
                excess,
                _opportunity(
                    kpi, target, config, dimensions, series, window, current, p, excess, as_of
                ),
            )
        )
    found.sort(key=lambda pair: -pair[0])
    return [opportunity for _, opportunity in found[: target.top]]


def _opportunity(
    kpi: KpiSpec,
    target: TargetSpec,
    config: ScanConfig,
    dimensions: dict[str, str],
    series: pd.DataFrame,
    window: pd.DataFrame,
    current: float,
    p: float,
    excess: float,
    as_of: date,
) -> Opportunity:
    days = target.window_days
    per_week = excess * (7 if kpi.grain == "D" else 1)
    # A duration's excess is hours per record times records: hours already.
    hours = per_week if kpi.measure == "duration" else per_week * config.kinds.hours(kpi.source)
    # The detected window is the judged one; the baseline is the same span just before it,
    # where the history has it (a gap from the first day has no "before").
    start, end = window["period"].iloc[0], window["period"].iloc[-1]
    earlier = series[
        (series["period"] < start) & (series["period"] >= start - pd.Timedelta(days=days))
    ]
    reference = earlier.set_index("period")["value"]
    slice_text = ", ".join(f"{k}={v}" for k, v in dimensions.items()) or "all records"
    records = int(window["n"].sum())
    held = float(
        np.mean(
            window["value"] > target.value
            if kpi.better == "lower"
            else window["value"] < target.value
        )
    )
    return Opportunity(
        kind="target_gap",
        dataset=kpi.source,
        kpi=kpi.name,
        unit=kpi.unit,
        better=kpi.better,
        dimensions=dimensions,
        start=pd.Timestamp(start),
        end=pd.Timestamp(end),
        current=current,
        records=records,
        reference=reference,
        target=target.value,
        excess_per_week=per_week,
        hours_per_week=hours,
        score=float(min(1.0, max(0.0, 1.0 - p))),
        headline=(f"{kpi.name} {kpi.show(current)} against a target of {kpi.show(target.value)}"),
        detail=(
            f"{kpi.name} ({kpi.unit}) was {kpi.show(current)} over the complete periods of the "
            f"last {days} days ({window['period'].iloc[0]:%Y-%m-%d} to {end:%Y-%m-%d}) for "
            f"{slice_text} ({records} records), against a target of {kpi.show(target.value)}; "
            f"{held:.0%} of the periods missed it (p = {p:.2g} that it is met). "
            f"{kpi.better.capitalize()} is better. Meeting it would save about "
            f"{per_week:.0f} {'hours' if kpi.measure == 'duration' else 'records'} a week."
        ),
        series=series.set_index("period")["value"],
        detector="TargetGap",
        params={"window_days": days, "alpha": target.alpha, "target": target.value},
        owner=None,
        csf=kpi.csf,
        objective=kpi.objective,
        measure=kpi.measure,
        benefit_basis=(
            f"({kpi.show(current)} - {kpi.show(target.value)}) x {records} records / {len(window)} "
            f"periods x {7 if kpi.grain == 'D' else 1} periods a week = "
            f"{abs(per_week):.0f} "
            + (
                "hours of lead time"
                if kpi.measure == "duration"
                else f"records x {config.kinds.hours(kpi.source):g} h per record"
            )
        ),
    )

"""Favourable lasting moves: lessons to embed (ITIL step 7), filed as kind ``improvement``.

The detectors keep only adverse findings; a KPI that got better and stayed better is worth
knowing too, so that what caused it is kept. A KPI's series is folded into whole weeks
counted back from the scan night (records-weighted mean of its periods); it is an
improvement when

- each of the last ``weeks`` weeks beats the median of the ``baseline_weeks`` before them,
- the recent median is at least ``min_rel_change`` better than that baseline median,
- and every week judged has ``min_records`` records (blanked holidays and edges do not count).

An improvement is a lesson, not an action item: it has its own kind, so owners can filter
it out, and its target is to hold the new level.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from flows.config.kinds_spec import ImprovementSpec
from flows.config.model import KpiSpec, ScanConfig
from flows.kpis.compute import ALL, dimension_columns
from flows.select.opportunities import MISSING, Opportunity, week_index, week_start

__all__ = ["CENSORED_WEEKS", "find_improvements", "weekly_values"]

#: The latest weeks may be blank (records not yet closed): judge the weeks before them.
CENSORED_WEEKS = 4


def weekly_values(series: pd.DataFrame, as_of: date, weeks: int) -> pd.DataFrame:
    """Fold one KPI series (``period``, ``value``, ``n``) into weeks back from ``as_of``.

    Returns ``value`` (records-weighted mean) and ``n`` per week index, oldest first.

    Examples
    --------
    >>> s = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=14),
    ...                   "value": [1.0] * 7 + [2.0] * 7, "n": [10] * 14})
    >>> weekly_values(s, date(2024, 1, 14), 2)["value"].tolist()
    [1.0, 2.0]
    """
    # A period is labelled by its first instant; place it by its middle (a day ending the
    # night belongs to week 0, not to the week before).
    week = week_index(series["period"] + pd.Timedelta(hours=12), as_of)
    kept = series.assign(week=week)[week.notna() & (week < weeks)].dropna(subset=["value"])
    weights = kept["n"].clip(lower=1)
    folded = (
        kept.assign(wv=kept["value"] * weights, w=weights).groupby("week")[["wv", "w", "n"]].sum()
    )
    out = pd.DataFrame({"value": folded["wv"] / folded["w"], "n": folded["n"]})
    return out.reindex(range(weeks)).sort_index(ascending=False)


def find_improvements(
    kpi_frame: pd.DataFrame, spec: ImprovementSpec, config: ScanConfig, as_of: date
) -> list[Opportunity]:
    """Return the KPIs (totals, or also slices) that improved and held it, largest move first."""
    if kpi_frame.empty:
        return []
    dims = dimension_columns(kpi_frame)
    total_weeks = spec.weeks + spec.baseline_weeks
    # Only the weeks judged are folded (a week more, to be safe at its edge): a replay's
    # later nights would otherwise fold each series' whole history, night after night.
    rows = kpi_frame[kpi_frame["period"] >= week_start(total_weeks + CENSORED_WEEKS, as_of)]
    if spec.totals_only and dims:
        rows = rows[(rows[dims] == ALL).all(axis=1)]
    found: list[tuple[float, Opportunity]] = []
    for kpi in config.kpis:
        own = rows[rows["kpi"] == kpi.name]
        for key, series in own.groupby(dims, sort=False) if dims else [((), own)]:
            folded = weekly_values(series, as_of, total_weeks + CENSORED_WEEKS)
            weekly = _complete(folded, spec.min_records)
            weekly = weekly.iloc[-total_weeks:]
            if len(weekly) < total_weeks:
                continue
            recent, base = weekly.iloc[-spec.weeks :], weekly.iloc[: spec.baseline_weeks]
            if weekly["n"].isna().any() or (weekly["n"] < spec.min_records).any():
                continue
            base_median = float(base["value"].median())
            now = float(recent["value"].median())
            sign = 1.0 if kpi.better == "lower" else -1.0
            if base_median == 0 or not (sign * (recent["value"] - base_median) < 0).all():
                continue
            change = sign * (base_median - now) / abs(base_median)
            if change < spec.min_rel_change:
                continue
            values = key if isinstance(key, tuple) else (key,)
            if MISSING in values:
                continue
            dimensions = {d: str(v) for d, v in zip(dims, values, strict=True) if v != ALL}
            found.append(
                (
                    change,
                    _opportunity(
                        kpi, spec, config, dimensions, weekly, base_median, now, change, as_of
                    ),
                )
            )
    found.sort(key=lambda pair: -pair[0])
    return [opportunity for _, opportunity in found[: spec.top]]


def _complete(weekly: pd.DataFrame, min_records: int) -> pd.DataFrame:
    """Drop the latest weeks without a value on enough records yet (censored)."""
    valued = (weekly["value"].notna() & (weekly["n"] >= min_records)).to_numpy()
    last = len(valued) - int(np.argmax(valued[::-1])) if valued.any() else 0
    return weekly.iloc[:last]


def _opportunity(
    kpi: KpiSpec,
    spec: ImprovementSpec,
    config: ScanConfig,
    dimensions: dict[str, str],
    weekly: pd.DataFrame,
    base_median: float,
    now: float,
    change: float,
    as_of: date,
) -> Opportunity:
    series = pd.Series(
        weekly["value"].to_numpy(float), index=[week_start(int(w), as_of) for w in weekly.index]
    )
    recent = weekly.iloc[-spec.weeks :]
    start = week_start(int(recent.index[0]), as_of)
    end = week_start(int(recent.index[-1]), as_of) + pd.Timedelta(days=6)
    per_week = float(recent["n"].mean())
    gain = abs(base_median - now)
    each = config.kinds.hours(kpi.source)
    moved = f"({base_median:.3g} - {now:.3g})"
    if kpi.measure == "duration":  # lead time, not effort: waiting the customers no longer do
        saved, unit = gain * per_week, "hours"
        basis = f"{moved} h x {per_week:.0f} records a week = {saved:.0f} hours of lead time"
    elif kpi.measure == "rate":
        saved, unit = gain * per_week, "records"
        basis = f"{moved} x {per_week:.0f} records a week = {saved:.0f} records x {each:g} h"
    else:
        periods = 7 if kpi.grain == "D" else 1
        saved, unit = gain * periods, "records"
        basis = f"{moved} x {periods} periods a week = {saved:.0f} records x {each:g} h"
    hours = saved if unit == "hours" else saved * each
    slice_text = ", ".join(f"{k}={v}" for k, v in dimensions.items()) or "all records"
    return Opportunity(
        kind="improvement",
        dataset=kpi.source,
        kpi=kpi.name,
        unit=kpi.unit,
        better=kpi.better,
        dimensions=dimensions,
        start=start,
        end=end,
        current=now,
        records=int(recent["n"].sum()),
        reference=series.iloc[: spec.baseline_weeks],
        target=now,
        excess_per_week=saved,
        hours_per_week=hours,
        score=float(np.clip(change / (2 * spec.min_rel_change), 0.5, 1.0)),
        headline=f"{kpi.name} improved {change:.0%} and held it for {spec.weeks} weeks",
        detail=(
            f"Lesson: {kpi.name} ({kpi.unit}) for {slice_text} has been better than its "
            f"earlier median {base_median:.3g} in each of the last {spec.weeks} weeks "
            f"(median {now:.3g}, {change:.0%} better) since {start:%Y-%m-%d}. That saving, about "
            f"{saved:.0f} {unit} a week, is banked already: find out what changed and keep it."
        ),
        series=series,
        detector="LastingImprovement",
        params={
            "weeks": spec.weeks,
            "baseline_weeks": spec.baseline_weeks,
            "min_rel_change": spec.min_rel_change,
        },
        owner=None,
        csf=kpi.csf,
        objective=kpi.objective,
        measure=kpi.measure,
        benefit_basis=f"banked already, not to win: {basis} a week; lost if it relapses",
        benefit_kind="banked",
    )

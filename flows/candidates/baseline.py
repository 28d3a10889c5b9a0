"""The baseline snapshot: where the KPI stood before the event, compared like with like.

ITIL's "where are we now?" needs point A *before* the change. The snapshot of one KPI slice:

- ends before the event's onset (a trend's onset is where its fitted line starts), and
  before the last days just ahead of it that already stand at the event's level
  (``lead_in``): a detector may date an onset late, e.g. when a shift began on
  blanked holidays;
- leaves out blanked periods (holidays, extract edges, partial or thin periods are NaN in
  the KpiFrame) and counts them under ``excluded``;
- compares like with like: a daily KPI is compared on the weekdays the event covers, over
  whole weeks, going back until each of those weekdays has ``MIN_PER_WEEKDAY`` clean values
  (at most ``MAX_WEEKS``); ``comparison`` records which;
- states its level (the median, or the pooled rate for shares) and a prediction interval at
  ``BAND_LEVEL`` for the event's level if nothing had changed (a bootstrap of baseline
  periods, weekday by weekday), clipped to the KPI's domain.

When the history cannot give a clean baseline, the snapshot says so (``clean`` false,
``reason``) and carries no statistics: nothing is invented.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from flows.candidates.domain import clip
from flows.config.kpi_spec import KpiSpec

__all__ = [
    "BAND_LEVEL",
    "CURRENT_PERIODS",
    "MAX_WEEKS",
    "MIN_PER_WEEKDAY",
    "baseline_snapshot",
    "current_rows",
    "level_of",
]

#: A long event (a slow trend) is judged by where it stands now: its last periods.
CURRENT_PERIODS = 7
MIN_PER_WEEKDAY = 4
#: Accepted when MAX_WEEKS of history still leave a weekday short of MIN_PER_WEEKDAY.
MIN_PER_WEEKDAY_FLOOR = 3
MAX_WEEKS = 12
MIN_WEEKLY_PERIODS = 4
WEEKLY_PERIODS = 12
BAND_LEVEL = 0.95
_DRAWS = 2000
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def level_of(rows: pd.DataFrame, spec: KpiSpec) -> float:
    """Return the level of some periods: the pooled rate for shares, else the median.

    A period median of a rare flag is often 0 while one record in twenty is flagged:
    shares are pooled over the records behind them.
    """
    valued = rows.dropna(subset=["value"])
    if valued.empty:
        return math.nan
    if spec.is_share:
        n = valued["n"].to_numpy(dtype="float64")
        total = n.sum()
        return float((valued["value"].to_numpy() * n).sum() / total) if total else math.nan
    return float(valued["value"].median())


def current_rows(series: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return the event's valued periods that tell where it stands: its last few."""
    during = series[(series["period"] >= start) & (series["period"] <= end)]
    return during.dropna(subset=["value"]).tail(CURRENT_PERIODS)


def _daily_rows(
    before: pd.DataFrame, onset: pd.Timestamp, weekdays: list[int]
) -> tuple[pd.DataFrame, pd.Timestamp, bool]:
    """Return the baseline rows on ``weekdays`` in whole weeks before ``onset``."""
    valued = before.dropna(subset=["value"])
    days = valued["period"].dt.day_of_week
    rows, lo = valued.iloc[:0], onset
    for weeks in range(4, MAX_WEEKS + 1):
        lo = onset - pd.Timedelta(days=7 * weeks)
        rows = valued[(valued["period"] >= lo) & days.isin(weekdays)]
        counts = rows["period"].dt.day_of_week.value_counts().reindex(weekdays, fill_value=0)
        if counts.min() >= MIN_PER_WEEKDAY:
            return rows, lo, True
    counts = rows["period"].dt.day_of_week.value_counts().reindex(weekdays, fill_value=0)
    return rows, lo, bool(counts.min() >= MIN_PER_WEEKDAY_FLOOR)


def _event_onset(before: pd.DataFrame, onset: pd.Timestamp, event_level: float) -> pd.Timestamp:
    """Move ``onset`` back over the valued days of the week before it nearer the event's level.

    Those days belong to the event, not to its baseline. The level they are held against
    is the median of the four weeks before that week; the walk stops at the first day
    nearer that median than the event's level.
    """
    valued = before.dropna(subset=["value"])
    week = onset - pd.Timedelta(days=7)
    lead = valued[valued["period"] >= week]
    earlier = valued[(valued["period"] < week) & (valued["period"] >= week - pd.Timedelta(days=28))]
    if lead.empty or earlier.empty or not math.isfinite(event_level):
        return onset
    usual = float(earlier["value"].median())
    for period, value in zip(lead["period"][::-1], lead["value"][::-1], strict=True):
        if abs(value - event_level) >= abs(value - usual):
            break
        onset = period
    return onset


def _band(base: pd.DataFrame, now: pd.DataFrame, spec: KpiSpec, daily: bool) -> list[float] | None:
    """Prediction interval for the level of ``now``'s periods had nothing changed.

    Each of the event's periods is drawn from the baseline periods of its own weekday
    (daily KPIs) or from all of them, ``_DRAWS`` times; the band is the central
    ``BAND_LEVEL`` of the resulting levels.
    """
    rng = np.random.default_rng(0)  # the same evidence on every run
    values = base["value"].to_numpy(dtype="float64")
    weights = base["n"].to_numpy(dtype="float64")
    pools = base["period"].dt.day_of_week.to_numpy() if daily else np.zeros(len(base), int)
    keys = now["period"].dt.day_of_week.to_numpy() if daily else np.zeros(len(now), int)
    if not len(keys):
        return None
    picks = np.empty((_DRAWS, len(keys)), dtype=int)
    for j, key in enumerate(keys):
        pool = np.flatnonzero(pools == key)
        pool = pool if pool.size else np.arange(len(values))
        picks[:, j] = rng.choice(pool, size=_DRAWS)
    if spec.is_share:
        n = weights[picks]
        levels = (values[picks] * n).sum(axis=1) / np.maximum(n.sum(axis=1), 1.0)
    else:
        levels = np.median(values[picks], axis=1)
    tail = (1 - BAND_LEVEL) / 2 * 100
    low, high = np.percentile(levels, [tail, 100 - tail])
    return [clip(float(low), spec), clip(float(high), spec)]


def _unclean(spec: KpiSpec, reason: str, excluded: int) -> dict[str, Any]:
    return {
        "clean": False,
        "reason": reason,
        "start": None,
        "end": None,
        "n": 0,
        "records": 0,
        "median": None,
        "mean": None,
        "p10": None,
        "p90": None,
        "level": None,
        "excluded": excluded,
        "grain": spec.grain,
        "unit": spec.unit,
    }


def baseline_snapshot(
    series: pd.DataFrame, onset: pd.Timestamp, now: pd.DataFrame, spec: KpiSpec
) -> dict[str, Any]:
    """Return the frozen baseline snapshot of one KPI slice for an event starting at ``onset``.

    Parameters
    ----------
    series : pandas.DataFrame
        The slice's ``period``, ``value``, ``n``, sorted; blanked periods are NaN.
    onset : pandas.Timestamp
        The event's first period; the baseline ends before it.
    now : pandas.DataFrame
        The event's periods its level is read from (see :func:`current_rows`); their
        weekdays choose the baseline's, and the band is for their level.
    spec : KpiSpec
        The KPI (grain, measure, unit).

    Returns
    -------
    dict
        ``start``, ``end``, ``n``, ``records``, ``median``, ``mean``, ``p10``, ``p90``,
        ``std``, ``values``, ``level``, ``level_stat``, ``comparison``, ``weekdays``,
        ``band``, ``band_level``, ``band_method``, ``excluded``, ``clean`` (and ``reason``
        when not clean).

    Examples
    --------
    >>> from flows.config.kpi_spec import KpiSpec
    >>> spec = KpiSpec(name="k", source="s", measure="count", date="d", unit="n",
    ...                better="lower", csf="c", objective="o")
    >>> days = pd.date_range("2024-01-01", periods=60, freq="D")
    >>> s = pd.DataFrame({"period": days, "value": 10.0, "n": 10})
    >>> snap = baseline_snapshot(s, days[56], s.iloc[56:57], spec)
    >>> snap["end"] < days[56], snap["comparison"], snap["n"], snap["lead_in"]
    (True, 'same weekdays (Mon)', 4, 0)

    A shift that began two days before its detected onset: those days are left out.

    >>> s.loc[54:, "value"] = 30.0
    >>> snap = baseline_snapshot(s, days[56], s.iloc[56:57], spec)
    >>> snap["end"] < days[54], snap["lead_in"], snap["median"]
    (True, 2, 10.0)
    """
    detected = onset
    onset = _event_onset(series[series["period"] < onset], onset, level_of(now, spec))
    ahead = series[(series["period"] >= onset) & (series["period"] < detected)]
    lead_in = int(ahead["value"].notna().sum())
    before = series[series["period"] < onset]
    daily = spec.grain == "D"
    if daily:
        weekdays = sorted(set(now["period"].dt.day_of_week)) or list(range(7))
        rows, lo, clean = _daily_rows(before, onset, weekdays)
        span = before[before["period"] >= lo]
        comparison = (
            "whole weeks (all weekdays)"
            if len(weekdays) == 7
            else f"same weekdays ({', '.join(_DAY_NAMES[d] for d in weekdays)})"
        )
        shortfall = (
            f"fewer than {MIN_PER_WEEKDAY_FLOOR} clean values per weekday in the "
            f"{MAX_WEEKS} weeks before {onset:%Y-%m-%d}"
        )
    else:
        rows = before.dropna(subset=["value"]).tail(WEEKLY_PERIODS)
        span = before[before["period"] >= rows["period"].min()] if len(rows) else before.iloc[:0]
        clean, weekdays, comparison = len(rows) >= MIN_WEEKLY_PERIODS, [], "weekly periods"
        shortfall = (
            f"{len(rows)} clean weekly periods before {onset:%Y-%m-%d}; {MIN_WEEKLY_PERIODS} needed"
        )
    excluded = int(span["value"].isna().sum())
    if not clean or rows.empty:
        return _unclean(spec, shortfall, excluded)
    if not rows["n"].any():
        # A slice with no records before (a new site, a new code) did not move: it began.
        return _unclean(spec, f"the slice had no records before {onset:%Y-%m-%d}", excluded)
    values = rows["value"].to_numpy(dtype="float64")
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return {
        "clean": True,
        "start": rows["period"].iloc[0],
        "end": rows["period"].iloc[-1],
        "n": int(values.size),
        "records": int(rows["n"].sum()),
        "median": float(median),
        "mean": float(values.mean()),
        "p10": float(p10),
        "p90": float(p90),
        "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
        "values": [float(v) for v in values],
        "level": level_of(rows, spec),
        "level_stat": "pooled rate" if spec.is_share else "median",
        "comparison": comparison,
        "weekdays": [_DAY_NAMES[d] for d in weekdays],
        "band": _band(rows, now, spec, daily),
        "band_level": BAND_LEVEL,
        "band_method": "bootstrap of baseline periods" + (", weekday by weekday" if daily else ""),
        "excluded": excluded,
        "lead_in": lead_in,
        "grain": spec.grain,
        "unit": spec.unit,
    }

"""Leave holidays and censored extract edges out of the detectors' view, and say so.

A public holiday halves a day's volume and slows what was opened before it; the extract's
edges hold a biased subset of records. Both move KPIs for reasons no service manager can
act on, so :func:`exclude_periods` blanks those periods (``value`` becomes NaN; ``n`` is
kept) before detection and returns one :class:`Exclusion` per KPI and period, with why.
Weekday seasonality needs nothing here: the detectors compare a day with the same weekday.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import pandas as pd

from flows.config.model import CalendarSpec, KpiSpec, ScanConfig
from flows.load.edges import censored_periods
from flows.load.records import RecordFrame

__all__ = ["Exclusion", "adjacent_days", "exclude_periods", "holiday_days", "summarise"]


@dataclass(frozen=True)
class Exclusion:
    """One KPI period left out of detection, and why."""

    kpi: str
    period: pd.Timestamp
    reason: str


def holiday_days(spec: CalendarSpec, first: date, last: date) -> dict[date, str]:
    """Return the working days lost between ``first`` and ``last``: holidays and bridges.

    A bridge day is a weekday squeezed between a holiday and a weekend (the Friday after a
    Thursday holiday), which most staff take off as well.

    Examples
    --------
    >>> days = holiday_days(CalendarSpec(country="NL"), date(2013, 12, 20), date(2013, 12, 31))
    >>> [(str(d), name) for d, name in sorted(days.items())]
    [('2013-12-25', 'Christmas Day'), ('2013-12-26', 'Second Day of Christmas'), \
('2013-12-27', 'bridge day after Second Day of Christmas')]
    """
    years = tuple(range(first.year, last.year + 1))
    calendar = _calendar(spec.country, spec.subdivision, tuple(spec.categories), years)
    named = {d: n for d, n in calendar.items() if first <= d <= last}
    named.update({d: n for d, n in spec.extra_dates.items() if first <= d <= last})
    lost = {d: n for d, n in named.items() if d.weekday() < 5}
    for day, name in list(lost.items()):
        if day.weekday() == 3:  # Thursday holiday: Friday is bridged
            lost.setdefault(day + timedelta(days=1), f"bridge day after {name}")
        if day.weekday() == 1:  # Tuesday holiday: Monday is bridged
            lost.setdefault(day - timedelta(days=1), f"bridge day before {name}")
    return dict(sorted(lost.items()))


def adjacent_days(lost: dict[date, str]) -> dict[date, str]:
    """Return the working days next to lost ones: the eve and the first day back.

    Work is pulled forward before a long weekend and piles up after it, so these days
    carry the holiday's effect on daily volumes too.

    Examples
    --------
    >>> sorted(str(d) for d in adjacent_days({date(2016, 3, 25): "Good Friday"}))
    ['2016-03-24', '2016-03-28']
    """
    out: dict[date, str] = {}
    for day, name in lost.items():
        for step, label in ((-1, f"eve of {name}"), (1, f"first working day after {name}")):
            near = day + timedelta(days=step)
            while near.weekday() >= 5 or near in lost:
                near += timedelta(days=step)
            out.setdefault(near, label)
    return out


@functools.lru_cache(maxsize=32)
def _calendar(
    country: str, subdivision: str | None, categories: tuple[str, ...], years: tuple[int, ...]
) -> dict[date, str]:
    # Built once per replay: the holidays package takes ~10 ms per country and year.
    days = holidays.country_holidays(
        country, subdiv=subdivision, years=years, categories=categories
    )
    return {d: str(n) for d, n in days.items()}


def exclude_periods(
    kpi_frame: pd.DataFrame, frames: Mapping[str, RecordFrame], config: ScanConfig, as_of: date
) -> tuple[pd.DataFrame, list[Exclusion]]:
    """Blank the holiday and censored-edge periods of every KPI; return what was blanked."""
    if kpi_frame.empty:
        return kpi_frame, []
    exclusions: list[Exclusion] = []
    for kpi in config.kpis:
        periods = kpi_frame.loc[kpi_frame["kpi"] == kpi.name, "period"].drop_duplicates()
        if periods.empty:
            continue
        grid = pd.DatetimeIndex(periods.sort_values())
        source = config.source(kpi.source)
        reasons = censored_periods(frames[kpi.source].records, source, kpi, grid, as_of)
        if source.calendar is not None:
            for period, why in _holiday_periods(source.calendar, kpi, grid).items():
                reasons.setdefault(period, why)
        exclusions += [Exclusion(kpi.name, p, why) for p, why in sorted(reasons.items())]
    if not exclusions:
        return kpi_frame, []
    keys = pd.MultiIndex.from_tuples([(e.kpi, e.period) for e in exclusions])
    hit = pd.MultiIndex.from_frame(kpi_frame[["kpi", "period"]]).isin(keys)
    masked = kpi_frame.copy()
    masked.loc[hit, "value"] = float("nan")
    return masked, exclusions


def summarise(exclusions: list[Exclusion]) -> list[str]:
    """One line per reason: the periods it blanked and the KPIs it touched."""
    by_reason: dict[str, tuple[set[str], set[str]]] = {}
    for e in exclusions:
        kpis, periods = by_reason.setdefault(e.reason, (set(), set()))
        kpis.add(e.kpi)
        periods.add(f"{e.period:%Y-%m-%d}")
    return [
        f"excluded {', '.join(sorted(periods))} ({reason}) from {len(kpis)} KPI(s): "
        f"{', '.join(sorted(kpis))}"
        for reason, (kpis, periods) in by_reason.items()
    ]


def _holiday_periods(
    spec: CalendarSpec, kpi: KpiSpec, grid: pd.DatetimeIndex
) -> dict[pd.Timestamp, str]:
    """Map each period holding a lost working day to the day's name."""
    # Holidays are known ahead: tonight may be the eve of tomorrow's holiday.
    last = grid[-1] + pd.Timedelta(days=13 if kpi.grain == "W" else 7)
    lost = holiday_days(spec, grid[0].date(), last.date())
    if kpi.grain == "D" and spec.adjacent_days:
        lost = {**adjacent_days(lost), **lost}
    out: dict[pd.Timestamp, str] = {}
    for day, name in lost.items():
        stamp = pd.Timestamp(day)
        period = stamp - pd.Timedelta(days=stamp.day_of_week) if kpi.grain == "W" else stamp
        if period in grid:
            out.setdefault(period, f"holiday {spec.country}: {name}")
    return out

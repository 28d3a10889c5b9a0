"""The three batches the gate validates for one source, and their run-time parameters.

- ``records``: the records as known at the end of ``as_of`` (the same view the KPIs use),
  so a failure in a record the scan cannot see yet does not block it. The ``schema`` suite
  checks the same frame's columns and types.
- ``profile``: one row of whole-extract counts: per date column the values that failed
  to parse (from :attr:`RecordFrame.date_failures`), that are past the as-of horizon or
  past today, or written in a second format; per number column the values that are not
  numbers; missing event dates; and the days of history up to ``as_of``.
- ``daily``: one row per day of the event date up to ``as_of``: records, the ratio to
  the same weekday nearby, the extract edges, and the recent volume window.

Suites stay static (a golden test pins them); anything that depends on ``as_of`` or on
history reaches GX as an expectation parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from flows.config.gate_spec import GateSpec
from flows.config.kpi_spec import CalendarSpec
from flows.gate.suites import SuitePlan
from flows.load.as_of import records_as_of
from flows.load.calendars import holiday_days
from flows.load.records import RecordFrame

__all__ = ["DAY", "GateBatches", "build_batches"]

#: The partition name for days of the event date.
DAY = "day"
_NEARBY_WEEKS = 4
_NONE = "(none)"  # flows.load.records' label for an empty dimension value


@dataclass(frozen=True)
class GateBatches:
    """The frames to validate and the parameters of their expectations."""

    records: pd.DataFrame
    profile: pd.DataFrame
    daily: pd.DataFrame
    parameters: dict[str, Any]
    rows_after_as_of: int

    @property
    def schema(self) -> pd.DataFrame:
        """The frame whose columns and types the schema suite checks: the records."""
        return self.records

    def schema_key(self) -> tuple[tuple[str, str], ...] | None:
        """Return what the schema suite's result depends on: the columns and their types.

        None when a column holds Python objects: GX checks those value by value, so the
        result depends on the rows too.
        """
        types = self.records.dtypes
        if any(kind == np.dtype(object) for kind in types):
            return None
        return tuple((str(name), str(kind)) for name, kind in types.items())


def build_batches(
    frame: RecordFrame,
    plan: SuitePlan,
    as_of: date,
    extract_start: date | None = None,
    calendar: CalendarSpec | None = None,
) -> GateBatches:
    """Build the gate's batches for one source as of ``as_of``.

    Days before ``extract_start`` (a declared extract's first day) are outside the
    extract, so the daily batch, and its first edge, start there. Days the ``calendar``
    marks as holidays or bridges are flagged: a quiet holiday is not a cut-off extract.
    """
    dates, event_date, gate = list(plan.dates), plan.event_date, plan.gate
    records = frame.records
    if event_date in records.columns:
        view = records_as_of(frame, [d for d in dates if d in records.columns], event_date, as_of)
        view = view.reset_index(drop=True)
        events = records[event_date]
    else:  # the schema check reports it; validate what there is
        view = records.reset_index(drop=True)
        events = pd.Series(pd.NaT, index=records.index, dtype="datetime64[us]")
    for column in plan.dimensions:
        if column in view.columns:  # sources fill empty dimension values with a label
            view[column] = view[column].mask(view[column] == _NONE)
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    horizon = cutoff + pd.Timedelta(days=gate.future_tolerance_days)
    today = pd.Timestamp(datetime.now(UTC).date()) + pd.Timedelta(days=1)
    impossible = today + pd.Timedelta(days=gate.future_tolerance_days)
    profile: dict[str, list[Any]] = {"rows": [len(records)]}
    for column in dates:
        values = records[column] if column in records.columns else events
        unparsed = frame.date_failures.get(column, 0)
        non_empty = int(values.notna().sum()) + unparsed
        profile[f"{column}.unparsed"] = [unparsed]
        profile[f"{column}.unparsed_share"] = [unparsed / non_empty if non_empty else 0.0]
        profile[f"{column}.after_horizon"] = [int((values >= horizon).sum())]
        _counted(profile, f"{column}.after_today", int((values >= impossible).sum()), non_empty)
        mixed = frame.date_format_mixes.get(column, 0)
        _counted(profile, f"{column}.mixed_formats", mixed, non_empty)
    for column in plan.numbers:
        bad = frame.number_failures.get(column, 0)
        _counted(profile, f"{column}.non_numeric", bad, frame.number_values.get(column, 0))
    # unparsable event dates are NaT too; count only the ones that were empty in the file
    unparsed_events = frame.date_failures.get(event_date, 0)
    missing = int(events.isna().sum()) - unparsed_events
    profile[f"{event_date}.missing"] = [missing]
    profile[f"{event_date}.missing_share"] = [missing / len(records) if len(records) else 0.0]
    seen = view[event_date].dt.floor("D").nunique() if event_date in view.columns else 0
    profile[f"{event_date}.history_days"] = [int(seen)]
    daily = _daily(view, event_date, gate, as_of, extract_start, calendar)
    parameters = {
        "as_of_horizon": horizon.to_pydatetime(),
        "fresh_since": (
            pd.Timestamp(as_of) - pd.Timedelta(days=gate.freshness_max_age_days)
        ).to_pydatetime(),
        **_volume_bounds(daily, gate),
    }
    return GateBatches(
        records=view,
        profile=pd.DataFrame(profile),
        daily=daily,
        parameters=parameters,
        rows_after_as_of=int((events >= cutoff).sum()),
    )


def _counted(profile: dict[str, list[Any]], name: str, count: int, total: int) -> None:
    """Add a count and its share of ``total`` to the profile row."""
    profile[name] = [count]
    profile[f"{name}_share"] = [count / total if total else 0.0]


def _daily(
    view: pd.DataFrame,
    event_date: str,
    gate: GateSpec,
    as_of: date,
    start: date | None,
    calendar: CalendarSpec | None,
) -> pd.DataFrame:
    last = pd.Timestamp(as_of)
    days = view[event_date].dt.floor("D") if event_date in view.columns else pd.Series([])
    counts = days.value_counts()
    first = min(counts.index.min(), last) if len(counts) else last
    if start is not None:
        first = min(max(first, pd.Timestamp(start)), last)
    index = pd.date_range(first, last, freq="D", name=DAY)
    n = counts.reindex(index, fill_value=0).astype("int64")
    lost = holiday_days(calendar, first.date(), last.date()) if calendar else {}
    holiday = pd.Series(index.date, index=index).isin(list(lost))
    usual = n.where(~holiday).astype("float64")  # holidays would drag the reference down
    nearby = [usual.shift(k * 7) for k in range(-_NEARBY_WEEKS, _NEARBY_WEEKS + 1) if k]
    reference = pd.concat(nearby, axis=1).median(axis=1, skipna=True)
    ratio = (n / reference.where(reference > 0)).astype("float64")
    position = np.arange(len(n))
    return pd.DataFrame(
        {
            DAY: index,
            "n": n.to_numpy(),
            "weekday_ratio": ratio.to_numpy(),
            "edge": (position == 0) | (position == len(n) - 1),
            "holiday": holiday.to_numpy(),
            "recent": position >= len(n) - gate.volume_window_days,
        }
    )


def _volume_bounds(daily: pd.DataFrame, gate: GateSpec) -> dict[str, float | None]:
    """Bounds for the recent window's total: the median earlier window times the ratios."""
    width = gate.volume_window_days
    earlier = daily["n"].to_numpy()[: -width or None]
    sums = [
        earlier[len(earlier) - (k + 1) * width : len(earlier) - k * width].sum()
        for k in range(gate.volume_history_windows)
        if len(earlier) >= (k + 1) * width
    ]
    if not sums:
        return {"volume_min": None, "volume_max": None}
    typical = float(np.median(sums))
    return {
        "volume_min": typical * gate.volume_min_ratio,
        "volume_max": typical * gate.volume_max_ratio,
    }

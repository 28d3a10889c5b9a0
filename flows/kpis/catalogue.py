"""The KPI catalogue: what each ``measure`` means for one record, and the checks on its inputs.

:func:`record_values` turns records into one value per record (1 for counts, hours for
durations, 0/1 for rates and links) plus whether that value is final as of the scan;
:func:`backlog_values` counts open records at each period end, which no per-record value
can express. :func:`check_inputs` turns a KPI that cannot be computed from the data into
one clear :class:`KpiError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from flows.config.model import KpiSpec
from flows.errors import KpiError
from flows.load.records import RecordFrame

__all__ = ["KpiError", "backlog_values", "check_inputs", "record_values"]

_MIN_PERIODS = 2


def check_inputs(records: pd.DataFrame, kpi: KpiSpec, freq: str, as_of: date) -> None:
    """Raise KpiError when an input column is empty or the grain does not fit the data.

    A grain fits when the KPI's dates (or ``as_of``) span two periods or more, and a daily grain
    needs dates on more than one weekday (weekly-stamped data cannot be read per day).
    """
    for column in kpi.inputs():
        if records[column].isna().all():
            raise KpiError(f"KPI {kpi.name!r}: input column {column!r} has no values")
    dates = records[kpi.date].dropna()
    first = dates.min().to_period(freq)
    last = max(dates.max(), pd.Timestamp(as_of)).to_period(freq)
    periods = last.ordinal - first.ordinal + 1
    if periods < _MIN_PERIODS:
        raise KpiError(
            f"KPI {kpi.name!r}: grain {kpi.grain!r} gives {max(periods, 0)} period(s) from "
            f"{dates.min():%Y-%m-%d} to {last.end_time:%Y-%m-%d}; use a finer grain"
        )
    if kpi.grain == "D" and dates.dt.day_of_week.nunique() == 1 and len(dates) > _MIN_PERIODS:
        raise KpiError(
            f"KPI {kpi.name!r}: grain 'D' but every {kpi.date!r} falls on the same weekday "
            "(weekly-stamped data); use grain 'W'"
        )


def record_values(
    records: pd.DataFrame, kpi: KpiSpec, frames: Mapping[str, RecordFrame]
) -> tuple[pd.Series, pd.Series]:
    """Per record: the measured value and whether it is final as of the scan."""
    index = records.index
    if kpi.measure == "count":
        return pd.Series(1.0, index=index), pd.Series(True, index=index)
    if kpi.measure == "duration":
        assert kpi.start and kpi.end
        hours = (records[kpi.end] - records[kpi.start]).dt.total_seconds() / 3600.0
        done = records[kpi.complete_when or kpi.end].notna()
        return hours.where(done), done
    if kpi.measure == "linked":
        linked = _linked(records, kpi, frames).astype("float64")
        return linked, pd.Series(True, index=index)
    assert kpi.flag
    raw = records[kpi.flag]
    if pd.api.types.is_datetime64_any_dtype(raw):  # a date flag is true once it is set
        flag = raw.notna().astype("float64")
    elif kpi.above is not None:
        flag = (raw.astype("float64") > kpi.above).astype("float64").where(raw.notna())
    else:
        flag = raw.astype("float64")
    value = 1.0 - flag if kpi.negate else flag
    done = records[kpi.complete_when].notna() if kpi.complete_when else flag.notna()
    return value.where(done), done


def backlog_values(
    records: pd.DataFrame, kpi: KpiSpec, labels: pd.Series, freq: str, as_of: date
) -> pd.DataFrame:
    """Open records at each period end, per label (slice): ``slice``, ``period``, ``value``.

    A record is open at a period's end when it started on or before it and had not ended
    by then; an end not yet known (NaT as of the scan) keeps it open, unless the record
    reached ``complete_when`` (e.g. closed with no resolution time recorded).
    """
    assert kpi.start and kpi.end
    start = records[kpi.start]
    known = start.notna()
    opened = start[known].dt.to_period(freq)
    end = records[kpi.end]
    if kpi.complete_when:  # closed without a resolution time: no longer open once closed
        end = end.fillna(records[kpi.complete_when])
    ended = end[known].dt.to_period(freq)
    frame = pd.DataFrame({"slice": labels[known].to_numpy(), "open": opened, "end": ended})
    ins = frame.groupby(["slice", "open"]).size()
    outs = frame.dropna(subset=["end"]).groupby(["slice", "end"]).size()
    grid = pd.period_range(opened.min(), pd.Timestamp(as_of).to_period(freq), freq=freq)
    index = pd.MultiIndex.from_product([frame["slice"].unique(), grid])
    moves = ins.reindex(index, fill_value=0) - outs.reindex(index, fill_value=0)
    # A record ending in period p is no longer open at p's end: outs count in their own period.
    level = moves.groupby(level=0).cumsum()
    out = level.rename("value").reset_index()
    out.columns = pd.Index(["slice", "period", "value"])
    out["period"] = out["period"].dt.start_time
    out["value"] = out["value"].astype("float64")
    return out


def _linked(records: pd.DataFrame, kpi: KpiSpec, frames: Mapping[str, RecordFrame]) -> pd.Series:
    """Whether each record follows a linked record within the window, or names one."""
    link = kpi.link
    assert link is not None
    other = frames[link.source].records[[link.other_key, link.date]].dropna()
    other = other.rename(columns={link.other_key: "key", link.date: "at"})
    other["key"] = other["key"].astype("string")
    mine = pd.DataFrame(
        {"key": records[link.key].astype("string"), "at": records[kpi.date], "row": records.index}
    ).dropna()
    matched = pd.merge_asof(
        mine.sort_values("at"),
        other.sort_values("at").rename(columns={"at": "other_at"}),
        left_on="at",
        right_on="other_at",
        by="key",
        direction="backward",
        tolerance=pd.Timedelta(days=link.within_days),
    )
    hit = pd.Series(False, index=records.index)
    hit.loc[matched.loc[matched["other_at"].notna(), "row"].to_numpy()] = True
    if link.related:
        hit |= records[link.related].notna()
    return hit

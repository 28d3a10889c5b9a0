"""Turn GX expectation results into :class:`Failure` items, and confine them to partitions.

A failed expectation becomes a Failure naming its check, column, severity and
unexpected count. A critical failure whose unexpected rows fall in a few small
partitions (days of the event date first, then each dimension) is confined to them, so
it blocks only those partitions instead of the whole source.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from flows.config.gate_spec import SEVERITIES, GateSpec, Severity
from flows.gate.frames import DAY, GateBatches
from flows.gate.result import Failure
from flows.gate.suites import SuitePlan

__all__ = ["failure_from", "without_implied"]

# Profile measures whose failure reads better as a sentence than as "measure = value".
_PHRASES = {
    "after_today": "{count} date(s) after today",
    "mixed_formats": "{count} value(s) written in a second date format",
    "non_numeric": "{count} value(s) are not numbers",
}


def failure_from(stage: str, r: Any, batches: GateBatches, plan: SuitePlan) -> Failure:
    """Return the Failure that the failed expectation result ``r`` of ``stage`` reports."""
    config = r.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or (
        "+".join(kwargs["column_list"])
        if kwargs.get("column_list")
        else f"{kwargs.get('column_B')}<={kwargs.get('column_A')}"
    )
    result = r.result or {}
    severity: Severity = config.severity.value
    count: int | None = result.get("unexpected_count")
    observed = result.get("observed_value")
    partitions: dict[str, list[str]] = {}
    if stage == "profile":
        base, _, measure = column.rpartition(".")
        counter = column.removesuffix("_share")
        count = int(batches.profile[counter].iloc[0]) if counter in batches.profile else None
        shown = _short(batches.profile[column].iloc[0])
        counted = f" ({count})" if counter != column else ""
        detail = f"{measure.replace('_', ' ')} = {shown}{counted}; expected {_bounds(kwargs, {})}"
        phrase = _PHRASES.get(counter.rpartition(".")[2])
        if phrase is not None:
            share = float(batches.profile[column].iloc[0])
            limit = kwargs.get("max_value")
            detail = f"{phrase.format(count=count)} ({share:.1%}); tolerated <= {limit:.1%}"
        elif measure == "history_days":
            needed = int(kwargs["min_value"])
            detail = (
                f"too little history: {count} day(s) with records up to "
                f"{batches.daily[DAY].max():%Y-%m-%d}; a baseline needs >= {needed}"
            )
        column = base
    elif count is None and observed is not None:
        if "proportion_of_non_null" in config.type:
            count = round((1 - float(observed)) * len(batches.records))
        detail = f"observed {_short(observed)}; expected {_bounds(kwargs, batches.parameters)}"
    else:
        sample = [_short(v) for v in (result.get("partial_unexpected_list") or [])[:3]]
        detail = f"{count} unexpected" + (f", e.g. {', '.join(sample)}" if sample else "")
    if config.meta.get("check") == "date_order" and count:
        later, earlier = kwargs.get("column_A"), kwargs.get("column_B")
        detail = f"{count} record(s) with {later} before {earlier}; " + detail
    if config.meta.get("check") == "negative_values" and count:
        shown_values = [_short(v) for v in (result.get("partial_unexpected_list") or [])[:3]]
        detail = f"{count} negative value(s), e.g. {', '.join(shown_values)}"
    if config.type == "expect_column_to_exist":
        detail = f"column {column!r} is missing"
    if r.exception_info and r.exception_info.get("raised_exception"):
        detail = f"error: {str(r.exception_info.get('exception_message')).splitlines()[0]}"
    index = result.get("unexpected_index_list")
    if severity == "critical" and index:
        if stage == "records":
            partitions = _confine(batches.records, index, plan)
        elif stage == "daily" and len(index) <= plan.gate.max_blocked_partitions:
            days = batches.daily[DAY].iloc[list(index)]
            partitions = {DAY: sorted(days.dt.strftime("%Y-%m-%d"))}
    return Failure(
        stage=stage,
        expectation=config.type,
        column=column,
        check=str(config.meta.get("check", stage)),
        severity=severity,
        unexpected_count=None if count is None else int(count),
        detail=detail,
        partitions=partitions,
    )


def _bounds(kwargs: dict[str, Any], parameters: dict[str, Any]) -> str:
    def value(v: Any) -> Any:
        return parameters.get(v["$PARAMETER"]) if isinstance(v, dict) else v

    low, high = value(kwargs.get("min_value")), value(kwargs.get("max_value"))
    above = f"{'>' if kwargs.get('strict_min') else '>='} {_short(low)}"
    below = f"<= {_short(high)}"
    if low is not None and high is not None:
        return f"{above} and {below}"
    return above if low is not None else below


def _short(value: Any) -> str:
    """Render an observed or unexpected value briefly: rounded numbers, ISO timestamps."""
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_short(v) for v in value) + ")"
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, np.datetime64 | datetime | pd.Timestamp):
        return str(pd.Timestamp(value).isoformat())
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _confine(records: pd.DataFrame, index: list[Any], plan: SuitePlan) -> dict[str, list[str]]:
    """Return the partition the unexpected rows fall in, if few small partitions hold them."""
    gate: GateSpec = plan.gate
    rows = np.asarray(index, dtype="int64")
    for column in (plan.event_date, *plan.dimensions):
        if column not in records.columns:
            continue
        keys = records[column]
        if column == plan.event_date:
            keys = keys.dt.floor("D")
        bad = keys.iloc[rows]
        if bad.isna().any():
            continue
        values = bad.unique()
        if len(values) > gate.max_blocked_partitions:
            continue
        if float(keys.isin(values).mean()) <= gate.max_blocked_share:
            if column == plan.event_date:
                return {DAY: sorted(pd.Timestamp(v).strftime("%Y-%m-%d") for v in values)}
            return {column: sorted(str(v) for v in values)}
    return {}


def without_implied(failures: list[Failure]) -> list[Failure]:
    """Drop failures implied by others: a missing column's, and the milder tier of a check."""
    missing = {f.column for f in failures if f.expectation == "expect_column_to_exist"}
    kept = [
        f
        for f in failures
        if f.expectation == "expect_column_to_exist"
        or not any(part in missing for part in re.split(r"<=|\+", str(f.column)))
    ]
    worst: dict[str, Failure] = {}
    for f in kept:
        if f.key not in worst or SEVERITIES.index(f.severity) < SEVERITIES.index(
            worst[f.key].severity
        ):
            worst[f.key] = f
    return [f for f in kept if worst[f.key] is f]

"""One function per stage that returns that stage's ExpectationSuite for a source.

Severity follows GX's own levels: ``critical`` blocks detection for the source (or only
the partition a failure is confined to), ``warning`` lets the scan go on with a caveat on
every finding, ``info`` is recorded and shown in Data Docs only. Each expectation's
``meta.check`` names the check family it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.config.gate_spec import GateSpec

__all__ = ["NOTES", "SuitePlan", "daily_suite", "profile_suite", "records_suite", "schema_suite"]

_DATE_TYPES = ["datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ns]"]
_TYPES = {
    "date": _DATE_TYPES,
    "boolean": ["BooleanDtype", "bool"],
    "number": ["float64", "int64", "Float64Dtype", "Int64Dtype"],
    "string": ["StringDtype"],
}


@dataclass(frozen=True)
class SuitePlan:
    """What the suites of one source check, resolved from its config."""

    source: str
    columns: tuple[str, ...]
    id_column: str
    event_date: str
    dates: tuple[str, ...]
    booleans: tuple[str, ...]
    numbers: tuple[str, ...]
    dimensions: tuple[str, ...]
    kpi_columns: tuple[str, ...]
    gate: GateSpec


#: Why each check family exists; shown with every expectation in Data Docs.
NOTES = {
    "schema": "A mapped column is missing or has the wrong type: the KPIs cannot be trusted.",
    "ids": "Duplicated records are counted twice by every count and rate KPI.",
    "key_nulls": "Records without an id or event date cannot be placed or counted.",
    "all_null": "An entirely empty column means a broken extract or mapping.",
    "completeness": "More empty values than this dataset usually has.",
    "domains": "Values outside the reviewed list: a new code, or a corrupted one.",
    "date_order": "An end before its start makes durations negative.",
    "unparsable_dates": "Dates that did not parse are left out of every KPI.",
    "future_dates": (
        "Dates after the as-of day (+ tolerance): a replayed extract, or a clock error. "
        "Records opened later are not validated or used at as_of."
    ),
    "impossible_dates": (
        "Dates after today (the wall clock, + tolerance) cannot be real: a typo'd year, "
        "a clock error, or a swapped day and month."
    ),
    "mixed_date_formats": (
        "Two date shapes in one column (2016-03-05 among 05/03/2016): two writers, and "
        "day and month may be swapped silently."
    ),
    "non_numeric": "Text in a number column: those values are left out of every KPI.",
    "negative_values": "A count or duration below zero cannot be real.",
    "history": "Too few days with records up to as_of to build a baseline: nothing can be found.",
    "freshness": "The latest record is too old for as_of: the extract is stale.",
    "volume": "The last window holds far fewer or more records than the windows before it.",
    "edge_completeness": (
        "The first or last day holds far fewer records than the same weekday nearby "
        "(holidays excepted): a cut-off extract; only that day is blocked."
    ),
}


def _expect(kind: str, check: str, severity: str, **kwargs: Any) -> Any:
    import great_expectations.expectations as gxe

    cls = getattr(gxe, kind)
    kwargs.setdefault("notes", NOTES[check])
    return cls(severity=severity, meta={"check": check}, **kwargs)


def _suite(name: str, expectations: list[Any]) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=expectations)


def schema_suite(plan: SuitePlan) -> Any:
    """Check that every mapped column is there, with its type."""
    out = [_expect("ExpectColumnToExist", "schema", "critical", column=c) for c in plan.columns]
    typed = [(c, "date") for c in plan.dates] + [(c, "boolean") for c in plan.booleans]
    typed += [(c, "number") for c in plan.numbers]
    typed += [(c, "string") for c in (plan.id_column, *plan.dimensions)]
    out += [
        _expect(
            "ExpectColumnValuesToBeInTypeList", "schema", "critical", column=c, type_list=_TYPES[t]
        )
        for c, t in typed
    ]
    return _suite(f"{plan.source}.schema", out)


def records_suite(plan: SuitePlan) -> Any:
    """Check ids, key nulls, all-null columns, completeness, domains, signs and date order."""
    gate = plan.gate
    out = _uniqueness(plan)
    for column in dict.fromkeys([plan.id_column, plan.event_date, *gate.key_columns]):
        out.append(_expect("ExpectColumnValuesToNotBeNull", "key_nulls", "critical", column=column))
    used = {plan.id_column, plan.event_date, *plan.dimensions, *plan.kpi_columns}
    for column in plan.columns:
        out.append(
            _expect(
                "ExpectColumnProportionOfNonNullValuesToBeBetween",
                "all_null",
                "critical" if column in used else "warning",
                column=column,
                min_value=0,
                strict_min=True,
            )
        )
    for column, share in sorted(gate.completeness.items()):
        out.append(
            _expect(
                "ExpectColumnProportionOfNonNullValuesToBeBetween",
                "completeness",
                "warning",
                column=column,
                min_value=share,
            )
        )
    for column, values in sorted(gate.domains.items()):
        out.append(
            _expect(
                "ExpectColumnValuesToBeInSet",
                "domains",
                gate.domain_severity,
                column=column,
                value_set=sorted(values),
            )
        )
    for column in plan.numbers:
        if column not in gate.allow_negative:
            out.append(
                _expect(
                    "ExpectColumnValuesToBeBetween",
                    "negative_values",
                    "critical",
                    column=column,
                    min_value=0,
                )
            )
    for earlier, later in gate.date_order:
        out.append(
            _expect(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                "date_order",
                "critical",
                column_A=later,
                column_B=earlier,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    return _suite(f"{plan.source}.records", out)


def _uniqueness(plan: SuitePlan) -> list[Any]:
    """Tiered: any duplicate is a warning, more than ``max_duplicate_share`` is critical."""
    key = plan.gate.unique_key or [plan.id_column]
    share = plan.gate.max_duplicate_share
    tiers = [("critical", 1.0 - share)] + ([("warning", 1.0)] if share > 0 else [])
    target: dict[str, Any] = {"column": key[0]} if len(key) == 1 else {"column_list": key}
    kind = "ExpectColumnValuesToBeUnique" if len(key) == 1 else "ExpectCompoundColumnsToBeUnique"
    return [
        _expect(kind, "ids", severity, **target, **({"mostly": mostly} if mostly < 1 else {}))
        for severity, mostly in tiers
    ]


def profile_suite(plan: SuitePlan) -> Any:
    """Check whole-extract sanity: unparsable, missing, future and impossible values, history.

    Unparsable and missing event dates are tiered: any at all is a warning (those records
    are left out of every KPI), more than the configured share is critical. Impossible
    values (dates after today, a second date format, text in a number column) are tiered
    the same way around ``max_impossible_share``. Too few days of history is critical.
    """
    gate = plan.gate
    event = plan.event_date
    out = []
    for column in plan.dates:
        tiers = [("warning", 0.0)]
        if column == event:
            tiers.append(("critical", gate.max_unparsed_share))
        out += [
            _expect(
                "ExpectColumnValuesToBeBetween",
                "unparsable_dates",
                severity,
                column=f"{column}.unparsed_share",
                max_value=share,
            )
            for severity, share in tiers
        ]
    out += [
        _expect(
            "ExpectColumnValuesToBeBetween",
            "key_nulls",
            severity,
            column=f"{event}.missing_share",
            max_value=share,
        )
        for severity, share in (("warning", 0.0), ("critical", gate.max_missing_event_share))
    ]
    for column in plan.dates:
        out.append(
            _expect(
                "ExpectColumnValuesToBeBetween",
                "future_dates",
                gate.future_severity,
                column=f"{column}.after_horizon",
                max_value=0,
            )
        )
    impossible = [(c, "after_today", "impossible_dates") for c in plan.dates]
    impossible += [(c, "mixed_formats", "mixed_date_formats") for c in plan.dates]
    impossible += [(c, "non_numeric", "non_numeric") for c in plan.numbers]
    for column, measure, check in impossible:
        out += [
            _expect(
                "ExpectColumnValuesToBeBetween",
                check,
                severity,
                column=f"{column}.{measure}_share",
                max_value=share,
            )
            for severity, share in (("warning", 0.0), ("critical", gate.max_impossible_share))
        ]
    out.append(
        _expect(
            "ExpectColumnValuesToBeBetween",
            "history",
            "critical",
            column=f"{event}.history_days",
            min_value=gate.min_history_days,
        )
    )
    return _suite(f"{plan.source}.profile", out)


def daily_suite(plan: SuitePlan) -> Any:
    """Check freshness against as_of, recent volume against history, and the extract edges."""
    from great_expectations.expectations.row_conditions import Column

    return _suite(
        f"{plan.source}.daily",
        [
            _expect(
                "ExpectColumnMaxToBeBetween",
                "freshness",
                "critical",
                column="day",
                min_value={"$PARAMETER": "fresh_since"},
                row_condition=Column("n") > 0,
            ),
            _expect(
                "ExpectColumnSumToBeBetween",
                "volume",
                "warning",
                column="n",
                min_value={"$PARAMETER": "volume_min"},
                max_value={"$PARAMETER": "volume_max"},
                row_condition=Column("recent") == True,  # noqa: E712 (a GX condition)
            ),
            _expect(
                "ExpectColumnValuesToBeBetween",
                "edge_completeness",
                "critical",
                column="weekday_ratio",
                min_value=plan.gate.edge_min_ratio,
                row_condition=(Column("edge") == True) & (Column("holiday") == False),  # noqa: E712
            ),
        ],
    )

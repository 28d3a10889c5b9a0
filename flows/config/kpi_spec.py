"""The KPI half of the config schema: KPI definitions, calendars, extract edges, drill-down.

Re-exported by :mod:`flows.config.model`; kept apart so each module stays one idea. A KPI is a
declarative definition over one source's canonical columns, see :class:`KpiSpec` and the
catalogue in ``examples/README.md``.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "SHARE_MEASURES",
    "CalendarSpec",
    "DrilldownSpec",
    "ExtractSpec",
    "KpiSpec",
    "LinkSpec",
    "Measure",
    "show_value",
]

Measure = Literal["count", "duration", "rate", "backlog", "linked"]
#: Measures whose values are shares of records: kept as shares, shown as percentages.
SHARE_MEASURES = frozenset({"rate", "linked"})
Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarSpec(_Strict):
    """Where a source's work happens: its public holidays leave the detectors' view.

    ``country`` and ``subdivision`` are ISO codes understood by the ``holidays`` package;
    ``categories`` adds e.g. ``optional`` days (Brazil's Carnival, Corpus Christi), and
    ``extra_dates`` adds company closures. With ``adjacent_days``, daily KPIs also leave
    out the working days either side of a holiday. Weekday seasonality needs no setting: daily
    series are compared weekday by weekday.
    """

    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = None
    categories: list[str] = ["public"]
    extra_dates: dict[date, str] = {}
    adjacent_days: bool = Field(
        default=True, description="daily KPIs also leave out each holiday's eve and the day after"
    )


class ExtractSpec(_Strict):
    """Which records an extract holds, so that its censored edges can be masked.

    An extract of records *closed* between two dates (``column`` = the close date) lacks
    the records opened near its end that closed later, and holds only the long-lived
    records opened before its start. Periods before ``start`` and periods where more than
    ``max_missing_share`` of the records are estimated to be missing are left out.
    ``start`` and ``end`` default to the column's first and last day in the data.
    """

    column: str
    start: date | None = None
    end: date | None = None
    max_missing_share: float = Field(0.05, gt=0, lt=1)


class LinkSpec(_Strict):
    """Link each record to records of another source: "incident follows a change".

    A record is linked when the other source has a record with the same ``key`` value
    (e.g. the configuration item) whose ``date`` lies in the ``within_days`` before the
    record's own date, or when the record's ``related`` column names a record explicitly.
    """

    source: str
    key: str
    other_key: str
    date: str
    within_days: int = Field(7, ge=0, le=365)
    related: str | None = None


def show_value(value: float | None, share: bool) -> str:
    """Format a value for people: ``12.3 %`` for a share, 3 significant digits otherwise.

    The one formatter of every number an entry shows, so title, description and plot agree.

    Examples
    --------
    >>> show_value(0.1234, True), show_value(1234.5, False), show_value(float("nan"), False)
    ('12.3 %', '1.23e+03', 'n/a')
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.3g} %" if share else f"{value:.3g}"


class KpiSpec(_Strict):
    """A KPI over one source, computed per period, overall and per dimension value.

    ``measure`` is one of:
    - ``count``: records whose ``date`` falls in the period;
    - ``duration``: ``stat`` (median, p90, mean) of ``end - start`` in hours, per ``date`` period;
    - ``rate``: share of records where ``flag`` is true (or false with ``negate``); with
      ``above``, ``flag`` is a number and the record counts when it exceeds ``above``;
      a date ``flag`` (e.g. a reopen time) counts once it is set;
    - ``backlog``: records open (``start`` set, ``end`` not yet) at the end of each period;
    - ``linked``: share of records linked to another source, see :class:`LinkSpec`.

    ``where`` keeps only the records whose columns hold the given value, or one of the
    listed values (``priority: ["1 - Critical", "2 - High"]``), before anything is counted.
    """

    name: str
    source: str
    measure: Measure
    date: str
    start: str | None = None
    end: str | None = None
    stat: Literal["median", "p90", "mean"] = "median"
    flag: str | None = None
    above: float | None = None
    negate: bool = False
    link: LinkSpec | None = None
    unit: str
    better: Literal["lower", "higher"]
    grain: Literal["D", "W"] = "D"
    dimensions: list[str] = []
    where: dict[str, Scalar | list[Scalar]] = Field(
        default={}, description="column -> value or list of values the records must hold"
    )
    min_records: int = Field(5, ge=1, description="periods with fewer records are left empty")
    min_slice_records: int = Field(
        200, ge=1, description="dimension values with fewer records in all are not tracked"
    )
    complete_when: str | None = Field(
        None,
        description="a record counts in duration/rate values only once this date column is set "
        "(defaults to 'end'); periods below min_complete_share are left empty (censoring)",
    )
    min_complete_share: float = Field(0.9, gt=0, le=1)
    csf: str
    objective: str
    target_improvement: float = Field(
        0.2, gt=0, lt=1, description="suggested target: this share better than the baseline level"
    )
    target: float | None = Field(
        None, description="an absolute target (a share for rates); suggested targets follow it"
    )

    @model_validator(mode="after")
    def _inputs_for_measure(self) -> KpiSpec:
        needs = {
            "duration": ("start", "end"),
            "backlog": ("start", "end"),
            "rate": ("flag",),
            "linked": ("link",),
        }.get(self.measure, ())
        missing = [field for field in needs if getattr(self, field) is None]
        if missing:
            raise ValueError(
                f"KPI {self.name!r}: measure {self.measure!r} needs {' and '.join(missing)}"
            )
        share = self.is_share
        if self.target is not None and not (0 <= self.target <= (1 if share else math.inf)):
            raise ValueError(
                f"KPI {self.name!r}: target {self.target} is outside "
                f"{'[0, 1] (a share)' if share else '[0, inf)'}"
            )
        empty = [column for column, values in self.where.items() if values == []]
        if empty:
            raise ValueError(f"KPI {self.name!r}: where.{empty[0]} is an empty list")
        return self

    @property
    def is_share(self) -> bool:
        """Whether the values are shares of records: kept as shares, shown as percentages."""
        return self.measure in SHARE_MEASURES

    @property
    def domain(self) -> tuple[float, float | None]:
        """The values the KPI can take: a share is in [0, 1], anything else is >= 0."""
        return (0.0, 1.0) if self.is_share else (0.0, None)

    def show(self, value: float | None) -> str:
        """Format a value for people: ``12.3 %`` for shares, 3 significant digits otherwise.

        Examples
        --------
        >>> rate = KpiSpec(name="r", source="s", measure="rate", flag="f", date="d",
        ...                unit="share", better="lower", csf="c", objective="o")
        >>> rate.show(0.1234), rate.show(None)
        ('12.3 %', 'n/a')
        """
        return show_value(value, self.is_share)

    def inputs(self) -> list[str]:
        """Return the canonical columns of its own source this KPI reads."""
        link = self.link
        columns = [self.date, self.start, self.end, self.flag, self.complete_when]
        columns += [link.key, link.related] if link else []
        return [c for c in dict.fromkeys(columns) if c] + list(self.dimensions)

    def kept(self) -> dict[str, list[Scalar]]:
        """Return the ``where`` filter with every condition as a list of allowed values."""
        return {col: v if isinstance(v, list) else [v] for col, v in self.where.items()}


class DrilldownSpec(_Strict):
    """How findings are grouped and ranked before they are filed.

    A slice finding is absorbed as a driver when its KPI's total moved too. A slice
    finding on a flat total is filed only when its excess is at least ``min_impact_share``
    of the total's baseline (a tiny team's bad week is not a service manager's problem).
    At most ``max_findings`` findings are filed per night, best first.
    """

    max_drivers: int = Field(default=2, ge=1, le=20, description="per dimension")
    min_driver_share: float = Field(default=0.1, gt=0, le=1)
    min_impact_share: float = Field(default=0.05, ge=0, le=1)
    max_findings: int = Field(default=5, ge=1)
    breaks: bool = True

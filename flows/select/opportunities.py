"""What the standing and process detectors hand the candidate stage, and their week grid.

Anomaly detection hands over :class:`detectors.Finding`; the kinds beyond anomalies hand over
one :class:`Opportunity` each: what is measured, where it stands now, what it stood at over
the reference window, the target, and the evidence that names the culprits. A detector never
builds a register candidate itself; :mod:`flows.candidates.standing` does.

Weeks are counted back from the scan night: week 0 is the seven days ending with ``as_of``,
so a scan on any weekday judges whole weeks and never a partial last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from flows.config.model import SourceSpec

__all__ = [
    "KINDS",
    "MISSING",
    "Culprit",
    "Opportunity",
    "OpportunityKind",
    "day_end",
    "usable_weeks",
    "week_index",
    "week_start",
]

OpportunityKind = Literal["hotspot", "target_gap", "handover", "change_impact", "improvement"]
#: The entry kinds beyond anomalies, as filed in the register (see DESIGN.md).
KINDS: tuple[OpportunityKind, ...] = (
    "hotspot",
    "target_gap",
    "handover",
    "change_impact",
    "improvement",
)

#: What the loader puts in an empty dimension: no team, no CI. Never a culprit.
MISSING = "(none)"


@dataclass(frozen=True)
class Culprit:
    """One named item behind an opportunity: a CI, a team pair, a change, with its numbers."""

    name: str
    value: float
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Opportunity:
    """One opportunity found by a standing or process detector.

    ``current`` is the value over ``[start, end]``; ``reference`` are the per-period values
    over the window before it (its snapshot becomes the entry's baseline); ``target`` is where
    the owner should get to. ``excess_per_week`` is what closing the gap saves, in records of
    ``dataset`` per week (``hours_per_week`` in hours), the ranking key of the one cap;
    ``benefit_basis`` says in words how they were computed, and ``benefit_kind`` what they
    are: work ``saved`` by closing the gap; ``load`` to move elsewhere (a team's excess: no
    hours saved); or ``banked`` already (a lesson's: what a relapse would lose, not a saving
    still to win). Only a ``saved`` benefit ranks.
    """

    kind: OpportunityKind
    dataset: str
    kpi: str
    unit: str
    better: Literal["lower", "higher"]
    dimensions: dict[str, str]
    start: pd.Timestamp
    end: pd.Timestamp
    current: float
    records: int
    reference: pd.Series
    target: float
    excess_per_week: float
    hours_per_week: float
    score: float
    headline: str
    detail: str
    series: pd.Series
    detector: str
    params: dict[str, float | int | str]
    owner: str | None = None
    csf: str = ""
    objective: str = ""
    culprits: tuple[Culprit, ...] = field(default_factory=tuple)
    #: The KPI's measure when it has one ("rate" for shares of records, shown as percentages).
    measure: str | None = None
    benefit_basis: str = ""
    benefit_kind: Literal["saved", "load", "banked"] = "saved"


def day_end(as_of: date) -> pd.Timestamp:
    """Return the end of the scan night: everything strictly before it was known."""
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def week_index(stamps: pd.Series, as_of: date) -> pd.Series:
    """Return each time's week counted back from ``as_of`` (0 = the last seven days)."""
    age: pd.Series = (day_end(as_of) - stamps).dt.total_seconds() / 86400.0
    weeks: pd.Series = (age // 7).astype("Int64")
    return weeks


def week_start(index: int, as_of: date) -> pd.Timestamp:
    """Return the first day of week ``index`` counted back from ``as_of``."""
    return day_end(as_of) - pd.Timedelta(days=7 * (index + 1))


def usable_weeks(source: SourceSpec, as_of: date, weeks: int) -> list[int]:
    """Return the week indices in ``[0, weeks)`` that lie wholly inside the source's extract.

    An extract's edges hold only part of the records (those closed inside it): a week
    that straddles them would show a biased mix, so it is not judged.
    """
    extract = source.extract
    keep = []
    for index in range(weeks):
        first = week_start(index, as_of)
        last = first + pd.Timedelta(days=7)
        if (
            extract is not None
            and extract.start is not None
            and first < pd.Timestamp(extract.start)
        ):
            continue
        if (
            extract is not None
            and extract.end is not None
            and last > pd.Timestamp(extract.end) + pd.Timedelta(days=1)
        ):
            continue
        keep.append(index)
    return keep

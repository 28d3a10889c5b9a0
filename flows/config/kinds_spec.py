"""The config of the standing and process kinds: hotspots, targets, handovers, change impact.

Read from the top-level ``kinds:`` mapping. Anomalies (spikes, shifts, trends) are changes in
a KPI series; these kinds are opportunities that are there even when nothing changed:
a slice carrying a far larger share than its peers (``hotspot``), a KPI missing its absolute
target or SLA (``target_gap``), work bouncing between teams (``handover``), changes followed
by incident waves (``change_impact``) and favourable lasting moves to keep (``improvement``).
Every kind is off unless configured; all of them compete with the anomalies for one cap per
scan (``max_entries``), ranked by expected benefit in hours.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ChangeImpactSpec",
    "CountSpec",
    "HandoverSpec",
    "HotspotSpec",
    "ImprovementSpec",
    "KindsSpec",
    "TargetSpec",
    "check_kinds",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountSpec(_Strict):
    """Records of one source counted per key value: "incidents by CI", "interactions by CI".

    ``key_columns`` hold the key; a record counts once per distinct value
    among them (an incident caused by one CI and affecting another counts for both).
    """

    source: str
    key_columns: list[str] = Field(min_length=1)
    date: str
    label: str = Field(description="what is counted, plural: 'incidents', 'interactions'")


class HotspotSpec(_Strict):
    """A slice carrying a far larger share of the volume than its peers, week after week.

    The first of ``counts`` decides: a value qualifies when its share of the last ``weeks``
    weeks is at least ``min_share`` and at least ``min_ratio`` times the next-but-one
    value's (a Pareto head, not the first of equals), and it held ``min_share`` in at least
    ``persist`` of those weeks. The other counts are reported beside it.
    """

    name: str = Field(description="the entry's KPI name, e.g. 'ci_incident_share'")
    dimension: str = Field(description="what the key is, e.g. 'ci' or 'team'")
    counts: list[CountSpec] = Field(min_length=1)
    weeks: int = Field(8, ge=2, le=52)
    min_share: float = Field(0.05, gt=0, lt=1)
    min_ratio: float = Field(2.0, ge=1)
    persist: float = Field(0.75, gt=0, le=1)
    top: int = Field(1, ge=1, le=10, description="at most this many hotspots per scan")
    exclude: list[str] = Field(default=[], description="key values that are no real slice")
    benefit: Literal["avoidable", "load"] = Field(
        "avoidable",
        description="'avoidable': the records above the next value's share are work that "
        "removing a cause saves (a CI, a service); 'load': the value is who does the work "
        "(a team), so they are load to move and save no hours",
    )
    owner: str = "problem-manager"
    csf: str = "Stable services"
    objective: str = "Remove the causes of recurring incidents (problem management)"


class TargetSpec(_Strict):
    """An absolute target or SLA for one KPI, judged over the last ``window_days``.

    A slice (or the total) files a ``target_gap`` when its pooled value over the window
    misses ``value`` beyond chance (rates: one-sided binomial test at ``alpha``; other
    measures: the window's periods sit beyond the target in at least ``persist`` of them).
    """

    kpi: str
    value: float
    window_days: int = Field(28, ge=7, le=365)
    alpha: float = Field(0.01, gt=0, lt=0.5)
    persist: float = Field(0.75, gt=0, le=1)
    min_records: int = Field(200, ge=1)
    slices: bool = Field(True, description="also judge each tracked dimension value")
    top: int = Field(1, ge=1, le=10, description="at most this many gaps per KPI and scan")


class HandoverSpec(_Strict):
    """Handovers between teams, from an event log with one row per activity.

    Consecutive events of one record with different teams are a handover; A -> B -> A is a
    ping-pong. Records are judged by the date of their last event; a team pair is filed when
    its ping-pongs in the last ``weeks`` reach ``min_pingpongs``.
    """

    source: str
    key: str = "id"
    team: str = "team"
    at: str = Field(description="the event's time")
    order: list[str] = Field(default=[], description="tie-breakers within one time, e.g. a counter")
    context: str | None = Field(None, description="a column naming the category behind a pair")
    ignore_teams: list[str] = []
    weeks: int = Field(8, ge=1, le=52)
    min_pingpongs: int = Field(50, ge=1)
    top: int = Field(1, ge=1, le=10)
    owner: str = "incident-process-owner"
    csf: str = "Right first time"
    objective: str = "Route incidents to the right team at once"


class ChangeImpactSpec(_Strict):
    """Incidents and interactions on a change's CIs after it, against a matched window before.

    For each change ending in the last ``lookback_days``, records on its CIs in the
    ``window_days`` after its end are compared with the same number of days before its
    start (same weekdays). A change is filed when the excess reaches ``min_excess`` records
    and the after-count beats the before-count beyond chance (Poisson, ``alpha``).
    """

    source: str = Field(description="the changes source")
    change_id: str = "id"
    ci: str = "ci"
    start: str = Field(description="when the change's work began")
    end: str = Field(description="when the change's work ended")
    change_type: str | None = None
    counts: list[CountSpec] = Field(min_length=1)
    window_days: int = Field(7, ge=1, le=60)
    lookback_days: int = Field(14, ge=1)
    max_duration_days: int = Field(30, ge=1, description="longer changes are placeholders")
    min_excess: int = Field(20, ge=1)
    alpha: float = Field(0.001, gt=0, lt=0.5)
    top: int = Field(1, ge=1, le=10)
    owner: str = "change-manager"
    csf: str = "Successful changes"
    objective: str = "Changes do not cause incidents"


class ImprovementSpec(_Strict):
    """A favourable move that lasted: the last ``weeks`` all beat the ``baseline_weeks`` before.

    Filed as a lesson (kind ``improvement``) when the weekly values beat the baseline median
    in every one of the recent weeks and the recent median is ``min_rel_change`` better.
    """

    weeks: int = Field(6, ge=2, le=26)
    baseline_weeks: int = Field(8, ge=2, le=52)
    min_rel_change: float = Field(0.2, gt=0, lt=1)
    min_records: int = Field(200, ge=1, description="per week, on the series judged")
    totals_only: bool = Field(True, description="judge only each KPI's total, not its slices")
    top: int = Field(1, ge=1, le=10)


class KindsSpec(_Strict):
    """Which opportunity kinds beyond anomalies a scan looks for, and the one cap over all."""

    max_entries: int = Field(
        8, ge=1, description="per scan, over all kinds, ranked by expected benefit in hours"
    )
    hotspots: list[HotspotSpec] = []
    targets: list[TargetSpec] = []
    handovers: list[HandoverSpec] = []
    change_impact: list[ChangeImpactSpec] = []
    improvement: ImprovementSpec | None = None
    hours_per_record: dict[str, float] = Field(
        default={},
        description="source -> hours of work one record costs (default 1), to rank in hours",
    )

    def hours(self, source: str) -> float:
        """Return the hours one record of ``source`` costs."""
        return self.hours_per_record.get(source, 1.0)


def check_kinds(kinds: KindsSpec, columns: dict[str, set[str]], kpis: list[str]) -> None:
    """Raise ValueError naming the first kind setting that names an unknown source or column.

    ``columns`` maps each source to its canonical columns; ``kpis`` are the KPI names.
    """
    wanted: list[tuple[str, str, list[str]]] = []
    for i, hot in enumerate(kinds.hotspots):
        for j, count in enumerate(hot.counts):
            wanted.append(
                (f"hotspots.{i}.counts.{j}", count.source, [*count.key_columns, count.date])
            )
    for i, hand in enumerate(kinds.handovers):
        needed = [hand.key, hand.team, hand.at, *hand.order]
        needed += [hand.context] if hand.context else []
        wanted.append((f"handovers.{i}", hand.source, needed))
    for i, change in enumerate(kinds.change_impact):
        own = [change.change_id, change.ci, change.start, change.end]
        wanted.append((f"change_impact.{i}", change.source, [*own, change.change_type or ""]))
        for j, count in enumerate(change.counts):
            wanted.append(
                (f"change_impact.{i}.counts.{j}", count.source, [*count.key_columns, count.date])
            )
    for where, source, needed in wanted:
        if source not in columns:
            raise ValueError(f"kinds.{where}: unknown source {source!r}")
        missing = [c for c in needed if c and c not in columns[source]]
        if missing:
            raise ValueError(f"kinds.{where}: {missing} not mapped in source {source!r}")
    for i, target in enumerate(kinds.targets):
        if target.kpi not in kpis:
            raise ValueError(f"kinds.targets.{i}: unknown KPI {target.kpi!r}")

"""Handover waste from an activity or audit log: team changes, ping-pongs and the time they cost.

Consecutive events of one record with different teams are a handover; a record whose work
goes A -> B -> A has a ping-pong, named by its unordered team pair. Analysts of both logs
name these loops as the main cause of delay. Over the records whose last event falls in the
last ``weeks`` whole weeks inside the extract:

- handovers per record and the share with at least one ping-pong;
- time lost per extra handover: the slope of the median lead time (first to last event)
  against the number of handovers, weighted by records (medians: lead times are skewed);
- the team pair with the most ping-pongs, the category behind most of them, and the hours
  its ping-pongs cost a week (ping-pongs x hours per extra handover).

Pure pandas: process-mining libraries with (A)GPL licences do not fit this project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from flows.config.kinds_spec import HandoverSpec
from flows.config.model import ScanConfig
from flows.load import RecordFrame
from flows.select.opportunities import (
    MISSING,
    Culprit,
    Opportunity,
    usable_weeks,
    week_index,
    week_start,
)

__all__ = ["HandoverStats", "find_handovers", "handover_stats"]


@dataclass(frozen=True)
class HandoverStats:
    """Handovers in one set of records, and the ping-pongs per record and team pair.

    ``pingpongs`` has one row per bounce: ``record``, ``pair`` (``"A <-> B"``), ``at``.
    """

    records: int
    handovers: pd.Series
    lead_hours: pd.Series
    pingpongs: pd.DataFrame

    @property
    def hours_per_handover(self) -> float:
        """The extra lead time one more handover brings, in hours (0 if not measurable)."""
        frame = pd.DataFrame({"k": self.handovers, "h": self.lead_hours}).dropna()
        groups = frame.groupby("k")["h"].agg(["median", "size"])
        groups = groups[groups["size"] >= 20]  # a median of a handful of records is noise
        if len(groups) < 2:
            return 0.0
        slope = np.polyfit(
            groups.index.to_numpy(float), groups["median"], 1, w=np.sqrt(groups["size"])
        )[0]
        return float(max(slope, 0.0))


def handover_stats(
    events: pd.DataFrame, key: str, team: str, at: str, order: tuple[str, ...] = ()
) -> HandoverStats:
    """Return the handovers and ping-pongs of ``events`` (one row per activity).

    Examples
    --------
    >>> events = pd.DataFrame({"id": ["1"] * 4, "team": ["A", "B", "A", "A"],
    ...                        "at": pd.date_range("2024-01-01", periods=4, freq="h")})
    >>> stats = handover_stats(events, "id", "team", "at")
    >>> int(stats.handovers.iloc[0]), stats.pingpongs["pair"].tolist()
    (2, ['A <-> B'])
    """
    ordered = events.dropna(subset=[key, team, at]).sort_values([key, at, *order], kind="stable")
    lead = ordered.groupby(key)[at].agg(["min", "max"])
    lead_hours = (lead["max"] - lead["min"]).dt.total_seconds() / 3600.0
    previous = ordered.groupby(key)[team].shift()
    runs = ordered[previous.isna() | (ordered[team] != previous)]
    handovers = runs.groupby(key).size() - 1
    one_back = runs.groupby(key)[team].shift(1)
    two_back = runs.groupby(key)[team].shift(2)
    bounce = runs[two_back.notna() & (runs[team] == two_back)]
    middle = one_back[bounce.index]
    here, there = bounce[team].astype(str), middle.astype(str)
    first = here <= there
    low, high = here.where(first, there), there.where(first, here)
    pingpongs = pd.DataFrame(
        {"record": bounce[key], "pair": low + " <-> " + high, "at": bounce[at]}
    ).reset_index(drop=True)
    return HandoverStats(
        records=int(lead.shape[0]),
        handovers=handovers.reindex(lead.index, fill_value=0),
        lead_hours=lead_hours,
        pingpongs=pingpongs,
    )


def find_handovers(
    frames: dict[str, RecordFrame], spec: HandoverSpec, config: ScanConfig, as_of: date
) -> list[Opportunity]:
    """Return the team pairs with the most ping-pongs over the last ``weeks``, worst first."""
    if spec.source not in frames:
        return []
    source = config.source(spec.source)
    weeks = usable_weeks(source, as_of, spec.weeks)
    if len(weeks) < spec.weeks:
        return []  # near an extract's start, only the records that closed early are there
    events = frames[spec.source].records
    events = events[~events[spec.team].isin([*spec.ignore_teams, MISSING])]
    last = events.groupby(spec.key)[spec.at].transform("max")
    week = week_index(last, as_of)
    chosen = events[week.isin(weeks)]
    stats = handover_stats(chosen, spec.key, spec.team, spec.at, tuple(spec.order))
    if stats.pingpongs.empty:
        return []
    record_week = week_index(chosen.groupby(spec.key)[spec.at].max(), as_of)
    per_pair = stats.pingpongs.groupby("pair").size().sort_values(ascending=False)
    hours_each = stats.hours_per_handover
    context = None
    if spec.context is not None:
        context = chosen.groupby(spec.key)[spec.context].first()
    found = []
    for pair, bounces in per_pair.head(spec.top).items():
        if bounces < spec.min_pingpongs:
            break
        rows = stats.pingpongs[stats.pingpongs["pair"] == pair]
        weekly = (
            record_week[rows["record"]].value_counts().reindex(weeks, fill_value=0).sort_index()
        )
        series = pd.Series(
            weekly.to_numpy(float), index=[week_start(int(w), as_of) for w in weekly.index]
        ).sort_index()
        found.append(
            _opportunity(spec, config, as_of, str(pair), rows, stats, series, hours_each, context)
        )
    return found


def _opportunity(
    spec: HandoverSpec,
    config: ScanConfig,
    as_of: date,
    pair: str,
    rows: pd.DataFrame,
    stats: HandoverStats,
    series: pd.Series,
    hours_each: float,
    context: pd.Series | None,
) -> Opportunity:
    weeks = len(series)
    bounces = len(rows)
    records = int(rows["record"].nunique())
    per_week = bounces / weeks
    with_pingpong = stats.pingpongs["record"].nunique() / max(stats.records, 1)
    culprits = [Culprit(pair, float(bounces), "ping-pongs", f"{records} records")]
    behind = ""
    if context is not None:
        top = context[rows["record"].unique()].value_counts()
        if not top.empty:
            share = top.iloc[0] / top.sum()
            behind = f" Most are {spec.context} {top.index[0]} ({share:.0%})."
            culprits.append(Culprit(str(top.index[0]), float(share), "share", spec.context or ""))
    first, end = series.index[0], series.index[-1] + pd.Timedelta(days=6)
    return Opportunity(
        kind="handover",
        dataset=spec.source,
        kpi="pingpong_handovers",
        unit="ping-pongs/week",
        better="lower",
        dimensions={"team_pair": pair},
        start=end - pd.Timedelta(days=6),
        end=end,
        current=float(series.iloc[-1]),
        records=records,
        reference=series.iloc[:-1],
        target=round(per_week / 2, 1),
        excess_per_week=per_week / 2,
        hours_per_week=per_week / 2 * hours_each,
        score=1.0 - 1.0 / (1.0 + bounces / spec.min_pingpongs),
        headline=f"ping-pong between {pair}: {bounces} bounces in {weeks} weeks",
        detail=(
            f"Work bounced back and forth between {pair} {bounces} times in {records} records "
            f"from {first:%Y-%m-%d} to {end:%Y-%m-%d} ({per_week:.0f} a week).{behind} Over "
            f"all {stats.records} records, {stats.handovers.mean():.2f} handovers per record, "
            f"{with_pingpong:.0%} with a ping-pong; each extra handover adds about "
            f"{hours_each:.1f} hours of lead time (median). Halving this pair's ping-pongs "
            f"would save about {per_week / 2 * hours_each:.0f} hours of waiting (lead time) a week."
        ),
        series=series,
        detector="PingPongHandovers",
        params={"weeks": spec.weeks, "min_pingpongs": spec.min_pingpongs},
        owner=spec.owner,
        csf=spec.csf,
        objective=spec.objective,
        culprits=tuple(culprits),
        benefit_basis=(
            f"half of the pair's {per_week:.0f} ping-pongs a week x {hours_each:.1f} h of median "
            f"lead time per extra handover (waiting time, not effort)"
        ),
    )

"""Chronic hotspots: a slice carrying a far larger share of the volume than its peers, for weeks.

A KPI that is bad from the first day never "degrades", so no change detector files it; a
CI with 29 % of all incidents month after month is still the first input of problem
management. A value is a hotspot when, over the last ``weeks`` whole weeks inside the extract,

- its Pareto share (records involving it / all records) is at least ``min_share``,
- that share is at least ``min_ratio`` times the next value's (a head, not one of equals),
- and it held ``min_share`` in at least ``persist`` of the weeks (not one bad month).

Records are counted by distinct id, so an event log (one row per activity) counts
incidents touched, and a record naming the value in two key columns counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from flows.config.kinds_spec import CountSpec, HotspotSpec
from flows.config.kpi_spec import show_value
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

__all__ = ["Shares", "find_hotspots", "weekly_shares"]


@dataclass(frozen=True)
class Shares:
    """Records per (key value, week), all records per week, each value's share of the span."""

    by_key: pd.Series
    per_week: pd.Series
    share: pd.Series
    records: int


def weekly_shares(
    frame: RecordFrame, count: CountSpec, id_column: str, as_of: date, weeks: list[int]
) -> Shares:
    """Count records by key value and week over the chosen weeks, by distinct id.

    Records are distinct ids: a record in two weeks counts in each week, but once in the
    span's share (records naming the value / all records).

    Examples
    --------
    >>> from pathlib import Path
    >>> records = pd.DataFrame({"id": ["1", "2", "3"], "ci": ["a", "a", "b"],
    ...                         "at": pd.to_datetime(["2024-01-30", "2024-01-31", "2024-01-31"])})
    >>> frame = RecordFrame("s", Path("x"), "h", records, 3, {})
    >>> spec = CountSpec(source="s", key_columns=["ci"], date="at", label="incidents")
    >>> s = weekly_shares(frame, spec, "id", date(2024, 1, 31), [0])
    >>> int(s.by_key.loc[("a", 0)]), int(s.per_week.loc[0]), round(float(s.share["a"]), 2)
    (2, 3, 0.67)
    """
    records = frame.records
    week = week_index(records[count.date], as_of)
    inside = week.isin(weeks)
    ids = pd.DataFrame({"id": records.loc[inside, id_column], "week": week[inside]})
    pairs = pd.concat(
        [ids.assign(key=records.loc[inside, key]) for key in count.key_columns], ignore_index=True
    ).dropna()
    pairs = pairs[pairs["key"] != MISSING]
    total = ids.drop_duplicates().groupby("week").size()
    by_key = pairs.drop_duplicates().groupby(["key", "week"]).size()
    everyone = int(ids["id"].nunique())
    share = pairs.drop_duplicates(["id", "key"]).groupby("key").size() / max(everyone, 1)
    return Shares(by_key, total, share, everyone)


def find_hotspots(
    frames: dict[str, RecordFrame], spec: HotspotSpec, config: ScanConfig, as_of: date
) -> list[Opportunity]:
    """Return the hotspots of ``spec`` as known at the end of ``as_of``, largest share first."""
    lead = spec.counts[0]
    if lead.source not in frames:
        return []
    source = config.source(lead.source)
    weeks = usable_weeks(source, as_of, spec.weeks)
    if len(weeks) < max(2, round(spec.persist * spec.weeks)):
        return []  # too few whole weeks inside the extract to call anything chronic
    counted = weekly_shares(frames[lead.source], lead, source.id_column, as_of, weeks)
    by_key, total, everyone = counted.by_key, counted.per_week, counted.records
    if total.empty:
        return []
    shares = counted.share.drop(spec.exclude, errors="ignore").sort_values(ascending=False)
    found: list[Opportunity] = []
    for rank, (value, share) in enumerate(shares.head(spec.top).items()):
        peer = float(shares.iloc[rank + 1]) if len(shares) > rank + 1 else 0.0
        peer_name = str(shares.index[rank + 1]) if len(shares) > rank + 1 else "none"
        weekly = (by_key.xs(value, level="key") / total).reindex(total.index, fill_value=0.0)
        held = int((weekly >= spec.min_share).sum())
        if share < spec.min_share or share < spec.min_ratio * peer:
            break
        if held < spec.persist * len(weekly):
            continue
        found.append(
            _opportunity(
                spec,
                config,
                frames,
                as_of,
                str(value),
                float(share),
                (peer_name, peer),
                weekly,
                everyone,
                held,
            )
        )
    return found


def _opportunity(
    spec: HotspotSpec,
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    as_of: date,
    value: str,
    share: float,
    next_one: tuple[str, float],
    weekly: pd.Series,
    everyone: int,
    held: int,
) -> Opportunity:
    lead = spec.counts[0]
    peer_name, peer = next_one
    series = pd.Series(
        weekly.to_numpy(), index=[week_start(int(w), as_of) for w in weekly.index]
    ).sort_index()
    records = round(share * everyone)
    culprits = [Culprit(lead.label, share, "share", f"{records} of {everyone}")]
    for other in spec.counts[1:]:
        if other.source not in frames:
            continue
        source = config.source(other.source)
        weeks = [int(w) for w in weekly.index]
        o = weekly_shares(frames[other.source], other, source.id_column, as_of, weeks)
        o_all, o_share = o.records, float(o.share.get(value, 0.0))
        if o_all:
            note = f"{round(o_share * o_all)} of {o_all}"
            culprits.append(Culprit(other.label, o_share, "share", note))
    per_week = everyone / len(weekly)
    excess = (share - peer) * per_week
    above = (
        f"{excess:.0f} {lead.label}/week above the next {spec.dimension}'s share "
        f"(({share:.1%} - {peer:.1%}) x {per_week:.0f} a week)"
    )
    each = config.kinds.hours(lead.source)
    hours = excess * each
    if spec.benefit == "load":  # who does the work: moving it elsewhere saves nothing
        basis = f"load to move, not work saved: {above} x {each:g} h per record; none saved"
        outcome = f"move about {excess:.0f} {lead.label} a week to other {spec.dimension}s"
    else:
        basis = (
            f"upper bound, if the cause were removed: {above} x {each:g} h per record "
            f"(kinds.hours_per_record)"
        )
        outcome = f"remove about {excess:.0f} {lead.label} a week"
    shares_text = " and ".join(f"{c.value:.0%} of {c.name} ({c.note})" for c in culprits)
    first, last = series.index[0], series.index[-1] + pd.Timedelta(days=6)
    return Opportunity(
        kind="hotspot",
        dataset=lead.source,
        kpi=spec.name,
        unit=f"share of {lead.label}",
        better="lower",
        dimensions={spec.dimension: value},
        start=last - pd.Timedelta(days=6),
        end=last,
        current=float(series.iloc[-1]),  # the detected window is the last week
        records=records,
        reference=series.iloc[:-1],
        target=peer,
        excess_per_week=excess,
        hours_per_week=hours,
        score=min(1.0, held / len(weekly)),
        headline=f"{spec.dimension} {value} has {show_value(share, True)} of {lead.label}",
        detail=(
            f"{spec.dimension} {value} has {shares_text} from {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d}, {share / peer if peer else float('inf'):.1f} times the next "
            f"{spec.dimension} ({peer_name}, {peer:.1%}); it held {spec.min_share:.0%} or more "
            f"in {held} of {len(weekly)} weeks. Bringing it down to the next one's share would "
            f"{outcome}."
        ),
        series=series,
        detector="ParetoHotspot",
        params={
            "weeks": spec.weeks,
            "min_share": spec.min_share,
            "min_ratio": spec.min_ratio,
            "persist": spec.persist,
        },
        owner=spec.owner,
        csf=spec.csf,
        objective=spec.objective,
        culprits=tuple(culprits),
        measure="rate",  # a share of the lead count's records
        benefit_basis=basis,
        benefit_kind="load" if spec.benefit == "load" else "saved",
    )

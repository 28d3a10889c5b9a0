"""Change impact: incidents and interactions on a change's CIs after it, against a window before.

Rabobank's own question was which changes cause incidents and service-desk load, and how
long until things return to a steady state; an aggregate "share of incidents after a change"
cannot name the change. For each change whose ``window_days`` after its end are complete by
the scan night (and ended at most ``lookback_days`` before that):

- records whose key columns name one of its CIs (caused-by *and* affected CI, each record
  once) are counted in the ``window_days`` after its end and the same span before its start;
- the excess must reach ``min_excess`` and beat a Poisson null with the before-count as its
  mean at ``alpha``; changes sharing a CI in the same wave keep only the largest;
- time back to steady state: days after the end until the 3-day mean count falls back under
  the before-window's mean plus two standard deviations (Poisson), if it did by the night.

The entry's slice is the change type and its CIs, so a type that hits the same CIs again
adds evidence to the same entry: repeated impact shows as occurrences.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from flows.config.kinds_spec import ChangeImpactSpec, CountSpec
from flows.config.model import ScanConfig
from flows.load import RecordFrame
from flows.select.opportunities import MISSING, Culprit, Opportunity, day_end

__all__ = ["count_around", "find_change_impact", "record_keys"]


def record_keys(frame: RecordFrame, count: CountSpec, id_column: str) -> pd.DataFrame:
    """Return one row per (record, key value): ``id``, ``ci``, ``at``; each pair once."""
    records = frame.records
    parts = [
        pd.DataFrame({"id": records[id_column], "ci": records[k], "at": records[count.date]})
        for k in count.key_columns
    ]
    pairs = pd.concat(parts, ignore_index=True).dropna()
    return pairs[pairs["ci"] != MISSING].drop_duplicates(["id", "ci"])


def count_around(changes: pd.DataFrame, pairs: pd.DataFrame, window: pd.Timedelta) -> pd.DataFrame:
    """Count distinct records on each change's CIs before its start and after its end.

    ``changes`` has one row per (``change``, ``ci``) with ``start`` and ``end``; returns
    ``before`` and ``after`` per change.

    Examples
    --------
    >>> changes = pd.DataFrame({"change": ["C1"], "ci": ["x"],
    ...     "start": pd.to_datetime(["2024-01-10"]), "end": pd.to_datetime(["2024-01-10"])})
    >>> pairs = pd.DataFrame({"id": ["1", "2", "3"], "ci": ["x", "x", "x"],
    ...     "at": pd.to_datetime(["2024-01-08", "2024-01-11", "2024-01-12"])})
    >>> count_around(changes, pairs, pd.Timedelta(days=3)).loc["C1"].tolist()
    [1, 2]
    """
    joined = changes.merge(pairs, on="ci")
    after = joined[(joined["at"] > joined["end"]) & (joined["at"] <= joined["end"] + window)]
    before = joined[(joined["at"] < joined["start"]) & (joined["at"] >= joined["start"] - window)]
    out = pd.DataFrame(
        {
            "before": before.groupby("change")["id"].nunique(),
            "after": after.groupby("change")["id"].nunique(),
        }
    )
    return out.reindex(changes["change"].unique()).fillna(0).astype(int)


def find_change_impact(
    frames: dict[str, RecordFrame], spec: ChangeImpactSpec, config: ScanConfig, as_of: date
) -> list[Opportunity]:
    """Return the changes with the largest incident waves judged on this night, worst first."""
    lead = spec.counts[0]
    if spec.source not in frames or lead.source not in frames:
        return []
    window = pd.Timedelta(days=spec.window_days)
    night = day_end(as_of)
    raw = frames[spec.source].records
    changes = pd.DataFrame(
        {
            "change": raw[spec.change_id],
            "ci": raw[spec.ci],
            "start": raw[spec.start],
            "end": raw[spec.end],
            "type": raw[spec.change_type] if spec.change_type else "change",
        }
    ).dropna()
    span = changes["end"] - changes["start"]
    judged = (changes["end"] + window < night) & (
        changes["end"] + window >= night - pd.Timedelta(days=spec.lookback_days)
    )
    changes = changes[judged & (span >= pd.Timedelta(0))]
    changes = changes[span[changes.index] <= pd.Timedelta(days=spec.max_duration_days)]
    covered = _covered(config, lead.source)
    if covered is not None:
        inside = (changes["start"] - window >= covered[0]) & (changes["end"] + window <= covered[1])
        changes = changes[inside]
    if changes.empty:
        return []
    pairs = record_keys(frames[lead.source], lead, config.source(lead.source).id_column)
    counts = count_around(changes, pairs, window)
    counts["excess"] = counts["after"] - counts["before"]
    counts["p"] = stats.poisson.sf(counts["after"] - 1, np.maximum(counts["before"], 1))
    hits = counts[(counts["excess"] >= spec.min_excess) & (counts["p"] < spec.alpha)]
    found: list[Opportunity] = []
    claimed: set[str] = set()
    for change, row in hits.sort_values("excess", ascending=False).iterrows():
        rows = changes[changes["change"] == change]
        cis = set(rows["ci"])
        if cis & claimed:
            continue  # the same wave, already named by a change with a larger excess
        claimed |= cis
        found.append(_opportunity(spec, config, frames, str(change), rows, row, pairs, as_of))
        if len(found) >= spec.top:
            break
    return found


def _covered(config: ScanConfig, source: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    extract = config.source(source).extract
    if extract is None or extract.start is None or extract.end is None:
        return None
    return pd.Timestamp(extract.start), pd.Timestamp(extract.end) + pd.Timedelta(days=1)


def _opportunity(
    spec: ChangeImpactSpec,
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    change: str,
    rows: pd.DataFrame,
    counted: pd.Series,
    pairs: pd.DataFrame,
    as_of: date,
) -> Opportunity:
    lead = spec.counts[0]
    days = spec.window_days
    start, end = rows["start"].min(), rows["end"].max()
    cis = sorted(set(rows["ci"]))
    on_cis = pairs[pairs["ci"].isin(cis)].drop_duplicates("id")
    daily = on_cis.set_index("at").resample("D")["id"].size()
    first = start.normalize() - pd.Timedelta(days=days + 14)
    daily = daily.reindex(pd.date_range(first, day_end(as_of) - pd.Timedelta(days=1)), fill_value=0)
    before, after = int(counted["before"]), int(counted["after"])
    mu = max(before / days, 0.5)
    settled = daily[daily.index > end.normalize()].rolling(3).mean() <= mu + 2 * np.sqrt(mu)
    steady_days = int(np.argmax(settled.to_numpy())) + 1 if settled.any() else None
    culprits = [Culprit(lead.label, float(after), "records", f"{before} before")]
    for other in spec.counts[1:]:
        if other.source in frames:
            o_pairs = record_keys(
                frames[other.source], other, config.source(other.source).id_column
            )
            o = count_around(
                rows[["change", "ci", "start", "end"]], o_pairs, pd.Timedelta(days=days)
            )
            culprits.append(
                Culprit(
                    other.label,
                    float(o["after"].iloc[0]),
                    "records",
                    f"{int(o['before'].iloc[0])} before",
                )
            )
    change_type = str(rows["type"].iloc[0])
    others = "; ".join(f"{c.value:.0f} {c.name} ({c.note})" for c in culprits[1:])
    steady = (
        f"back to a steady state after {steady_days} days"
        if steady_days is not None
        else "not back to a steady state by the scan night"
    )
    excess = after - before
    window_start = end.normalize() + pd.Timedelta(days=1)
    return Opportunity(
        kind="change_impact",
        dataset=spec.source,
        kpi=f"{lead.label}_after_change",
        unit=f"{lead.label}/day",
        better="lower",
        dimensions={"change_type": change_type, "ci": "+".join(cis)},
        start=window_start,
        end=window_start + pd.Timedelta(days=days - 1),
        current=after / days,
        records=after,
        reference=daily[
            (daily.index < start.normalize())
            & (daily.index >= start.normalize() - pd.Timedelta(days=days))
        ],
        target=before / days,
        excess_per_week=excess * 7 / days,
        hours_per_week=excess * 7 / days * config.kinds.hours(lead.source),
        score=float(1.0 - counted["p"]),
        headline=f"{excess:+d} {lead.label} after change {change} ({change_type})",
        detail=(
            f"Change {change} ({change_type}) ended {end:%A %Y-%m-%d %H:%M} on {', '.join(cis)}. "
            f"In the {days} days after it, {after} {lead.label} named these CIs (caused-by or "
            f"affected), against {before} in the {days} days before it started: {excess:+d}"
            f" (Poisson p = {counted['p']:.2g}). "
            + (f"On the same CIs: {others}. " if others else "")
            + f"The CIs were {steady}."
        ),
        series=daily.astype(float),
        detector="ChangeWave",
        params={"window_days": days, "min_excess": spec.min_excess, "alpha": spec.alpha},
        owner=spec.owner,
        csf=spec.csf,
        objective=spec.objective,
        culprits=tuple(culprits),
        benefit_basis=(
            f"{excess:+d} {lead.label} in the {days} days after the change against the "
            f"{days} before, as a weekly rate (x 7/{days}) x "
            f"{config.kinds.hours(lead.source):g} h per record: a one-off wave unless the "
            f"change type keeps hitting these CIs"
        ),
    )

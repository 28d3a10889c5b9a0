"""Turn findings into register candidates: baseline snapshot, target, priority, owner, provenance.

The baseline is frozen here, at detection time: the KPI's values over the periods before
the event's onset, like with like (:mod:`flows.candidates.baseline`). The suggested target
(:mod:`flows.candidates.targets`) is specific, measurable, dated and achievable; owners may
change it on acceptance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from scipy import stats

from detectors import Finding
from flows.candidates.baseline import baseline_snapshot, current_rows, level_of
from flows.candidates.domain import kpi_block
from flows.candidates.targets import suggest_target
from flows.config.model import KpiSpec, RouteRule, ScanConfig
from flows.kpis.compute import ALL, dimension_columns

__all__ = [
    "RATE_ALPHA",
    "Provenance",
    "build_candidate",
    "evidence_agrees",
    "route_owner",
    "series_of",
]

RATE_ALPHA = 0.01
TARGET_HORIZON = timedelta(days=90)
_QUARTER_WEEKS = 13.0
_RECORD_HOURS = {"hours": 1.0, "minutes": 1 / 60, "days": 24.0}


@dataclass(frozen=True)
class Provenance:
    """Where a finding came from: the dataset, its hash, the flow run and the gate result."""

    dataset: str
    data_hash: str
    flow_run_id: str | None
    gate: dict[str, Any]

    def source(self, detector: dict[str, Any]) -> dict[str, Any]:
        """Return the entry's ``source`` block for a finding of ``detector``."""
        return {
            "dataset": self.dataset,
            "data_hash": self.data_hash,
            "flow_run_id": self.flow_run_id,
            "gate": self.gate,
            "detector": detector,
        }


def series_of(kpi_frame: pd.DataFrame, kpi: str, dimensions: dict[str, str]) -> pd.DataFrame:
    """Return one series (``period``, ``value``, ``n``) of a KpiFrame, sorted by period."""
    mask = kpi_frame["kpi"] == kpi
    for column in dimension_columns(kpi_frame):
        mask &= kpi_frame[column] == dimensions.get(column, ALL)
    return kpi_frame.loc[mask, ["period", "value", "n"]].sort_values("period")


def route_owner(rules: list[RouteRule], kpi: str, dimensions: dict[str, str]) -> str | None:
    """Return the owner of the first rule that matches, or None (unassigned).

    A rule matches when its KPI (if any) is this KPI and each of its dimensions is present
    with the same value, ``"*"`` matching any value.
    """
    for rule in rules:
        if rule.kpi is not None and rule.kpi != kpi:
            continue
        if all(
            name in dimensions and value in (ALL, dimensions[name])
            for name, value in rule.dimensions.items()
        ):
            return rule.owner
    return None


def build_candidate(
    finding: Finding,
    kpi_frame: pd.DataFrame,
    spec: KpiSpec,
    config: ScanConfig,
    provenance: Provenance,
    as_of: date,
    drivers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build the register candidate (as plain data) for one adverse finding.

    Title, description, ``current``, ``baseline``, ``target`` and the evidence plot all
    read the same numbers: the event's level over its latest periods against the baseline
    level before its onset (:mod:`flows.candidates.baseline`). ``drivers`` are the slices
    behind the move (see :mod:`flows.select.drilldown`); they are named in the
    description and kept in full under ``evidence.drivers``.
    """
    series = series_of(kpi_frame, finding.kpi, finding.dimensions)
    during = series[(series["period"] >= finding.start) & (series["period"] <= finding.end)]
    now = current_rows(series, finding.start, finding.end)
    # Every kind's baseline ends before the event's onset; a trend's onset is where its
    # fitted line starts, which is the finding's start.
    baseline = baseline_snapshot(series, finding.start, now, spec)
    current_value = level_of(now, spec)
    base_level = baseline["level"] if baseline["clean"] else math.nan
    records = int(during["n"].sum())
    change = _relative(current_value, base_level) if baseline["clean"] else math.nan
    priority, reason = _priority(finding.score, records, len(during), change)
    slice_text = ", ".join(f"{k}={v}" for k, v in finding.dimensions.items()) or "all records"
    break_text = _break_text(finding)
    kind_text = break_text or finding.kind.replace("_", " ")
    # A break changes how work is recorded, not how well it is done: no target to chase.
    target = (
        None
        if break_text
        else suggest_target(
            baseline, series[series["period"] < finding.start], spec, as_of + TARGET_HORIZON
        )
    )

    def fmt(value: float | None) -> str:  # one formatter for every number shown
        return spec.show(value)

    title = (
        f"{spec.name} {kind_text}: {fmt(current_value)} against {fmt(base_level)} "
        f"({_percent(current_value, base_level)}) for {slice_text}"
        if baseline["clean"]
        else f"{spec.name} {kind_text}: {fmt(current_value)}, no clean baseline, for {slice_text}"
    )
    if not math.isfinite(current_value):  # nothing to state yet: say what happened only
        title = f"{spec.name} {kind_text} for {slice_text}"
    periods = f"{len(now)} period{'' if len(now) == 1 else 's'}"
    detected = f"{kind_text} detected from {_day(finding.start)} to {_day(finding.end)}"
    stood = (
        f"{spec.name} ({spec.unit}) stood at {fmt(current_value)} "
        f"({'pooled rate' if spec.is_share else 'median'} of {periods}, "
        f"{_day(now['period'].iloc[0]) if len(now) else '-'} to "
        f"{_day(now['period'].iloc[-1]) if len(now) else '-'}) in the {detected} "
        f"for {slice_text}"
        if math.isfinite(current_value)
        else f"{spec.name} ({spec.unit}): a {detected} for {slice_text}"
    )
    if baseline["clean"]:
        low, high = baseline["band"] or (math.nan, math.nan)
        compared = (
            f", against a baseline {baseline['level_stat']} of {fmt(base_level)} "
            f"({baseline['comparison']}, {baseline['n']} periods from "
            f"{_day(baseline['start'])} to {_day(baseline['end'])}, p10-p90 "
            f"{fmt(baseline['p10'])}-{fmt(baseline['p90'])}"
            f"{_excluded(baseline['excluded'])}{_lead_in(baseline['lead_in'])})."
        )
        if math.isfinite(low) and math.isfinite(high):
            compared += (
                f" Had nothing changed, it would lie in {fmt(low)}-{fmt(high)} "
                f"({baseline['band_level']:.0%} prediction interval)."
            )
        if break_text:
            compared += " A change in how work is recorded: no target is suggested."
    else:
        compared = f". No clean baseline: {baseline['reason']}; no target is suggested."
    description = (
        stood + compared + f" {spec.better.capitalize()} is better." + _drivers_text(drivers or [])
    )
    return {
        "title": title,
        "description": description,
        "kind": finding.kind,
        "direction": finding.direction,
        "kpi": kpi_block(spec),
        "dimensions": dict(finding.dimensions),
        "window": {"start": finding.start, "end": finding.end},
        "baseline": baseline,
        "current": {
            "value": current_value,
            "start": now["period"].iloc[0] if len(now) else None,
            "end": now["period"].iloc[-1] if len(now) else None,
            "periods": len(now),
            "expected": None if not baseline["clean"] else base_level,
            "band": baseline.get("band"),
            "band_level": baseline.get("band_level"),
            "change": change if math.isfinite(change) else None,
            "n": records,
            "window_periods": len(during),
        },
        "target": target,
        "priority": priority,
        "priority_reason": reason,
        "owner": route_owner(config.routing, spec.name, finding.dimensions),
        "source": provenance.source(
            {"name": finding.detector, "params": finding.params, "version": finding.version}
        ),
        "evidence": {
            # The event's end, not the scan date: re-detecting the same event on a later night
            # is the same evidence, so it neither bumps nor revives a closed entry.
            "at": finding.end,
            "value": current_value,
            "score": finding.score,
            "detector_expected": finding.expected,
            "drivers": drivers or [],
        },
        "score": finding.score,
        "magnitude": change if math.isfinite(change) else finding.magnitude,
        "csf": spec.csf,
        "objective": spec.objective,
        "benefit": _benefit(spec, finding.kind, current_value, base_level, during),
    }


def evidence_agrees(candidate: dict[str, Any], spec: KpiSpec) -> bool:
    """Whether the candidate's own numbers show the harm its finding claims, beyond noise.

    - Without a clean baseline there is nothing to check against: the entry says so.
    - The KPI must sit on the bad side of the baseline level: a detector can flag a move
      against its rolling expectation while a backlog is still shrinking, and such an entry
      would ask an owner to make things worse.
    - A one-off spike or dip must leave the prediction interval it states.
    - A rate must differ from the baseline rate by more than chance, given the records
      behind it (one-sided binomial test at ``RATE_ALPHA``): one reopen among 38 Sunday
      incidents is not a finding.
    """
    if candidate["kind"] in ("data_quality", "process_change"):
        return True
    base = candidate["baseline"]
    if not base.get("clean", True):
        return True
    current = candidate["current"]["value"]
    level = base["level"]
    lower_is_better = spec.better == "lower"
    if not (math.isfinite(current) and level is not None and math.isfinite(level)):
        return False
    if (current <= level) if lower_is_better else (current >= level):
        return False
    band = base.get("band")
    if candidate["kind"] in ("spike", "dip") and band:
        edge = band[1] if lower_is_better else band[0]
        if (current <= edge) if lower_is_better else (current >= edge):
            return False
    if spec.is_share:
        records = int(candidate["current"]["n"])
        floor = 1.0 / max(int(base.get("records") or 0), 1)  # a zero baseline rate still has noise
        rate = min(max(level, floor), 1.0 - floor)
        hits = round(current * records)
        p = (
            stats.binom.sf(hits - 1, records, rate)
            if lower_is_better
            else stats.binom.cdf(hits, records, rate)
        )
        return bool(p < RATE_ALPHA)
    return True


def _priority(score: float, records: int, periods: int, change: float) -> tuple[int, str]:
    r"""Priority 1 (act now) .. 5 (note): calibrated score x impact x size of the move.

    Impact grows with the records affected and the event's duration; size with the
    relative change against the baseline, full from +/-50 %. Each enters as a factor
    from 0.4 (none) to 1 (full).

    Examples
    --------
    >>> priority, reason = _priority(0.58, 56, 1, 3.15)
    >>> priority
    4
    >>> print(reason.replace(" x ", "\n x "))
    score 0.58
     x impact 0.60 (56 records over 1 period)
     x size 1.00 (+315% against baseline) = 0.35
    """
    impact = min(1.0, math.log10(1 + records) / 3) * min(1.0, 0.5 + periods / 14)
    # No clean baseline (NaN): the size of the move is unknown, counted as half.
    size = 0.5 if math.isnan(change) else min(1.0, abs(change) / 0.5)
    # Neither factor alone can zero the weight: each counts from 0.4 to 1.
    impact_factor, size_factor = 0.4 + 0.6 * impact, 0.4 + 0.6 * size
    weight = score * impact_factor * size_factor
    priority = 1 + sum(weight < cut for cut in (0.8, 0.6, 0.4, 0.2))
    # The reason prints the factors it multiplies, so an owner can redo the sum.
    spans = f"{periods} period{'' if periods == 1 else 's'}"
    reason = (
        f"score {score:.2f} x impact {impact_factor:.2f} ({records} records over {spans})"
        f" x size {size_factor:.2f} ({_percent_of(change)} against baseline)"
        f" = {weight:.2f}"
    )
    return priority, reason


def _benefit(
    spec: KpiSpec, kind: str, current: float, baseline: float, during: pd.DataFrame
) -> dict[str, Any] | None:
    """Estimate what returning to baseline would win per week, where the unit allows it.

    A shift or a trend costs its gap every period until it is fixed. A spike or a dip is
    over: its excess is counted as if such an event recurred once a quarter, never as a
    weekly loss.
    """
    if not (math.isfinite(current) and math.isfinite(baseline)) or during.empty:
        return None
    periods_a_week = 7 if spec.grain == "D" else 1
    per_week = float(during["n"].sum()) / max(len(during), 1) * periods_a_week
    gap = abs(current - baseline)
    one_off = kind in ("spike", "dip")
    # The weeks a one-off event's excess is spread over: one event a quarter.
    weeks = _QUARTER_WEEKS if one_off else 1.0
    periods = len(during) if one_off else periods_a_week
    records = float(during["n"].sum()) if one_off else per_week
    if spec.measure == "duration" and spec.unit in _RECORD_HOURS:
        hours = gap * _RECORD_HOURS[spec.unit] * records / weeks
        basis = f"{gap:.3g} {spec.unit} x {records:.0f} records" + _spread(one_off)
        return {"hours_per_week": round(hours, 1), "basis": basis}
    if spec.measure == "rate":
        basis = f"{100 * gap:.3g} % of {records:.0f} records" + _spread(one_off)
        return {"records_per_week": round(gap * records / weeks, 1), "basis": basis}
    if spec.measure == "count":
        basis = f"{gap:.3g} a period x {periods} periods" + _spread(one_off)
        return {"records_per_week": round(gap * periods / weeks, 1), "basis": basis}
    return None


def _spread(one_off: bool) -> str:
    return " (a one-off event, counted once a quarter)" if one_off else " a week"


def _break_text(finding: Finding) -> str:
    """Name a structural break by what changed: how many values stopped and started, when.

    Empty for any other finding. The break's drivers list the largest values; the counts
    here are of all of them.
    """
    rule = finding.params.get("rule")
    if rule not in ("rename", "recode"):
        return ""
    gone, new = finding.params.get("vanished", []), finding.params.get("appeared", [])
    what = "rename" if rule == "rename" else "re-coding"
    return (
        f"{what} from {_day(finding.start)} ({len(gone)} value{'' if len(gone) == 1 else 's'}"
        f" stopped, {len(new)} started; {finding.expected:.3g} -> {finding.observed:.3g} a "
        f"period between them)"
    )


def _drivers_text(drivers: list[dict[str, Any]]) -> str:
    parts = []
    for d in drivers:
        what = f"{d['dimension']}={d['value']}"
        if "role" in d:  # a structural break: the value vanished or appeared
            seen = d.get("last_seen") or d.get("first_seen")
            parts.append(f"{what} {d['role']} ({seen})")
        else:
            parts.append(
                f"{what} {d['baseline']:.3g} -> {d['current']:.3g}"
                + (f" ({d['share']:.0%} of the move)" if "share" in d else "")
            )
    return f" Drivers: {'; '.join(parts)}." if parts else ""


def _relative(current: float, baseline: float) -> float:
    if not (math.isfinite(current) and math.isfinite(baseline)) or baseline == 0:
        return math.inf
    return (current - baseline) / abs(baseline)


def _percent_of(change: float) -> str:
    if math.isnan(change):
        return "unknown"
    return f"{change:+.0%}" if math.isfinite(change) else "new"


def _percent(current: float, baseline: float) -> str:
    return _percent_of(_relative(current, baseline))


def _day(stamp: Any) -> str:
    return f"{pd.Timestamp(stamp):%Y-%m-%d}"


def _excluded(count: int) -> str:
    return f"; {count} holiday, edge or thin periods left out" if count else ""


def _lead_in(count: int) -> str:
    if not count:
        return ""
    days = "the period" if count == 1 else f"the {count} periods"
    return f"; it stops before {days} just before the event, already at the event's level"

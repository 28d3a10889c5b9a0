"""Turn findings into register candidates: baseline snapshot, target, priority, owner, provenance.

The baseline is frozen here, at detection time: the KPI's values over the periods before
the event. The suggested target is a return to the baseline median by a stated date, which
is specific, measurable and dated; owners may tighten it on acceptance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from detectors import Finding
from flows.config import KpiSpec, RouteRule, ScanConfig
from flows.kpis import ALL, dimension_columns

__all__ = [
    "BASELINE_PERIODS",
    "CURRENT_PERIODS",
    "RATE_ALPHA",
    "Provenance",
    "build_candidate",
    "evidence_agrees",
    "route_owner",
    "series_of",
]

BASELINE_PERIODS = 28
# A long event (a slow trend) is judged by where it stands now, not by its average.
CURRENT_PERIODS = 7
RATE_ALPHA = 0.01
TARGET_HORIZON = timedelta(days=90)
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

    ``drivers`` are the slices behind the move (see :mod:`flows.drilldown`); they are
    named in the description and kept in full under ``evidence.drivers``.
    """
    series = series_of(kpi_frame, finding.kpi, finding.dimensions)
    during = series[(series["period"] >= finding.start) & (series["period"] <= finding.end)]
    current = during.dropna(subset=["value"]).tail(CURRENT_PERIODS)
    # A trend is judged against the weeks just before where it stands now; its start is
    # fuzzy. Other events are judged against the periods before they began.
    if finding.kind == "degradation" and not current.empty:
        reference_end = current["period"].iloc[0]
    else:
        reference_end = finding.start
    before = series[series["period"] < reference_end].dropna(subset=["value"])
    baseline = _snapshot(before.tail(BASELINE_PERIODS), spec)
    current_value = float(current["value"].mean())
    records = int(during["n"].sum())
    change = _relative(current_value, baseline["median"])
    priority, reason = _priority(finding.score, records, len(during), change)
    slice_text = ", ".join(f"{k}={v}" for k, v in finding.dimensions.items()) or "all records"
    title = (
        f"{spec.name} {finding.kind.replace('_', ' ')} "
        f"({_percent(current_value, baseline['median'])}) for {slice_text}"
    )
    description = (
        f"{spec.name} ({spec.unit}) was {current_value:.3g} from {finding.start:%Y-%m-%d} to "
        f"{finding.end:%Y-%m-%d} for {slice_text}, against a baseline median of "
        f"{baseline['median']:.3g} (p10-p90 {baseline['p10']:.3g}-{baseline['p90']:.3g} over "
        f"{baseline['n']} periods). {spec.better.capitalize()} is better."
    ) + _drivers_text(drivers or [])
    return {
        "title": title,
        "description": description,
        "kind": finding.kind,
        "direction": finding.direction,
        "kpi": {
            "name": spec.name,
            "unit": spec.unit,
            "better": spec.better,
            "domain": spec.domain,
        },
        "dimensions": dict(finding.dimensions),
        "window": {"start": finding.start, "end": finding.end},
        "baseline": baseline,
        "current": {
            "value": current_value,
            "expected": finding.expected,
            "band": [finding.band_low, finding.band_high],
            "n": records,
            "periods": len(during),
        },
        "target": {"value": baseline["median"], "by": as_of + TARGET_HORIZON},
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
            "window_start": finding.start,
            "window_end": finding.end,
            "drivers": drivers or [],
        },
        "score": finding.score,
        "magnitude": finding.magnitude,
        "csf": spec.csf,
        "objective": spec.objective,
        "benefit": _benefit(spec, current_value, baseline["median"], during),
    }


def evidence_agrees(candidate: dict[str, Any], spec: KpiSpec) -> bool:
    """Whether the candidate's own numbers show the harm its finding claims, beyond noise.

    - The KPI must sit on the bad side of the frozen baseline: a detector can flag a move
      against its rolling expectation while a backlog is still shrinking, and such an entry
      would ask an owner to make things worse.
    - A one-off spike or dip must leave the baseline's usual range (p10-p90).
    - A rate must differ from the baseline rate by more than chance, given the records
      behind it (one-sided binomial test at ``RATE_ALPHA``): one reopen among 38 Sunday
      incidents is not a finding.
    """
    if candidate["kind"] in ("data_quality", "process_change"):
        return True
    current = candidate["current"]["value"]
    base = candidate["baseline"]
    lower_is_better = spec.better == "lower"
    if not (math.isfinite(current) and math.isfinite(base["median"])):
        return False
    if (current <= base["median"]) if lower_is_better else (current >= base["median"]):
        return False
    if candidate["kind"] in ("spike", "dip"):
        edge = base["p90"] if lower_is_better else base["p10"]
        if (current <= edge) if lower_is_better else (current >= edge):
            return False
    if spec.measure == "rate":
        records = int(candidate["current"]["n"])
        floor = 1.0 / max(int(base.get("records") or 0), 1)  # a zero baseline rate still has noise
        rate = min(max(base["median"], base["mean"], floor), 1.0 - floor)
        hits = round(current * records)
        p = (
            stats.binom.sf(hits - 1, records, rate)
            if lower_is_better
            else stats.binom.cdf(hits, records, rate)
        )
        return bool(p < RATE_ALPHA)
    return True


def _snapshot(before: pd.DataFrame, spec: KpiSpec) -> dict[str, Any]:
    values = before["value"].to_numpy(dtype="float64")
    if values.size == 0:
        return {
            "start": None,
            "end": None,
            "n": 0,
            "records": 0,
            "median": math.nan,
            "mean": math.nan,
            "p10": math.nan,
            "p90": math.nan,
            "unit": spec.unit,
        }
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return {
        "start": before["period"].iloc[0],
        "end": before["period"].iloc[-1],
        "n": int(values.size),
        "records": int(before["n"].sum()),
        "median": float(median),
        "mean": float(values.mean()),
        "p10": float(p10),
        "p90": float(p90),
        "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
        "values": [float(v) for v in values],
        "grain": spec.grain,
        "unit": spec.unit,
    }


def _priority(score: float, records: int, periods: int, change: float) -> tuple[int, str]:
    """Priority 1 (act now) .. 5 (note): calibrated score x impact x size of the move.

    Impact grows with the records affected and the event's duration; size with the
    relative change against the baseline, full from +/-50 %.
    """
    impact = min(1.0, math.log10(1 + records) / 3) * min(1.0, 0.5 + periods / 14)
    size = min(1.0, abs(change) / 0.5) if math.isfinite(change) else 1.0
    weight = score * (0.4 + 0.6 * impact) * (0.4 + 0.6 * size)
    priority = 1 + sum(weight < cut for cut in (0.8, 0.6, 0.4, 0.2))
    reason = (
        f"score {score:.2f} x impact {impact:.2f} ({records} records over {periods} periods)"
        f" x size {size:.2f} ({change:+.0%} against baseline) = {weight:.2f}"
    )
    return priority, reason


def _benefit(
    spec: KpiSpec, current: float, baseline: float, during: pd.DataFrame
) -> dict[str, Any] | None:
    """Estimate what returning to baseline would win per week, where the unit allows it."""
    if not (math.isfinite(current) and math.isfinite(baseline)) or during.empty:
        return None
    per_week = float(during["n"].sum()) / max(len(during), 1) * (7 if spec.grain == "D" else 1)
    gap = abs(current - baseline)
    if spec.measure == "duration" and spec.unit in _RECORD_HOURS:
        hours = gap * _RECORD_HOURS[spec.unit] * per_week
        return {"hours_per_week": round(hours, 1), "basis": f"{per_week:.0f} records/week"}
    if spec.measure == "rate":
        basis = f"{per_week:.0f} records/week"
        return {"records_per_week": round(gap * per_week, 1), "basis": basis}
    if spec.measure == "count":
        return {"records_per_week": round(gap * (7 if spec.grain == "D" else 1), 1)}
    return None


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


def _percent(current: float, baseline: float) -> str:
    change = _relative(current, baseline)
    return f"{change:+.0%}" if math.isfinite(change) else "new"

"""Opportunities beyond anomalies become register candidates, with the same evidence as any.

Hotspots, gaps to target, handovers, change impact and improvements each carry a baseline
snapshot (the reference periods), a current value, a target, provenance, a priority with
its reason, an owner (the kind's default, else routing), CSF and objective, an estimated
benefit in the KPI's unit and in hours, and an evidence plot of their own series.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flows.candidates.build import Provenance, route_owner
from flows.candidates.evidence import candidate_plot_path, plot_numbers, render_evidence_plot
from flows.config import SHARE_MEASURES, ScanConfig, show_value
from flows.select.opportunities import Opportunity
from register_client import Candidate

__all__ = ["TARGET_HORIZON", "opportunity_candidate", "plot_opportunity", "priority_for"]

TARGET_HORIZON = timedelta(days=90)
# Hours a week an opportunity costs, from priority 1 down: a team-week, a day, an hour ...
_PRIORITY_HOURS = (40.0, 8.0, 2.0, 0.5)


def priority_for(opportunity: Opportunity) -> tuple[int, str]:
    """Priority 1 (act now) .. 5 (note) from the hours a week at stake; lessons are 5.

    Examples
    --------
    >>> from flows.select.opportunities import Opportunity
    >>> o = Opportunity("hotspot", "s", "k", "u", "lower", {}, pd.Timestamp(0), pd.Timestamp(0),
    ...                 0.3, 10, pd.Series(dtype=float), 0.1, 20.0, 50.0, 0.9, "h", "d",
    ...                 pd.Series(dtype=float), "x", {})
    >>> priority_for(o)[0]
    1
    """
    hours = opportunity.hours_per_week
    if opportunity.kind == "improvement":
        return 5, f"a lesson to keep ({hours:.0f} h/week banked already), not an action item"
    priority = 1 + sum(hours < cut for cut in _PRIORITY_HOURS)
    what = "load to move" if opportunity.benefit_kind == "load" else "expected benefit"
    reason = (
        f"{what} {opportunity.excess_per_week:.3g} {_per_week_unit(opportunity)} "
        f"= {hours:.1f} h/week (cuts {', '.join(f'{c:g}' for c in _PRIORITY_HOURS)} h/week)"
        f" x confidence {opportunity.score:.2f}"
    )
    return priority, reason


def opportunity_candidate(
    opportunity: Opportunity,
    config: ScanConfig,
    provenance: Provenance,
    as_of: date,
) -> Candidate:
    """Build the register candidate of one opportunity, without its plot (see below)."""
    o = opportunity
    baseline = _snapshot(o.reference, o.unit)
    priority, reason = priority_for(o)
    adverse_up = o.better == "lower"
    direction = (
        ("down" if adverse_up else "up")
        if o.kind == "improvement"
        else ("up" if adverse_up else "down")
    )
    latest, before, short = _levels(o, baseline)
    return Candidate.model_validate(
        {
            "title": f"{o.kind.replace('_', ' ')}: {o.headline} ({short})",
            "description": f"{o.detail} Latest: {latest}; {before}.",
            "kind": o.kind,
            "direction": direction,
            "kpi": {"name": o.kpi, "unit": o.unit, "better": o.better, "measure": o.measure},
            "dimensions": dict(o.dimensions),
            "window": {"start": o.start, "end": o.end},
            "baseline": baseline,
            "current": {"value": o.current, "n": o.records},
            "target": {"value": o.target, "by": as_of + TARGET_HORIZON},
            "priority": priority,
            "priority_reason": reason,
            "owner": o.owner or route_owner(config.routing, o.kpi, o.dimensions),
            "source": provenance.source({"name": o.detector, "params": o.params, "version": "1"}),
            "evidence": {
                # The judged window's end: a re-detection of the same week is the same evidence.
                "at": o.end,
                "value": o.current,
                "score": o.score,
                "culprits": [
                    {"name": c.name, "value": c.value, "unit": c.unit, "note": c.note}
                    for c in o.culprits
                ],
            },
            "score": o.score,
            "magnitude": o.excess_per_week,
            "csf": o.csf or None,
            "objective": o.objective or None,
            "benefit": _benefit(o),
        }
    )


def plot_opportunity(
    candidate: Candidate, opportunity: Opportunity, evidence_dir: Path
) -> Candidate:
    """Draw the candidate's evidence plot from its opportunity's own series (none if empty).

    Only candidates that may become entries are drawn: a replay finds the same standing
    opportunities night after night, and drawing is most of their cost.
    """
    o = opportunity
    if o.series.empty:
        return candidate
    # Frozen with the entry: filing stores the PNG and writes it by the entry's id.
    png = render_evidence_plot(
        o.series,
        title=candidate.title,
        unit=o.unit,
        baseline=_snapshot(o.reference, o.unit),
        window=(o.start, o.end),
        target=o.target,
        current=candidate.current.model_dump(),
        share=candidate.kpi.is_share,
        numbers=plot_numbers(candidate),
    )
    return candidate.model_copy(
        update={"evidence_plot": candidate_plot_path(evidence_dir), "evidence_png": png}
    )


def _levels(o: Opportunity, baseline: dict[str, Any]) -> tuple[str, str, str]:
    """Say the current value and the baseline level from the numbers the JSON keeps.

    Returns the description's two clauses (latest, before) and the title's short form,
    which leaves out the current value where the headline already shows it.
    """
    share = o.measure in SHARE_MEASURES
    unit = "" if share else f" {o.unit}"
    now = show_value(o.current, share)
    latest = f"{now}{unit} from {_day(o.start)} to {_day(o.end)}"
    if not baseline["n"]:
        before, was = "no earlier periods to compare with", "nothing earlier to compare with"
    else:
        level = show_value(baseline["median"], share)
        before = (
            f"median {level}{unit} over the {baseline['n']} periods from "
            f"{_day(baseline['start'])} to {_day(baseline['end'])}"
        )
        was = f"median {level} before"
    short = was if now in o.headline else f"latest {now}, {was}"
    return latest, before, short


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp.day} {stamp:%b}"


def _benefit(o: Opportunity) -> dict[str, Any]:
    """Return what closing the gap wins a week; load to move and banked savings win none."""
    unit, basis = _per_week_unit(o), o.benefit_basis or "see the description"
    if o.benefit_kind == "saved":
        per_week, hours = round(o.excess_per_week, 2), round(o.hours_per_week, 1)
        return {"per_week": per_week, "unit": unit, "hours_per_week": hours, "basis": basis}
    return {
        "per_week": 0.0,
        "unit": unit,
        "hours_per_week": 0.0,
        f"{o.benefit_kind}_per_week": round(o.excess_per_week, 2),
        f"{o.benefit_kind}_hours_per_week": round(o.hours_per_week, 1),
        "basis": basis,
    }


def _per_week_unit(o: Opportunity) -> str:
    if o.kind == "handover":
        return "ping-pongs/week"
    if o.unit.startswith("share of "):
        return f"{o.unit.removeprefix('share of ')}/week"
    if o.unit == "hours":
        return "hours/week"
    return "records/week"


def _snapshot(reference: pd.Series, unit: str) -> dict[str, Any]:
    values = reference.dropna()
    if values.empty:
        return {"n": 0, "unit": unit}
    p10, median, p90 = np.percentile(values.to_numpy(float), [10, 50, 90])
    return {
        "start": values.index[0],
        "end": values.index[-1],
        "n": int(values.size),
        "median": float(median),
        "mean": float(values.mean()),
        "p10": float(p10),
        "p90": float(p90),
        "values": [float(v) for v in values],
        "unit": unit,
    }

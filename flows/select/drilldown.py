"""Drill-down: one entry per move, naming the slices that drive it.

When a KPI's total moves, the same move shows in the teams, services and priorities that
carry it, and a naive scan files each of them. :func:`drill_down` keeps the total finding,
attributes its move to the slices that drive it (their *drivers*), and drops the slice
findings of the same KPI that moved the same way in the lookback. A slice that degrades
while the total stays flat is kept only if it matters: its excess must be a stated share
of the total's baseline. What is left is ranked by score times impact, capped per night.

A driver is a plain dict, the shape :func:`flows.candidates.build_candidate` renders::

    {"dimension": "assignment_group", "value": "Group 24", "baseline": 4.1,
     "current": 9.7, "contribution": 1.9, "share": 0.62}

``contribution`` is the slice's part of the total's move in the KPI's unit (for counts its
own change; otherwise its change weighted by its share of the records), and ``share`` is
that part over the total's move.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from detectors import Finding
from flows.config.model import KpiSpec, ScanConfig
from flows.kpis.compute import ALL
from flows.select.kpi_index import BASELINE_PERIODS, KpiIndex

__all__ = ["BASELINE_PERIODS", "Drilled", "attribute", "drill_down"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drilled:
    """A finding to file, with the slices that drive it and its impact on the total."""

    finding: Finding
    drivers: list[dict[str, Any]] = field(default_factory=list)
    impact: float = 1.0


def attribute(
    kpi_frame: pd.DataFrame | KpiIndex,
    spec: KpiSpec,
    start: pd.Timestamp,
    end: pd.Timestamp,
    only: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Compare every series of one KPI over ``start..end`` with the periods before it.

    Returns one row per series (``dimension``, ``value`` = slice value, ``"*"`` for the
    total) with ``baseline``, ``current``, ``n`` (records in the window) and
    ``contribution`` to the total's move. ``kpi_frame`` may be the night's
    :class:`KpiIndex`; ``only`` (a dimension and its value) limits the rows to that slice
    and the total.
    """
    index = kpi_frame if isinstance(kpi_frame, KpiIndex) else KpiIndex(kpi_frame)
    out = index.window(spec.name, start, end, None if only is None else [(ALL, ALL), only])
    total_n = out.loc[out["dimension"] == ALL, "n"].sum()
    change = out["current"] - out["baseline"]
    if spec.measure in ("count", "backlog"):
        out["contribution"] = change
    else:
        out["contribution"] = change * out["n"] / max(float(total_n), 1.0)
    return out.rename(columns={"slice": "value"})


def drill_down(
    findings: list[Finding], kpi_frame: pd.DataFrame, config: ScanConfig
) -> list[Drilled]:
    """Group slice findings under their total, keep material flat-total slices, rank and cap."""
    specs = {kpi.name: kpi for kpi in config.kpis}
    rules = config.drilldown
    totals = [f for f in findings if not f.dimensions]
    if not findings:
        return []
    index = KpiIndex(kpi_frame)  # once per night: each finding then reads only its KPI
    kept: list[Drilled] = []
    for total in totals:
        spec = specs[total.kpi]
        table = attribute(index, spec, total.start, total.end)
        kept.append(Drilled(total, _drivers(table, rules.max_drivers, rules.min_driver_share)))
    for finding in findings:
        if not finding.dimensions:
            continue
        if any(_same_move(finding, t) for t in totals):
            _log.info("%s %s: explained by the total's move", finding.kpi, finding.dimensions)
            continue
        impact = _impact(finding, index, specs[finding.kpi])
        if impact < rules.min_impact_share:
            _log.info(
                "%s %s: dropped, excess is %.1f%% of the total (< %.0f%%)",
                finding.kpi,
                finding.dimensions,
                100 * impact,
                100 * rules.min_impact_share,
            )
            continue
        kept.append(Drilled(finding, impact=impact))
    ranked = sorted(kept, key=lambda d: -d.finding.score * min(1.0, 0.5 + d.impact))
    return ranked[: rules.max_findings]


def _drivers(table: pd.DataFrame, limit: int, min_share: float) -> list[dict[str, Any]]:
    total = table[table["dimension"] == "*"]
    move = float((total["current"] - total["baseline"]).iloc[0]) if len(total) else np.nan
    if not np.isfinite(move) or move == 0:
        return []
    slices = table[table["dimension"] != "*"].dropna(subset=["contribution"])
    slices = slices.assign(share=slices["contribution"] / move)
    ranked = slices[slices["share"] >= min_share].sort_values("share", ascending=False)
    top = ranked.groupby("dimension", sort=False).head(limit)  # the best few of each dimension
    columns = ["dimension", "value", "baseline", "current", "contribution", "share"]
    return [
        {str(k): v if k in ("dimension", "value") else round(float(v), 4) for k, v in r.items()}
        for r in top[columns].to_dict("records")
    ]


def _impact(finding: Finding, index: KpiIndex, spec: KpiSpec) -> float:
    """Return the slice's excess over the window as a share of the total's baseline level.

    The same numbers as :func:`attribute` for the slice and the total, without its table.
    """
    ((dim, value),) = finding.dimensions.items()
    key = (dim, str(value))
    numbers = index.numbers(spec.name, finding.start, finding.end, [(ALL, ALL), key])
    if key not in numbers or (ALL, ALL) not in numbers:
        return 0.0
    total_baseline, _, total_n = numbers[ALL, ALL]
    baseline, current, n = numbers[key]
    change = current - baseline
    if spec.measure in ("count", "backlog"):
        contribution = change
    else:
        contribution = change * n / max(0.0 if np.isnan(total_n) else total_n, 1.0)
    level = abs(total_baseline)
    return abs(contribution) / level if level > 0 else 0.0


def _same_move(part: Finding, total: Finding) -> bool:
    # The night's findings all ended within the lookback, so a total that moved the same way
    # is the same story even when the slice's window starts a day or two later.
    return part.kpi == total.kpi and part.direction == total.direction

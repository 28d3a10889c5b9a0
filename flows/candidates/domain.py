"""A KPI's domain in an entry: counts and durations >= 0, rates in [0, 1].

Every number an entry shows (baseline, band, target) is clipped to the KPI's domain
(:attr:`KpiSpec.domain`), and the entry's ``kpi`` block carries it. Rates are shown to people
as percentages (:meth:`KpiSpec.show`) while the JSON keeps shares.
"""

from __future__ import annotations

import math

from flows.config.kpi_spec import KpiSpec

__all__ = ["clip", "kpi_block"]


def clip(value: float, spec: KpiSpec) -> float:
    """Clip ``value`` to the KPI's domain; NaN stays NaN."""
    if not math.isfinite(value):
        return value
    low, high = spec.domain
    value = max(value, low)
    return min(value, high) if high is not None else value


def kpi_block(spec: KpiSpec) -> dict[str, object]:
    """Return the entry's ``kpi`` block: name, unit, direction, measure and domain."""
    low, high = spec.domain
    return {
        "name": spec.name,
        "unit": spec.unit,
        "better": spec.better,
        "measure": spec.measure,
        "domain": [low, high],
    }

"""A KPI's domain and how its values read: counts and durations >= 0, rates in [0, 1].

Every number an entry shows (baseline, band, target) is clipped to the KPI's domain, and
rates are shown to people as percentages while the JSON keeps shares. Shared by every
entry kind's candidate builder.
"""

from __future__ import annotations

import math

from flows.config.kpi_spec import KpiSpec

__all__ = ["clip", "fmt_value", "is_share", "kpi_block", "kpi_domain"]

_SHARES = frozenset({"rate", "linked"})


def is_share(spec: KpiSpec) -> bool:
    """Whether the KPI's values are shares of records (shown as percentages)."""
    return spec.measure in _SHARES


def kpi_domain(spec: KpiSpec) -> tuple[float, float | None]:
    """Return the KPI's (low, high) bounds; ``None`` for no upper bound.

    Examples
    --------
    >>> from flows.config.kpi_spec import KpiSpec
    >>> rate = KpiSpec(name="r", source="s", measure="rate", flag="f", date="d", unit="share",
    ...                better="lower", csf="c", objective="o")
    >>> kpi_domain(rate)
    (0.0, 1.0)
    """
    return (0.0, 1.0) if is_share(spec) else (0.0, None)


def clip(value: float, spec: KpiSpec) -> float:
    """Clip ``value`` to the KPI's domain; NaN stays NaN."""
    if not math.isfinite(value):
        return value
    low, high = kpi_domain(spec)
    value = max(value, low)
    return min(value, high) if high is not None else value


def fmt_value(value: float | None, spec: KpiSpec) -> str:
    """Format a KPI value for people: ``12.3 %`` for rates, 3 significant digits otherwise.

    Examples
    --------
    >>> from flows.config.kpi_spec import KpiSpec
    >>> rate = KpiSpec(name="r", source="s", measure="rate", flag="f", date="d", unit="share",
    ...                better="lower", csf="c", objective="o")
    >>> fmt_value(0.1234, rate)
    '12.3 %'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.3g} %" if is_share(spec) else f"{value:.3g}"


def kpi_block(spec: KpiSpec) -> dict[str, object]:
    """Return the entry's ``kpi`` block: name, unit, direction, measure and domain."""
    low, high = kpi_domain(spec)
    return {
        "name": spec.name,
        "unit": spec.unit,
        "better": spec.better,
        "measure": spec.measure,
        "domain": [low, high],
    }

"""Per-source settings of the quality gate, read from a source's ``gate:`` mapping.

This module imports only pydantic, so ``flows.config.model`` can embed :class:`GateSpec` in
``SourceSpec`` without importing Great Expectations or the gate itself. Every field has a
default that suits a daily operational log; a dataset's reviewed defaults (see
:mod:`flows.gate.suites`) fill in domains and date orders, and the config overrides both.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SEVERITIES", "GateSpec", "Severity"]

Severity = Literal["critical", "warning", "info"]
#: Most to least severe; ``critical`` blocks detection, ``warning`` adds a caveat.
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")


class GateSpec(BaseModel):
    """Quality-gate settings for one source.

    Examples
    --------
    >>> spec = GateSpec.model_validate({"freshness_max_age_days": 2})
    >>> spec.freshness_max_age_days, spec.volume_min_ratio
    (2, 0.5)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_date: str | None = Field(
        default=None,
        description="date column that places a record in a day; default: first of dates",
    )
    key_columns: list[str] = Field(
        default=[], description="columns that must never be null, besides the id (critical)"
    )
    unique_key: list[str] = Field(
        default=[], description="columns that together identify a record; default: the id"
    )
    max_duplicate_share: float = Field(
        default=0.0, ge=0, le=1, description="share of duplicated rows before it is critical"
    )
    domains: dict[str, list[str]] = Field(default={}, description="column -> allowed values")
    domain_severity: Severity = "warning"
    completeness: dict[str, float] = Field(
        default={}, description="column -> minimum share of non-null values (warning)"
    )
    date_order: list[tuple[str, str]] = Field(
        default=[], description="(earlier, later) date pairs; KPI start/end pairs are always added"
    )
    max_unparsed_share: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="share of non-empty event dates that may fail to parse before it is critical",
    )
    max_missing_event_share: float = Field(
        default=0.01, ge=0, le=1, description="share of empty event dates before it is critical"
    )
    future_tolerance_days: int = Field(
        default=1, ge=0, description="dates this far past as_of are ok"
    )
    future_severity: Severity = Field(
        default="info",
        description="dates after as_of: normal in a replay of a frozen extract, so info",
    )
    max_impossible_share: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description=(
            "share of values that are impossible (dated after today, text in a number "
            "column, a second date format) tolerated as a warning; above it is critical"
        ),
    )
    allow_negative: list[str] = Field(
        default=[], description="number columns that may be negative; all others may not"
    )
    min_history_days: int = Field(
        default=28, ge=1, description="days with records up to as_of that a baseline needs"
    )
    freshness_max_age_days: int = Field(
        default=3, ge=0, description="the latest record may be at most this many days before as_of"
    )
    volume_window_days: int = Field(
        default=7, ge=1, description="recent window compared with history"
    )
    volume_history_windows: int = Field(
        default=4, ge=1, description="earlier windows forming history"
    )
    volume_min_ratio: float = Field(default=0.5, ge=0)
    volume_max_ratio: float = Field(default=2.0, gt=0)
    edge_min_ratio: float = Field(
        default=0.3,
        ge=0,
        description="first/last day vs the same weekday nearby; below = partial day",
    )
    max_blocked_partitions: int = Field(
        default=3,
        ge=1,
        description="a critical failure in at most this many partitions blocks only them",
    )
    max_blocked_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="...and only if they hold at most this share of records",
    )
    dq_consecutive_failures: int = Field(
        default=3,
        ge=1,
        description="critical failures in a row before a data_quality entry is filed",
    )

    def merged_over(self, base: GateSpec) -> GateSpec:
        """Return ``base`` with the fields set explicitly on ``self`` laid over it.

        Dict fields merge key by key, and ``date_order`` pairs are added to the base's.
        """
        update: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name in ("domains", "completeness"):
                value = {**getattr(base, name), **value}
            elif name == "date_order":
                value = list(dict.fromkeys([*base.date_order, *value]))
            update[name] = value
        return base.model_copy(update=update)

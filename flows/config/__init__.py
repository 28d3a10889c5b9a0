"""Stage 0, config: the scan's YAML, validated with pydantic before any work starts.

A config names its sources, KPIs, gate, detector, routing and follow-up rules. Runtime
settings (paths, register URL) come from ``RADAR_*`` environment variables instead.
"""

from flows.config.followup_spec import FollowUpSpec
from flows.config.gate_spec import SEVERITIES, GateSpec, Severity
from flows.config.kpi_spec import (
    SHARE_MEASURES,
    CalendarSpec,
    DrilldownSpec,
    ExtractSpec,
    KpiSpec,
    LinkSpec,
    Measure,
    show_value,
)
from flows.config.model import (
    AuditLogSpec,
    ConfigError,
    DetectorSpec,
    RouteRule,
    ScanConfig,
    SourceSpec,
    load_config,
)
from flows.config.settings import DEFAULT_REGISTER_URL, RadarSettings, quiet_prefect_defaults

__all__ = [
    "DEFAULT_REGISTER_URL",
    "SEVERITIES",
    "SHARE_MEASURES",
    "AuditLogSpec",
    "CalendarSpec",
    "ConfigError",
    "DetectorSpec",
    "DrilldownSpec",
    "ExtractSpec",
    "FollowUpSpec",
    "GateSpec",
    "KpiSpec",
    "LinkSpec",
    "Measure",
    "RadarSettings",
    "RouteRule",
    "ScanConfig",
    "Severity",
    "SourceSpec",
    "load_config",
    "quiet_prefect_defaults",
    "show_value",
]

"""Scan configuration: the YAML schema, validated with pydantic.

A config names its sources (where records come from and how to read them), the KPIs
computed over them, the detector settings, and the routing rules that pick an owner.
Paths may use ``${RADAR_DATA_DIR}`` (default ``../shared/data``) and are resolved
relative to the config file.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flows.config.followup_spec import FollowUpSpec
from flows.config.gate_spec import GateSpec
from flows.config.kinds_spec import KindsSpec, check_kinds
from flows.config.kpi_spec import CalendarSpec, DrilldownSpec, ExtractSpec, KpiSpec, LinkSpec
from flows.config.sync_spec import SyncSpec
from flows.config.web_spec import NotifySpec, WebSpec
from flows.errors import ConfigError

__all__ = [
    "AuditLogSpec",
    "CalendarSpec",
    "ConfigError",
    "DateFilter",
    "DetectorSpec",
    "DrilldownSpec",
    "ExtractSpec",
    "KpiSpec",
    "LinkSpec",
    "RouteRule",
    "ScanConfig",
    "SourceSpec",
    "load_config",
]

DEFAULT_DATA_DIR = "../shared/data"
_ENV_PATTERN = re.compile(r"\$\{(\w+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuditLogSpec(_Strict):
    """How to reduce an audit log (one row per update) to one row per record.

    Rows are sorted by ``order_by`` within ``key`` and the last row wins: fields that
    change over a record's life (state, SLA flag, group) take their final value.
    Counters listed in ``max_columns`` take their maximum instead.
    """

    key: str
    order_by: list[str]
    max_columns: list[str] = []


class DateFilter(_Strict):
    """Rows an SQL source keeps, by a date column, pushed down to the database as WHERE."""

    column: str = Field(description="a canonical date column (one of dates)")
    start: date | None = None
    end: date | None = Field(None, description="inclusive")


class SourceSpec(_Strict):
    """One data source and how to read it into canonical columns.

    A file source has a ``path``; a ``format: sql`` source has a SQLAlchemy ``url``
    and either a ``table`` or a read-only ``query`` (see :mod:`flows.load.sql`).
    """

    name: str
    path: str = ""
    format: Literal["csv", "parquet", "sql"] = "csv"
    url: str | None = None
    table: str | None = None
    query: str | None = None
    chunksize: int = Field(50_000, ge=1)
    date_filter: DateFilter | None = None
    engine: Literal["pandas", "dask"] = Field(
        "pandas", description="dask: read in partitions, keeping only the mapped columns"
    )
    encoding: str = "utf-8"
    separator: str = ","
    decimal: str = "."
    na_values: list[str] = ["?", ""]
    date_format: str | None = None
    dayfirst: bool = False
    columns: dict[str, str] = Field(
        description="canonical name -> column in the file; only these columns are kept"
    )
    dates: list[str] = []
    booleans: list[str] = []
    numbers: list[str] = []
    id_column: str = "id"
    audit_log: AuditLogSpec | None = None
    dimensions: list[str] = []
    gate: GateSpec = GateSpec()
    calendar: CalendarSpec | None = None
    extract: ExtractSpec | None = None

    @model_validator(mode="after")
    def _where_to_read(self) -> SourceSpec:
        if self.format != "sql":
            if not self.path:
                raise ValueError("a csv or parquet source needs a path")
            if self.url or self.table or self.query:
                raise ValueError("url, table and query belong to format: sql sources")
            return self
        if not self.url:
            raise ValueError("an sql source needs a SQLAlchemy url")
        if (self.table is None) == (self.query is None):
            raise ValueError("an sql source needs either a table or a query, not both")
        if self.date_filter is not None and self.date_filter.column not in self.dates:
            raise ValueError(f"date_filter.column {self.date_filter.column!r} is not in dates")
        return self

    @model_validator(mode="after")
    def _canonical_names_exist(self) -> SourceSpec:
        mapped = set(self.columns)
        for field_name in ("dates", "booleans", "numbers", "dimensions"):
            missing = [c for c in getattr(self, field_name) if c not in mapped]
            if missing:
                raise ValueError(f"{field_name} names {missing}, which are not in columns")
        if self.id_column not in mapped:
            raise ValueError(f"id_column {self.id_column!r} is not in columns")
        if self.extract is not None and self.extract.column not in self.dates:
            raise ValueError(f"extract.column {self.extract.column!r} is not in dates")
        return self


class DetectorSpec(_Strict):
    """Detector name and hyperparameters, passed to ``detectors.detect_findings``."""

    params: dict[str, Any] = {}
    lookback_days: int = Field(
        14, ge=1, description="file findings whose event ended this recently"
    )
    min_score: float = Field(0.5, ge=0, le=1)

    @field_validator("params")
    @classmethod
    def _known_detector_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Check the keys and bounds against ``detectors.DetectorConfig`` at load time."""
        # Imported here: the detectors package loads scikit-learn, which `radar --help` and
        # the register commands must not pay for.
        from detectors import parse_config

        try:
            parse_config(params)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"]) or "params"
            raise ValueError(f"{key}: {err['msg']} (got {err.get('input')!r})") from None
        return params


class RouteRule(_Strict):
    """Route matching entries to an owner; the first rule that matches wins."""

    owner: str
    kpi: str | None = None
    dimensions: dict[str, str] = {}


class ScanConfig(_Strict):
    """The whole scan configuration."""

    sources: list[SourceSpec] = Field(min_length=1)
    kpis: list[KpiSpec] = []
    detector: DetectorSpec = DetectorSpec()
    routing: list[RouteRule] = []
    followup: FollowUpSpec = FollowUpSpec()
    drilldown: DrilldownSpec = DrilldownSpec()
    web: WebSpec = WebSpec()
    notify: NotifySpec | None = None
    kinds: KindsSpec = KindsSpec()
    as_of: date | None = Field(
        None, description="default scan date, for frozen historical extracts"
    )
    sync: SyncSpec | None = None
    labels: str | None = Field(
        None, description="labelled events (YAML or CSV, relative to this file) for backtests"
    )
    config_path: Path | None = None

    @field_validator("sources")
    @classmethod
    def _unique_source_names(cls, sources: list[SourceSpec]) -> list[SourceSpec]:
        names = [s.name for s in sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate source names: {dupes}")
        return sources

    @model_validator(mode="after")
    def _kpis_reference_sources(self) -> ScanConfig:
        by_name = {s.name: s for s in self.sources}
        names = [kpi.name for kpi in self.kpis]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate KPI names: {dupes}")
        for kpi in self.kpis:
            source = by_name.get(kpi.source)
            if source is None:
                raise ValueError(f"KPI {kpi.name!r} names unknown source {kpi.source!r}")
            for column in kpi.where:
                if column not in source.columns:
                    raise ValueError(
                        f"KPI {kpi.name!r}: where names column {column!r}, not mapped in "
                        f"source {source.name!r} (mapped: {', '.join(source.columns)})"
                    )
            _require(kpi.name, source, kpi.inputs())
            if kpi.link is not None:
                other = by_name.get(kpi.link.source)
                if other is None:
                    raise ValueError(
                        f"KPI {kpi.name!r}: link names unknown source {kpi.link.source!r}"
                    )
                _require(kpi.name, other, [kpi.link.other_key, kpi.link.date])
        check_kinds(self.kinds, {s.name: set(s.columns) for s in self.sources}, names)
        return self

    def source(self, name: str) -> SourceSpec:
        """Return the source called ``name``."""
        return next(s for s in self.sources if s.name == name)

    def resolve_path(self, source: SourceSpec) -> Path:
        """Resolve a source path: expand ``${VAR}``, then make it relative to the config file."""
        # The data dir is relative to where radar runs (the project root), not to the config.
        data_dir = str(Path(os.environ.get("RADAR_DATA_DIR") or DEFAULT_DATA_DIR).resolve())
        expanded = _ENV_PATTERN.sub(
            lambda m: (
                data_dir if m.group(1) == "RADAR_DATA_DIR" else os.environ.get(m.group(1), "")
            ),
            source.path,
        )
        path = Path(expanded)
        if not path.is_absolute() and self.config_path is not None:
            path = self.config_path.parent / path
        return path


def _require(kpi: str, source: SourceSpec, columns: list[str]) -> None:
    missing = [c for c in columns if c not in source.columns]
    if missing:
        raise ValueError(f"KPI {kpi!r} needs {missing}, not mapped in source {source.name!r}")


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Return a YAML error in one line: what is wrong, and where."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def load_config(path: str | Path) -> ScanConfig:
    """Read and validate a YAML config; raise ConfigError naming the file and field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'sources:' list")
    try:
        return ScanConfig.model_validate({**raw, "config_path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_problem(raw, exc)}") from None


def _first_problem(raw: dict[str, Any], exc: ValidationError) -> str:
    """Name the field of the first problem, a typo'd key first (it explains a missing one).

    List items read by their ``name`` (``kpis.0 (incidents_opened).mesure``), and an unknown
    key next to a missing one gets a suggestion.
    """
    errors = exc.errors()
    typos = [e for e in errors if e["type"] == "extra_forbidden"]
    first = (typos or errors)[0]
    parts: list[str] = []
    node: Any = raw
    for step in first["loc"]:
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = node.get(step) if isinstance(node, dict) else None
        named = node.get("name") if isinstance(node, dict) and isinstance(step, int) else None
        parts.append(
            f"{_shown(step)} ({_shown(named)})" if isinstance(named, str) else _shown(step)
        )
    where = ".".join(parts) or "(top level)"
    if first["type"] != "extra_forbidden":
        return f"{where}: {first['msg']}"
    key, parent = str(first["loc"][-1]), first["loc"][:-1]
    missing = [
        str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent
    ]
    close = difflib.get_close_matches(key, missing, n=1)
    return f"{where}: unknown key" + (f"; did you mean {close[0]!r}?" if close else "")


def _shown(step: Any) -> str:
    """Return a key as it reads in one line: quoted when blank or holding a line break."""
    text = str(step)
    return text if text.isprintable() and text.strip() else repr(text)

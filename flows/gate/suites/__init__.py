"""Expectation suites per source: reviewed artefacts, built in code, pinned by golden files.

Each source gets four suites (``<source>.schema``, ``<source>.records``,
``<source>.profile`` and ``<source>.daily``; see :mod:`flows.gate.suites._stages`). What
they check comes from the source's config, laid over the reviewed defaults of its
dataset (``DATASET_DEFAULTS``, one module per dataset). :func:`suites_json` gives the
canonical JSON that the golden test compares and that :func:`suite_version` hashes into
every entry's provenance.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flows.config.gate_spec import GateSpec
from flows.config.model import ScanConfig, SourceSpec
from flows.gate.suites import bpic2014, uci_incidents
from flows.gate.suites._stages import (
    SuitePlan,
    daily_suite,
    profile_suite,
    records_suite,
    schema_suite,
)

__all__ = [
    "DATASET_DEFAULTS",
    "STAGES",
    "SuitePlan",
    "build_suites",
    "gate_spec_for",
    "plan_for",
    "suite_version",
    "suites_json",
]

#: Reviewed defaults per dataset, keyed by source name.
DATASET_DEFAULTS: dict[str, GateSpec] = {
    "uci_incidents": uci_incidents.GATE,
    "bpic_incidents": bpic2014.INCIDENTS,
    "bpic_changes": bpic2014.CHANGES,
    "bpic_interactions": bpic2014.INTERACTIONS,
}
STAGES = ("schema", "records", "profile", "daily")


def gate_spec_for(source: SourceSpec) -> GateSpec:
    """Return the source's gate settings: its ``gate:`` config over its dataset defaults."""
    return source.gate.merged_over(DATASET_DEFAULTS.get(source.name, GateSpec()))


def plan_for(config: ScanConfig, source: SourceSpec) -> SuitePlan:
    """Resolve what the suites of ``source`` check from the config."""
    gate = gate_spec_for(source)
    event_date = gate.event_date or (source.dates[0] if source.dates else source.id_column)
    kpis = [k for k in config.kpis if k.source == source.name]
    kpi_columns = {c for k in kpis for c in (k.date, k.start, k.end, k.flag, *k.dimensions) if c}
    pairs = [(k.start, k.end) for k in kpis if k.start and k.end]
    order = [p for p in dict.fromkeys([*pairs, *gate.date_order]) if p[0] != p[1]]
    return SuitePlan(
        source=source.name,
        columns=tuple(source.columns),
        id_column=source.id_column,
        event_date=event_date,
        dates=tuple(source.dates),
        booleans=tuple(source.booleans),
        numbers=tuple(source.numbers),
        dimensions=tuple(source.dimensions),
        kpi_columns=tuple(sorted(kpi_columns)),
        gate=gate.model_copy(update={"date_order": order}),
    )


def build_suites(plan: SuitePlan) -> dict[str, Any]:
    """Return the ExpectationSuite of each stage, keyed by stage (imports GX)."""
    return {
        "schema": schema_suite(plan),
        "records": records_suite(plan),
        "profile": profile_suite(plan),
        "daily": daily_suite(plan),
    }


def suites_json(suites: dict[str, Any]) -> dict[str, Any]:
    """Return the suites as canonical JSON: no generated ids, stable key order."""
    out = {}
    for stage, suite in suites.items():
        data = suite.to_json_dict()
        data.pop("id", None)
        for expectation in data["expectations"]:
            expectation.pop("id", None)
        out[stage] = data
    canonical: dict[str, Any] = json.loads(json.dumps(out, sort_keys=True, default=str))
    return canonical


def suite_version(suites: dict[str, Any]) -> str:
    """Return a short content hash of the suites; it changes whenever a check changes."""
    text = json.dumps(suites_json(suites), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]

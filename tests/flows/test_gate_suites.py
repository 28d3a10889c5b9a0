"""The suites are reviewed artefacts: a golden file pins each source's suites."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flows.config.gate_spec import GateSpec
from flows.config.model import ScanConfig, load_config
from flows.gate.suites import build_suites, gate_spec_for, plan_for, suite_version, suites_json

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return load_config(ROOT / "examples" / "demo.yaml")


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.yaml")))
def test_example_suites_match_the_golden_files(example: str) -> None:
    """A changed check must show up as a reviewed diff of a golden file.

    The suites follow the config (its KPIs, dimensions and ``gate:`` settings) and the
    dataset defaults in ``flows/gate/suites``. After reviewing the change, regenerate with
    ``RADAR_UPDATE_GOLDEN=1 pytest tests/flows/test_gate_suites.py``.
    """
    config = load_config(ROOT / "examples" / example)
    for source in config.sources:
        suites = build_suites(plan_for(config, source))
        actual = {"suite_version": suite_version(suites), "suites": suites_json(suites)}
        golden = GOLDEN / f"gate_{Path(example).stem}.{source.name}.json"
        if os.environ.get("RADAR_UPDATE_GOLDEN"):
            golden.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
        assert golden.is_file(), f"no golden file {golden.name}; see this test's docstring"
        expected = json.loads(golden.read_text())
        assert actual == expected, (
            f"suites of {source.name} in {example} changed "
            f"({expected['suite_version']} -> {actual['suite_version']}); review and regenerate"
        )


def test_suites_cover_every_check_family(config: ScanConfig) -> None:
    suites = suites_json(build_suites(plan_for(config, config.sources[0])))
    checks = {e["meta"]["check"] for s in suites.values() for e in s["expectations"]}
    assert checks == {
        "schema",
        "ids",
        "key_nulls",
        "all_null",
        "completeness",
        "domains",
        "date_order",
        "unparsable_dates",
        "future_dates",
        "freshness",
        "volume",
        "edge_completeness",
        "impossible_dates",
        "mixed_date_formats",
        "non_numeric",
        "negative_values",
        "history",
    }
    severities = {e["severity"] for s in suites.values() for e in s["expectations"]}
    assert severities == {"critical", "warning", "info"}


def test_config_gate_fields_lay_over_dataset_defaults(config: ScanConfig) -> None:
    source = config.sources[0].model_copy(
        update={"gate": GateSpec.model_validate({"domains": {"category": ["Category 1"]}})}
    )
    spec = gate_spec_for(source)
    assert set(spec.domains) == {"state", "priority", "category"}
    assert spec.event_date == "opened_at"  # from the dataset defaults
    assert gate_spec_for(config.sources[0]) == gate_spec_for(
        config.sources[0].model_copy(update={"gate": GateSpec()})
    )


def test_kpi_duration_pairs_become_date_order_checks(config: ScanConfig) -> None:
    plan = plan_for(config, config.sources[0])
    assert ("opened_at", "resolved_at") in plan.gate.date_order
    assert plan.event_date == "opened_at"
    assert {"made_sla", "resolved_at"} <= set(plan.kpi_columns)

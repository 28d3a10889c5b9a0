"""The gate on the real demo records, clean and corrupted, with real GX validations."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from flows.config.gate_spec import GateSpec
from flows.config.model import ScanConfig, load_config
from flows.gate.run import GateResult, apply_gate, run_gate
from flows.gate.suites import plan_for
from flows.load.records import RecordFrame, load_records

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.yaml"
AS_OF = date(2016, 5, 31)


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return load_config(DEMO)


@pytest.fixture(scope="module")
def frame(config: ScanConfig) -> RecordFrame:
    return load_records(config, config.sources[0])


def _with(frame: RecordFrame, records: pd.DataFrame, **changes: object) -> RecordFrame:
    return dataclasses.replace(frame, records=records.reset_index(drop=True), **changes)


def _gate(frame: RecordFrame, config: ScanConfig, as_of: date = AS_OF) -> GateResult:
    return run_gate([frame], config, as_of, None)[frame.source]


def _failed(result: GateResult) -> dict[str, str]:
    """Failure key -> severity, info failures left out."""
    return {f.key: f.severity for f in result.failures if f.severity != "info"}


def _day(records: pd.DataFrame, day: str) -> pd.Series:
    return records["opened_at"].dt.strftime("%Y-%m-%d") == day


def test_clean_demo_passes_with_docs_and_a_persisted_result(
    frame: RecordFrame, config: ScanConfig, tmp_path: Path
) -> None:
    from flows.gate import load_results, save_result
    from register_client import connect

    result = run_gate([frame], config, AS_OF, tmp_path / "data_docs")["uci_incidents"]
    assert result.success and not result.blocked and result.blocked_partitions == {}
    assert result.highest_failed_severity == "info"  # records dated after as_of: replay
    assert result.rows_after_as_of == 274
    assert result.rows_checked + result.rows_after_as_of == len(frame.records)
    assert result.docs_path and Path(result.docs_path).is_file()
    assert (tmp_path / "data_docs" / "index.html").is_file()
    register = connect(f"sqlite:///{tmp_path / 'register.db'}")
    save_result(result, register)
    (saved,) = load_results(register, "uci_incidents")
    assert GateResult.from_json(saved) == result
    assert result.caveats() == []


def test_validation_ids_are_unique_and_the_suite_version_stable(
    frame: RecordFrame, config: ScanConfig
) -> None:
    first, second = _gate(frame, config), _gate(frame, config)
    assert first.validation_id != second.validation_id
    assert first.suite_version == second.suite_version
    assert first.to_json()["suite_version"] == first.suite_version


@pytest.mark.parametrize("column", ["state", "id", "opened_at"])
def test_dropped_column_is_critical_and_blocks(
    frame: RecordFrame, config: ScanConfig, column: str
) -> None:
    result = _gate(_with(frame, frame.records.drop(columns=[column])), config)
    key = f"schema:expect_column_to_exist:{column}"
    assert _failed(result)[key] == "critical"
    assert result.blocked and not result.success
    assert f"{column!r} is missing" in next(f.detail for f in result.failures if f.key == key)


def test_garbage_event_dates_are_critical(frame: RecordFrame, config: ScanConfig) -> None:
    records = frame.records.copy()
    garbage = records.sample(frac=0.03, random_state=0).index
    records.loc[garbage, "opened_at"] = pd.NaT  # what load_records makes of them
    result = _gate(_with(frame, records, date_failures={"opened_at": len(garbage)}), config)
    key = "unparsable_dates:expect_column_values_to_be_between:opened_at"
    assert _failed(result) == {key: "critical"}
    assert result.blocked
    assert next(f for f in result.failures if f.key == key).unexpected_count == len(garbage)


def test_a_few_unparsable_event_dates_only_warn(frame: RecordFrame, config: ScanConfig) -> None:
    records = frame.records.copy()
    records.loc[records.index[:20], "opened_at"] = pd.NaT
    result = _gate(_with(frame, records, date_failures={"opened_at": 20}), config)
    assert _failed(result) == {
        "unparsable_dates:expect_column_values_to_be_between:opened_at": "warning"
    }
    assert not result.blocked


def test_garbage_in_another_date_warns_and_becomes_a_caveat(
    frame: RecordFrame, config: ScanConfig
) -> None:
    records = frame.records.copy()
    records.loc[records.index[:50], "resolved_at"] = pd.NaT
    result = _gate(_with(frame, records, date_failures={"resolved_at": 50}), config)
    assert _failed(result) == {
        "unparsable_dates:expect_column_values_to_be_between:resolved_at": "warning"
    }
    assert not result.blocked and not result.success
    assert result.highest_failed_severity == "warning"
    assert any("resolved_at" in caveat for caveat in result.caveats())


def test_duplicated_ids_across_days_block_the_source(
    frame: RecordFrame, config: ScanConfig
) -> None:
    records = pd.concat([frame.records, frame.records.sample(frac=0.1, random_state=0)])
    result = _gate(_with(frame, records), config)
    assert _failed(result) == {"ids:expect_column_values_to_be_unique:id": "critical"}
    assert result.blocked
    assert apply_gate(frame, result, config) is None


def test_a_failure_confined_to_one_day_blocks_only_that_day(
    frame: RecordFrame, config: ScanConfig
) -> None:
    day = frame.records[_day(frame.records, "2016-04-12")]
    result = _gate(_with(frame, pd.concat([frame.records, day.head(5)])), config)
    assert _failed(result) == {"ids:expect_column_values_to_be_unique:id": "critical"}
    assert not result.blocked
    assert result.blocked_partitions == {"day": ["2016-04-12"]}
    assert "2016-04-12" in " ".join(result.caveats())
    usable = apply_gate(_with(frame, frame.records), result, config)
    assert usable is not None
    assert len(usable.records) == len(frame.records) - len(day)
    assert not _day(usable.records, "2016-04-12").any()


def test_a_failure_confined_to_one_service_blocks_only_that_service(
    frame: RecordFrame, config: ScanConfig
) -> None:
    group = frame.records[frame.records["assignment_group"] == "Group 25"]
    assert group["opened_at"].dt.floor("D").nunique() > 3
    result = _gate(_with(frame, pd.concat([frame.records, group])), config)
    assert _failed(result) == {"ids:expect_column_values_to_be_unique:id": "critical"}
    assert result.blocked_partitions == {"assignment_group": ["Group 25"]}
    assert not result.blocked
    usable = apply_gate(frame, result, config)
    assert usable is not None and "Group 25" not in set(usable.records["assignment_group"])


def test_closed_before_opened_on_one_day(frame: RecordFrame, config: ScanConfig) -> None:
    records = frame.records.copy()
    on_day = _day(records, "2016-04-12")
    records.loc[on_day, "closed_at"] = records.loc[on_day, "opened_at"] - pd.Timedelta(days=1)
    result = _gate(_with(frame, records), config)
    failed = _failed(result)
    assert failed[
        "date_order:expect_column_pair_values_a_to_be_greater_than_b:opened_at<=closed_at"
    ]
    assert set(failed.values()) == {"critical"}
    assert result.blocked_partitions == {"day": ["2016-04-12"]} and not result.blocked


def test_all_null_kpi_column_blocks_but_unused_one_only_warns(
    frame: RecordFrame, config: ScanConfig
) -> None:
    records = frame.records.copy()
    records["made_sla"] = pd.array([None] * len(records), dtype="boolean")
    key = "all_null:expect_column_proportion_of_non_null_values_to_be_between:{}"
    assert _failed(_gate(_with(frame, records), config)) == {key.format("made_sla"): "critical"}
    plan = plan_for(config, config.sources[0])
    used = {plan.id_column, plan.event_date, *plan.dimensions, *plan.kpi_columns}
    unused = [c for c in plan.columns if c not in used and c not in plan.dates]
    if not unused:
        pytest.skip("every column of the demo feeds a KPI")
    records = frame.records.copy()
    records[unused[0]] = pd.Series(pd.NA, index=records.index, dtype=records[unused[0]].dtype)
    result = _gate(_with(frame, records), config)
    assert _failed(result)[key.format(unused[0])] == "warning"
    assert result.highest_failed_severity == "warning" and not result.blocked


def test_out_of_domain_priority_warns(frame: RecordFrame, config: ScanConfig) -> None:
    records = frame.records.copy()
    records.loc[records.index[:3], "priority"] = "9 - Bogus"
    result = _gate(_with(frame, records), config)
    assert _failed(result) == {"domains:expect_column_values_to_be_in_set:priority": "warning"}
    assert result.failures[0].unexpected_count == 3


def test_stale_extract_is_critical(frame: RecordFrame, config: ScanConfig) -> None:
    records = frame.records[frame.records["opened_at"] < "2016-05-20"]
    result = _gate(_with(frame, records), config)
    assert _failed(result)["freshness:expect_column_max_to_be_between:day"] == "critical"
    assert result.blocked


def test_partial_last_day_blocks_that_day(frame: RecordFrame, config: ScanConfig) -> None:
    records = frame.records[frame.records["opened_at"] < "2016-05-31 08:30"]
    result = _gate(_with(frame, records), config)
    edge = "edge_completeness:expect_column_values_to_be_between:weekday_ratio"
    assert _failed(result)[edge] == "critical"
    assert result.blocked_partitions == {"day": ["2016-05-31"]} and not result.blocked


def test_gate_settings_from_config_override_dataset_defaults(
    frame: RecordFrame, config: ScanConfig
) -> None:
    source = config.sources[0].model_copy(update={"gate": GateSpec(future_severity="warning")})
    tuned = config.model_copy(update={"sources": [source]})
    result = _gate(frame, tuned)
    assert result.highest_failed_severity == "warning"
    assert result.suite_version != _gate(frame, config).suite_version


def test_data_docs_keep_a_bounded_number_of_runs(
    frame: RecordFrame, config: ScanConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.gate.run

    monkeypatch.setattr(flows.gate.run, "_DOCS_KEEP", 1)
    docs = tmp_path / "docs"
    first = run_gate([frame], config, AS_OF, docs)["uci_incidents"]
    second = run_gate([frame], config, AS_OF, docs)["uci_incidents"]
    assert second.docs_path and Path(second.docs_path).is_file()
    assert first.docs_path and not Path(first.docs_path).exists()

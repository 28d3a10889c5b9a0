"""Gate results kept in the register, and counting critical failures over consecutive scans."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from flows.config.model import load_config
from flows.gate.result import Failure, GateResult
from flows.gate.store import (
    consecutive_critical_failures,
    dq_streaks,
    due_dq_streaks,
    load_results,
    save_result,
)
from register_client import Register, connect

DUPES = Failure("records", "expect_column_values_to_be_unique", "id", "ids", "critical", 4, "")
KEY = "ids:expect_column_values_to_be_unique:id"


@pytest.fixture
def reg() -> Register:
    return connect("sqlite://")


def _result(night: int, *failures: Failure, minutes: int = 0) -> GateResult:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=night, minutes=minutes)
    return GateResult(
        source="src",
        as_of=date(2016, 5, 1) + timedelta(days=night),
        success=not failures,
        highest_failed_severity="critical" if failures else None,
        failures=list(failures),
        validation_id=f"{at:%Y%m%dT%H%M%S%f}-{night:08x}",
        suite_name="src",
        suite_version="abc",
        docs_path=None,
        evaluated_at=at,
        blocked=bool(failures),
        blocked_partitions={},
    )


def test_results_round_trip_oldest_first(reg: Register) -> None:
    for night in (2, 0, 1):
        save_result(_result(night, DUPES), reg)
    save_result(_result(1, DUPES), reg)  # the same validation id again: kept once
    kept = load_results(reg, "src")
    assert [r["as_of"] for r in kept] == ["2016-05-01", "2016-05-02", "2016-05-03"]
    assert kept[0]["failures"][0]["key"] == KEY
    assert GateResult.from_json(kept[-1]) == _result(2, DUPES)


def test_consecutive_critical_failures_reset_on_a_clean_scan(reg: Register) -> None:
    for night, failing in enumerate([True, False, True, True, True]):
        save_result(_result(night, *([DUPES] if failing else [])), reg)
    assert consecutive_critical_failures(reg, "src", KEY) == 3
    assert consecutive_critical_failures(reg, "src", DUPES.expectation) == 3
    assert consecutive_critical_failures(reg, "other", KEY) == 0
    (streak,) = dq_streaks(reg, "src", 3)
    assert (streak.expectation, streak.count, streak.first_failed_as_of) == (KEY, 3, "2016-05-03")
    assert dq_streaks(reg, "src", 4) == []
    save_result(_result(5), reg)
    assert consecutive_critical_failures(reg, "src", KEY) == 0


def test_rerunning_a_scan_date_counts_once_with_its_latest_result(reg: Register) -> None:
    save_result(_result(0, DUPES), reg)
    save_result(_result(1, DUPES), reg)
    save_result(_result(1, DUPES, minutes=5), reg)
    assert consecutive_critical_failures(reg, "src", KEY) == 2
    save_result(_result(1, minutes=9), reg)  # fixed and re-run
    assert consecutive_critical_failures(reg, "src", KEY) == 0


def test_warnings_do_not_count(reg: Register) -> None:
    warning = dataclasses.replace(DUPES, severity="warning")
    for night in range(3):
        save_result(_result(night, warning), reg)
    assert consecutive_critical_failures(reg, "src", KEY) == 0


def test_due_streaks_use_each_sources_configured_n(reg: Register) -> None:
    config = load_config(Path(__file__).resolve().parents[2] / "examples" / "demo.yaml")
    for night in range(3):
        result = dataclasses.replace(_result(night, DUPES), source="uci_incidents")
        save_result(result, reg)
    (streak,) = due_dq_streaks(config, reg)  # the default N is 3
    assert (streak.source, streak.count) == ("uci_incidents", 3)


def test_too_little_history_blocks_but_files_no_streak(reg: Register) -> None:
    """A new source's warm-up is not a defect an owner can fix: it ends by itself."""
    young = Failure(
        "profile",
        "expect_column_values_to_be_between",
        "opened.history_days",
        "history",
        "critical",
        1,
        "",
    )
    for night in range(5):
        save_result(_result(night, young), reg)
    assert consecutive_critical_failures(reg, "src", young.key) == 5
    assert dq_streaks(reg, "src", 3) == []

"""A critical check failing N scans in a row becomes one data_quality entry, deduplicated."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from register_client import connect
from tests.conftest import DEMO_CONFIG


@pytest.fixture(scope="module")
def broken_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo log with its SLA flag blanked out ("?" everywhere): a critical failure."""
    folder = tmp_path_factory.mktemp("broken")
    (folder / "data").mkdir()
    raw = pd.read_csv(DEMO_CONFIG.parent / "data/incident_event_log.csv.gz", dtype="string")
    raw["made_sla"] = "?"
    raw.to_csv(folder / "data/incident_event_log.csv.gz", index=False)
    config = folder / "demo.yaml"
    config.write_text(DEMO_CONFIG.read_text())
    return config


def test_three_failed_nights_file_one_data_quality_entry(
    prefect_harness: None, broken_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.orchestrate.flows import replay_flow

    monkeypatch.setenv("RADAR_HOME", str(broken_demo.parent / ".radar"))
    url = f"sqlite:///{broken_demo.parent / 'register.db'}"
    reports = replay_flow(
        str(broken_demo), url, pd.Timestamp("2016-05-10").date(), pd.Timestamp("2016-05-13").date()
    )
    assert all(r["gate"]["uci_incidents"]["blocked"] for r in reports)
    assert [len(r["created"]) for r in reports] == [0, 0, 1, 0]  # N = 3 nights, then updates
    entries = [e.to_json() for e in connect(url).list()]
    assert [e["kind"] for e in entries] == ["data_quality"]
    entry = entries[0]
    assert "made_sla" in entry["title"] and "3 scans in a row" in entry["title"]
    assert entry["occurrences"] == 2
    assert entry["source"]["gate"]["success"] is False
    assert entry["target"]["value"] == 0.0

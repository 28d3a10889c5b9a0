"""End to end: the real Prefect flow on the bundled demo log, into a real SQLite register."""

from __future__ import annotations

from pathlib import Path

import pytest

from register_client import connect
from tests.conftest import DEMO_CONFIG


@pytest.fixture(scope="module")
def demo_scan(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, list[dict[str, object]], Path]:
    from flows.orchestrate.flows import scan_flow

    home = tmp_path_factory.mktemp("radar")
    url = f"sqlite:///{home / 'register.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RADAR_HOME", str(home / ".radar"))
        reports = scan_flow(str(DEMO_CONFIG), url)
    return url, reports, home


def test_demo_scan_files_entries_with_the_entry_contract(demo_scan: tuple) -> None:
    url, reports, _ = demo_scan
    assert len(reports) == 1 and reports[0]["as_of"] == "2016-05-31"
    entries = [e.to_json() for e in connect(url).list()]
    assert entries, "the demo must file at least one entry"
    assert sorted(reports[0]["created"]) == sorted(e["id"] for e in entries)
    for entry in entries:
        assert entry["status"] == "new"
        assert entry["kpi"]["better"] in ("lower", "higher")
        base = entry["baseline"]
        if base["clean"]:
            assert base["n"] >= 4 and base["p10"] <= base["median"] <= base["p90"]
            assert base["end"] < entry["window"]["start"]
        else:  # too little history before the onset: said so, nothing invented
            assert base["reason"] and base["median"] is None and entry["target"] is None
        source = entry["source"]
        assert source["dataset"] == "uci_incidents"
        assert len(source["data_hash"]) == 64
        assert source["flow_run_id"]
        assert source["gate"]["success"] is True and source["gate"]["validation_id"]
        assert source["detector"]["name"] and source["detector"]["version"]
        assert entry["window"]["start"] <= entry["window"]["end"]
        assert entry["fingerprint"] and entry["occurrences"] == 1
        assert 1 <= entry["priority"] <= 5


def test_rescan_files_nothing_new(demo_scan: tuple) -> None:
    from flows.orchestrate.flows import scan_flow

    url, _, home = demo_scan
    before = {e.id for e in connect(url).list()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RADAR_HOME", str(home / ".radar"))
        again = scan_flow(str(DEMO_CONFIG), url)
    assert again[0]["created"] == []
    assert {e.id for e in connect(url).list()} == before


def test_bad_source_files_nothing(prefect_harness: None, tmp_path: Path) -> None:
    from flows.load.records import SourceError
    from flows.orchestrate.flows import scan_flow

    config = tmp_path / "demo.yaml"
    config.write_text(DEMO_CONFIG.read_text().replace("reassignment_count", "reassignments_n"))
    (tmp_path / "data").symlink_to(DEMO_CONFIG.parent / "data")
    url = f"sqlite:///{tmp_path / 'register.db'}"
    with pytest.raises(SourceError, match="reassignments_n"):
        scan_flow(str(config), url)
    assert connect(url).list() == []

"""Shared fixtures: the Prefect test harness, temporary registers, the bundled demo config."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "examples" / "demo.yaml"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for the whole session, heartbeats off (~0.2 s per flow run)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=90),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite register in a temporary directory."""
    return f"sqlite:///{tmp_path / 'register.db'}"


@pytest.fixture
def radar_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RADAR_HOME (data docs, gate results, evidence) at a temporary directory."""
    home = tmp_path / ".radar"
    monkeypatch.setenv("RADAR_HOME", str(home))
    return home


@pytest.fixture
def shared_data() -> Path:
    """The shared real data folder, or skip when RADAR_DATA_DIR is not set."""
    data_dir = os.environ.get("RADAR_DATA_DIR")
    if not data_dir or not Path(data_dir).is_dir():
        pytest.skip("RADAR_DATA_DIR is not set to the shared data folder")
    return Path(data_dir)

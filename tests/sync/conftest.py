"""Fixtures for syncs: a Jira and a ServiceNow stand-in on 127.0.0.1, registers with entries."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from register_client import Register, connect
from tests.sync.fake_jira import TOKEN, USER, FakeJira
from tests.sync.fake_servicenow import SN_PASSWORD, SN_USER, FakeServiceNow
from tests.sync.sync_support import file_entries

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def jira(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    """A running Jira stand-in (search lags 0.5 s) with credentials in the environment."""
    monkeypatch.setenv("RADAR_JIRA_USER", USER)
    monkeypatch.setenv("RADAR_JIRA_TOKEN", TOKEN)
    with FakeJira(lag=0.5).running() as server:
        yield server


@pytest.fixture
def servicenow(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServiceNow]:
    """A running ServiceNow stand-in with credentials in the environment."""
    monkeypatch.setenv("RADAR_SERVICENOW_USER", SN_USER)
    monkeypatch.setenv("RADAR_SERVICENOW_PASSWORD", SN_PASSWORD)
    monkeypatch.delenv("RADAR_SERVICENOW_TOKEN", raising=False)
    with FakeServiceNow().running() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def register_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A register URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def register(register_url: str) -> Iterator[Register]:
    """A register with three entries, on each backend."""
    reg = connect(register_url)
    file_entries(reg, 3)
    try:
        yield reg
    finally:
        reg.dispose()

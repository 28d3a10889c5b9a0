"""``radar sync`` never creates a register: a missing one is one line naming the path."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import DEMO_CONFIG


def test_sync_against_a_missing_register_names_it_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_JIRA_USER", "radar@example.com")
    monkeypatch.setenv("RADAR_JIRA_TOKEN", "not-a-real-token")
    config = tmp_path / "demo.yaml"
    text = DEMO_CONFIG.read_text().replace("path: data/", f"path: {DEMO_CONFIG.parent}/data/")
    config.write_text(text + "\nsync: {jira: {url: 'http://127.0.0.1:9', project: CI}}\n")
    missing = tmp_path / "nowhere" / "register.db"
    result = CliRunner().invoke(
        app, ["sync", "jira", "--config", str(config), "--register", f"sqlite:///{missing}"]
    )
    assert result.exit_code == 1
    assert f"no register at {missing}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not missing.parent.exists()

"""A planted register password and token never show up in anything a scan writes or says.

The scan runs as users run it (``radar scan`` in-process, under the real Prefect test
server) against PostgreSQL with a password in the URL (the server trusts local users,
so any password connects). Then every file under the run's home, the entries' JSON, the
command's output, the log records and Prefect's own flow-run records are searched.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from register_client import RegisterUnavailable, connect
from tests.flows.demo_variants import write_variant

SECRET = "pl4nted-S3CRET-pw"
TOKEN = "pl4nted-T0KEN-value"


def _with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{SECRET}@", 1)


def _files_with_secret(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if SECRET.encode() in data or TOKEN.encode() in data:
                found.append(str(path))
    return found


@pytest.mark.slow
@pytest.mark.postgres
def test_a_scan_never_writes_or_says_the_password(
    prefect_harness: None,
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RADAR_HOME", str(tmp_path / ".radar"))
    monkeypatch.setenv("RADAR_JIRA_TOKEN", TOKEN)
    config = write_variant(tmp_path / "cfg")
    url = _with_password(pg_url)
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(
        app, ["scan", "--config", str(config), "--register", url, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["created"], "the scan must file entries"
    said = result.stdout + result.stderr + "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in said and TOKEN not in said
    assert _files_with_secret(tmp_path) == []
    entries = json.dumps([e.to_json() for e in connect(pg_url).list()])
    assert SECRET not in entries and TOKEN not in entries
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
    assert runs and all(SECRET not in json.dumps(r.parameters, default=str) for r in runs)


def test_errors_about_a_register_mask_its_password(tmp_path: Path) -> None:
    url = f"postgresql://radar:{SECRET}@127.0.0.1:9/radar"
    with pytest.raises(RegisterUnavailable) as caught:
        connect(url, connect_timeout=1)
    assert SECRET not in str(caught.value) and SECRET not in caught.value.url
    for args in (["entries", "list"], ["entries", "show", "CIR-0001"], ["register", "init"]):
        result = CliRunner().invoke(app, [*args, "--register", url])
        assert result.exit_code == 1 and SECRET not in result.stderr + result.stdout
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1

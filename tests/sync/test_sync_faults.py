"""Faults: a sync killed mid-call, two syncs at once, a flaky server; the CLI end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flows.config.model import load_config
from flows.sync import SyncError, sync_register
from flows.sync.http import RetryPolicy
from flows.sync.run import make_mirror
from register_client import SyncOutbox, connect
from tests.sync.fake_jira import FakeJira
from tests.sync.fake_servicenow import TABLE, FakeServiceNow
from tests.sync.sync_support import file_entries

RADAR = str(Path(sys.executable).with_name("radar"))


def write_config(tmp_path: Path, jira: FakeJira | None, sn: FakeServiceNow | None) -> Path:
    lines = [
        "sources:",
        "  - {name: demo, path: demo.csv, columns: {id: id}}",
        "web: {base_url: 'http://radar.local:8765'}",
        "sync:",
    ]
    if jira is not None:
        lines.append(f"  jira: {{url: '{jira.url}', project: CI, settle_seconds: 3}}")
    if sn is not None:
        lines.append(f"  servicenow: {{url: '{sn.url}', table: {TABLE}}}")
    path = tmp_path / "radar.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def radar(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RADAR, *args], capture_output=True, text=True, timeout=300)


def assert_one_issue_per_entry(jira: FakeJira, register_url: str) -> None:
    reg = connect(register_url)
    ids = [e.id for e in reg.list()]
    labels = Counter(
        label for i in jira.issues.values() for label in i.fields["labels"] if "CIR-" in label
    )
    assert labels == Counter(f"radar-{i}" for i in ids)
    assert SyncOutbox(reg, "jira").pending() == []
    reg.dispose()


@pytest.mark.slow
def test_a_sync_killed_between_create_and_ledger_write_reruns_to_one_issue(
    jira: FakeJira, register_url: str, tmp_path: Path
) -> None:
    reg = connect(register_url)
    file_entries(reg, 3)
    reg.dispose()
    config = write_config(tmp_path, jira, None)
    jira.pause_after_create = 120
    proc = subprocess.Popen(
        [RADAR, "sync", "jira", "--config", str(config), "--register", register_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert jira.created_event.wait(120), "the sync never created an issue"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    jira.pause_after_create = 0
    jira.release.set()
    assert len(jira.issues) == 1  # created in Jira; the ledger never heard of it
    rerun = radar("sync", "jira", "--config", str(config), "--register", register_url)
    assert rerun.returncode == 0, rerun.stderr
    assert "created 2" in rerun.stdout and "adopted 1" in rerun.stdout
    assert len(jira.issues) == 3
    assert_one_issue_per_entry(jira, register_url)


@pytest.mark.slow
def test_two_syncs_at_once_create_one_issue_per_entry(
    jira: FakeJira, register_url: str, tmp_path: Path
) -> None:
    reg = connect(register_url)
    file_entries(reg, 4)
    reg.dispose()
    config = write_config(tmp_path, jira, None)
    args = [RADAR, "sync", "jira", "--config", str(config), "--register", register_url]
    procs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert len(jira.issues) == 4
    assert_one_issue_per_entry(jira, register_url)


def test_a_30_percent_flaky_jira_loses_nothing_and_duplicates_nothing(
    jira: FakeJira, register_url: str, tmp_path: Path
) -> None:
    reg = connect(register_url)
    file_entries(reg, 6)
    config = load_config(write_config(tmp_path, jira, None))
    jira.flaky = 0.3
    for _ in range(20):
        mirror = make_mirror(config, "jira")
        mirror.policy = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05)
        mirror.settle_seconds = 1.0
        try:
            if not sync_register(reg, mirror).failed:
                break
        except SyncError:
            continue  # the run gave up (e.g. the first search); the next one goes on
        finally:
            mirror.close()
    jira.flaky = 0.0
    assert len(jira.issues) == 6
    assert_one_issue_per_entry(jira, register_url)
    reg.dispose()


def test_a_30_percent_flaky_servicenow_loses_nothing_and_duplicates_nothing(
    servicenow: FakeServiceNow, register_url: str, tmp_path: Path
) -> None:
    reg = connect(register_url)
    file_entries(reg, 6)
    config = load_config(write_config(tmp_path, None, servicenow))
    servicenow.flaky = 0.3
    for _ in range(20):
        mirror = make_mirror(config, "servicenow")
        mirror.policy = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05)
        try:
            if not sync_register(reg, mirror).failed:
                break
        except SyncError:
            continue
        finally:
            mirror.close()
    records = servicenow.tables[TABLE].values()
    assert sorted(r["correlation_id"].rpartition(":")[2] for r in records) == sorted(
        e.id for e in reg.list()
    )
    assert SyncOutbox(reg, "servicenow").pending() == []
    reg.dispose()


@pytest.mark.slow
def test_cli_sync_then_a_jira_rejection_shows_in_entries_show(
    jira: FakeJira, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    reg = connect(url)
    file_entries(reg, 2)
    reg.dispose()
    config = write_config(tmp_path, jira, None)
    first = radar("sync", "jira", "--config", str(config), "--register", url)
    assert first.returncode == 0, first.stderr
    assert "created 2" in first.stdout
    jira.transition(jira.by_label("radar-CIR-0001")[0].key, "Won't Do", by="Ana Lima")
    second = radar("sync", "jira", "--config", str(config), "--register", url)
    assert second.returncode == 0 and "created 0" in second.stdout
    assert "CIR-0001: rejected" in second.stdout
    shown = radar("entries", "show", "CIR-0001", "--register", url)
    assert "[rejected]" in shown.stdout and "jira:Ana Lima" in shown.stdout


def test_cli_errors_are_one_line(jira: FakeJira, tmp_path: Path) -> None:
    config = write_config(tmp_path, jira, None)
    missing = tmp_path / "nowhere" / "reg.db"
    out = radar("sync", "jira", "--config", str(config), "--register", f"sqlite:///{missing}")
    assert out.returncode == 1 and not missing.exists()
    assert out.stderr.strip().startswith(f"error: no register at {missing}: the file does not")
    assert len(out.stderr.strip().splitlines()) == 1
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    file_entries(connect(url), 1)
    out = radar("sync", "servicenow", "--config", str(config), "--register", url)
    assert out.returncode == 1 and "sync.servicenow is not configured" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    env_token = os.environ.pop("RADAR_JIRA_TOKEN")
    try:
        out = radar("sync", "jira", "--config", str(config), "--register", url)
    finally:
        os.environ["RADAR_JIRA_TOKEN"] = env_token
    assert out.returncode == 1 and "missing: RADAR_JIRA_TOKEN" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1

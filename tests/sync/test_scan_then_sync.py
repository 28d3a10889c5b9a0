"""Done when: ``radar scan`` then ``radar sync jira`` mirrors the demo's entries, once, and a
rejection made in Jira comes back and suppresses the finding on the next scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.sync.fake_jira import FakeJira

ROOT = Path(__file__).resolve().parents[2]
RADAR = str(Path(sys.executable).with_name("radar"))


def radar(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([RADAR, *args], capture_output=True, text=True, timeout=900, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return out


@pytest.mark.slow
def test_scan_sync_reject_in_jira_and_the_next_scan_suppresses_it(
    jira: FakeJira, tmp_path: Path
) -> None:
    demo = yaml.safe_load((ROOT / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    demo["sources"][0]["path"] = str(ROOT / "examples" / "data" / "incident_event_log.csv.gz")
    demo["sync"] = {"jira": {"url": jira.url, "project": "CI", "settle_seconds": 3}}
    demo["web"] = {"base_url": "http://radar.local:8765"}
    config = tmp_path / "radar.yaml"
    config.write_text(yaml.safe_dump(demo), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'register.db'}"
    common = ("--config", str(config), "--register", url)

    radar("scan", *common, "--from", "2016-05-01", "--to", "2016-05-08", cwd=tmp_path)
    synced = radar("sync", "jira", *common, "--format", "json", cwd=tmp_path)
    entries = json.loads(
        radar("entries", "list", "--register", url, "--format", "json", cwd=tmp_path).stdout
    )
    assert entries, "the demo files entries in early May"
    # the scan's own sync task created the issues; the explicit sync finds nothing to create
    assert json.loads(synced.stdout)["created"] == []
    for entry in entries:
        [issue] = jira.by_label(entry["fingerprint"])
        text = json.dumps(issue.fields["description"])
        assert entry["id"] in issue.fields["summary"]
        assert "Baseline" in text and str(entry["source"]["data_hash"]) in text
        assert f"http://radar.local:8765/entries/{entry['id']}" in text
    assert len(jira.issues) == len(entries)

    # the backlog trend that later nights keep re-detecting: reject it in "Jira"
    target = next(e for e in entries if e["kind"] == "degradation")
    jira.transition(jira.by_label(target["fingerprint"])[0].key, "Won't Do", by="Ana Lima")
    radar("sync", "jira", *common, cwd=tmp_path)
    shown = json.loads(
        radar(
            "entries", "show", target["id"], "--register", url, "--format", "json", cwd=tmp_path
        ).stdout
    )
    assert shown["status"] == "rejected" and shown["history"][-1]["by"] == "jira:Ana Lima"

    later = json.loads(
        radar(
            "scan",
            *common,
            "--from",
            "2016-05-09",
            "--to",
            "2016-05-16",
            "--format",
            "json",
            cwd=tmp_path,
        ).stdout
    )
    suppressed = [line for night in later for line in night["suppressed"]]
    assert any(target["id"] in line and "rejected" in line for line in suppressed), suppressed
    after = json.loads(
        radar("entries", "list", "--register", url, "--format", "json", cwd=tmp_path).stdout
    )
    same = {e["id"]: e for e in after if e["fingerprint"] == target["fingerprint"]}
    assert same.pop(target["id"])["status"] == "rejected"
    # A later entry for it can only be a re-notification linked to the rejection, filed by
    # policy because the problem grew well beyond what was rejected; never a fresh one.
    assert all(e["linked_to"] == target["id"] for e in same.values()), same
    labels = sorted(
        label for i in jira.issues.values() for label in i.fields["labels"] if "CIR-" in label
    )
    assert labels == sorted(f"radar-{e['id']}" for e in after)  # the scan's sync kept up

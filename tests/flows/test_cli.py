"""The radar CLI as users drive it: one-line errors, JSON alone on stdout, triage verbs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from register_client import Candidate, connect
from tests.conftest import DEMO_CONFIG

runner = CliRunner()


@pytest.fixture
def filed(sqlite_url: str) -> str:
    report = connect(sqlite_url).file([Candidate.example()])
    return report.created[0].entry_id or ""


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_and_show_as_json(sqlite_url: str, filed: str) -> None:
    code, out, _ = _run("entries", "list", "--register", sqlite_url, "--format", "json")
    assert code == 0
    entries = json.loads(out)
    assert [e["id"] for e in entries] == [filed]
    code, out, _ = _run("entries", "show", filed, "--register", sqlite_url, "--format", "json")
    assert code == 0 and json.loads(out)["fingerprint"] == entries[0]["fingerprint"]


def test_triage_round_trip_is_audited(sqlite_url: str, filed: str) -> None:
    assert (
        _run(
            "entries", "accept", filed, "--owner", "ana", "--target", "8", "--register", sqlite_url
        )[0]
        == 0
    )
    assert _run("entries", "start", filed, "--register", sqlite_url)[0] == 0
    assert _run("entries", "comment", filed, "runbook updated", "--register", sqlite_url)[0] == 0
    code, out, _ = _run("entries", "show", filed, "--register", sqlite_url)
    assert code == 0
    assert "[in_progress]" in out and "owner ana" in out
    assert "accepted -> in_progress" in out and "new -> accepted" in out


def test_invalid_transition_is_one_line(sqlite_url: str, filed: str) -> None:
    code, out, err = _run(
        "entries", "close", filed, "--code", "successful", "--register", sqlite_url
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "cannot go from 'new' to 'closed'" in err


def test_unknown_id_and_bad_url(sqlite_url: str) -> None:
    connect(sqlite_url).dispose()
    code, _, err = _run("entries", "show", "CIR-0042", "--register", sqlite_url)
    assert code == 1 and "CIR-0042" in err and "Traceback" not in err
    code, _, err = _run("entries", "list", "--register", "mysql://x")
    assert code == 1 and "invalid register URL" in err


def test_status_filter(sqlite_url: str, filed: str) -> None:
    _run("entries", "reject", filed, "--reason", "known seasonal peak", "--register", sqlite_url)
    assert (
        json.loads(
            _run(
                "entries", "list", "--status", "new", "--register", sqlite_url, "--format", "json"
            )[1]
        )
        == []
    )
    code, out, _ = _run("entries", "list", "--status", "rejected", "--register", sqlite_url)
    assert code == 0 and filed in out


def test_scan_argument_errors_before_any_work(tmp_path: Path) -> None:
    code, _, err = _run("scan", "--as-of", "2016-05-31", "--from", "2016-05-01")
    assert code == 1 and "either --as-of or --from/--to" in err
    code, _, err = _run("scan", "--config", str(tmp_path / "none.yaml"))
    assert code == 1 and err.strip() == f"error: config file not found: {tmp_path / 'none.yaml'}"


def test_scan_missing_source_file_is_one_line(
    prefect_harness: None, tmp_path: Path, radar_home: Path
) -> None:
    config = tmp_path / "demo.yaml"
    config.write_text(DEMO_CONFIG.read_text())  # its data/ folder is not beside it
    url = f"sqlite:///{tmp_path / 'r.db'}"
    code, out, err = _run("scan", "--config", str(config), "--register", url)
    assert code == 1 and out == ""
    assert "file not found" in err and "incident_event_log.csv.gz" in err
    assert err.count("\n") == 1
    assert connect(url).list() == []


def test_quality_check_failure_inside_the_gate_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    monkeypatch.setenv("RADAR_HOME", str(home))
    code, out, err = _run("quality", "check", "--config", str(DEMO_CONFIG))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Not a directory" in err


def test_show_says_the_benefit_in_words(sqlite_url: str) -> None:
    benefit = {"basis": "33 a period x 7 periods a week", "records_per_week": 231.0}
    report = connect(sqlite_url).file([Candidate.example(benefit=benefit)])
    code, out, _ = _run(
        "entries", "show", report.created[0].entry_id or "", "--register", sqlite_url
    )
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("Benefit"))
    assert line.split(None, 1)[1] == "records 231 a week (33 a period x 7 periods a week)"
    assert "{" not in line


def test_show_names_the_related_entries(sqlite_url: str) -> None:
    group = {"assignment_group": "Group 70"}
    connect(sqlite_url).file([Candidate.example(dimensions=group)])
    pair = Candidate.example(kind="handover", dimensions={"team_pair": "Group 20 <-> Group 70"})
    connect(sqlite_url).file([pair])
    code, out, _ = _run("entries", "show", "CIR-0002", "--register", sqlite_url)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("Related"))
    assert line.split(None, 1)[1].startswith("CIR-0001 mttr_hours spike (Group 70)")


def test_gate_failures_of_a_replay_read_once_per_check() -> None:
    from flows.cli.main import _gate_failures

    def night(day: str, count: int) -> dict[str, object]:
        failure = {
            "severity": "warning",
            "check": "ids",
            "column": "number",
            "detail": f"{count} dup",
        }
        return {"as_of": day, "gate": {"events": {"failures": [failure]}}}

    reports = [night("2016-05-01", 3), night("2016-05-02", 4)]
    assert _gate_failures(reports, ("critical", "warning")) == [
        "gate events: warning ids on number on 2 nights, last 2016-05-02: 4 dup"
    ]
    assert _gate_failures(reports, ("critical",)) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("number,opened_at\n", "has no data rows"),
        ("numero,opened_at\nINC1,1/5/2016 10:00\n", "lacks column(s) ['number'"),
    ],
)
def test_a_bad_source_fails_before_any_flow_or_register(
    tmp_path: Path, content: str, message: str
) -> None:
    """The first row decides these: the scan stops in its front door, the register unmade."""
    data = tmp_path / "incidents.csv"
    data.write_text(content)
    config = tmp_path / "demo.yaml"
    text = DEMO_CONFIG.read_text()
    old = next(line for line in text.splitlines() if line.strip().startswith("path:"))
    config.write_text(text.replace(old, f"    path: {data}", 1))
    db = tmp_path / "r.db"
    code, out, err = _run("scan", "--config", str(config), "--register", f"sqlite:///{db}")
    assert code == 1 and out == ""
    assert message in err and str(data) in err and err.count("\n") == 1
    assert not db.exists()

"""The backtest: one row per night, a throwaway register, the real one only ever read."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.config.model import ScanConfig, load_config
from flows.workbench.backtest import ACTIONS, BacktestReport, backtest, seed_register
from register_client import Candidate, RegisterError, connect
from tests.conftest import DEMO_CONFIG

NIGHTS = (date(2016, 4, 25), date(2016, 4, 26))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_config() -> ScanConfig:
    return load_config(DEMO_CONFIG)


@pytest.fixture(scope="module")
def first_run(
    demo_config: ScanConfig, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BacktestReport, Path]:
    """Two demo nights on an empty register, keeping the throwaway register to read it."""
    kept = tmp_path_factory.mktemp("kept") / "register.db"
    return backtest(demo_config, *NIGHTS, keep_register=kept), kept


def test_one_row_per_night_with_counts_titles_and_totals(
    first_run: tuple[BacktestReport, Path],
) -> None:
    report, _ = first_run
    data = json.loads(json.dumps(report.to_json()))
    assert [row["night"] for row in data["nights"]] == ["2016-04-25", "2016-04-26"]
    for row in data["nights"]:
        assert set(ACTIONS) <= set(row)
        assert sum(row[a] for a in ACTIONS) == len(row["entries"]) == row["candidates"]
        assert row["candidates"] <= row["findings"]
        assert all(e["title"] for e in row["entries"])
        assert row["gate"]["uci_incidents"]["blocked"] is False
    first, second = data["nights"]
    created = {e["id"] for e in first["entries"] if e["action"] == "created"}
    assert created, "the demo files something on its first night"
    # Dedup: the next night's re-detections land on the same entries; none is created again.
    again = [e for e in second["entries"] if e["id"] in created]
    assert again and all(e["action"] in ("updated", "unchanged", "suppressed") for e in again)
    assert all(e["id"] in created for e in second["entries"] if e["action"] == "updated")
    totals = data["totals"]
    assert totals["nights"] == 2
    for key in ("findings", "candidates", *ACTIONS):
        assert totals[key] == first[key] + second[key]
    assert totals["entries"] == first["created"] + second["created"]
    assert data["register"] == {"seeded_from": None, "found": False, "seeded_entries": 0}
    frame = report.to_frame()
    assert len(frame) == 2 and {"night", "findings", *ACTIONS} <= set(frame.columns)


def test_the_table_has_a_line_per_night_and_totals(first_run: tuple[BacktestReport, Path]) -> None:
    from flows.cli.backtest import render_table

    lines = render_table(first_run[0].to_json()).splitlines()
    assert "starting from an empty register" in lines[0]
    assert [line[:10] for line in lines[2:]] == ["2016-04-25", "2016-04-26", "total     "]


def test_the_real_register_is_read_not_written_and_its_triage_counts(
    demo_config: ScanConfig, first_run: tuple[BacktestReport, Path], tmp_path: Path
) -> None:
    report, kept = first_run
    real = tmp_path / "real.db"
    with sqlite3.connect(kept) as src, sqlite3.connect(real) as dst:
        src.backup(dst)  # the kept register is in WAL mode: copy pages, not the file
    register = connect(f"sqlite:///{real}")
    rejected = next(d for d in report.nights[0].decisions if d.action == "created")
    assert rejected.entry_id is not None
    register.reject(rejected.entry_id, reason="expected seasonal peak", by="test")
    register.dispose()
    before = _digest(real)

    seeded = backtest(demo_config, NIGHTS[0], NIGHTS[0], f"sqlite:///{real}")

    assert _digest(real) == before
    assert seeded.found and seeded.seeded_entries == report.totals["created"]
    night = seeded.nights[0]
    # The copy starts where the real register is: the same night files nothing new ...
    assert night.count("created") == 0
    assert {d.action for d in night.decisions} <= {"unchanged", "suppressed"}
    # ... and the rejected entry gets no new evidence.
    assert all(d.action != "updated" for d in night.decisions if d.entry_id == rejected.entry_id)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness", "radar_home")
def test_a_backtest_night_files_what_the_scan_files(
    first_run: tuple[BacktestReport, Path], sqlite_url: str
) -> None:
    """Guards the backtest's copy of scan_night's stages against drift."""
    from flows.orchestrate.flows import replay_flow

    report, _ = first_run
    replay_flow(str(DEMO_CONFIG), sqlite_url, NIGHTS[0], NIGHTS[0])
    scanned = connect(sqlite_url).list()
    assert sorted(e.title for e in scanned) == sorted(
        d.title for d in report.nights[0].decisions if d.action == "created"
    )


def test_seeding_copies_entries_history_and_ids(tmp_path: Path) -> None:
    real_url = f"sqlite:///{tmp_path / 'real.db'}"
    real = connect(real_url)
    created = real.file([Candidate.example()]).created[0].entry_id
    assert created is not None
    real.accept(created, owner="ops-lead", target=8.0)
    real.dispose()

    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    assert seed_register(real_url, copy_url) == 1
    copy = connect(copy_url)
    original, copied = connect(real_url).get(created).to_json(), copy.get(created).to_json()
    assert copied == original
    # New entries continue the numbering instead of reusing a copied id.
    other = Candidate.example().model_copy(update={"dimensions": {"assignment_group": "other"}})
    new_id = copy.file([other]).created[0].entry_id
    assert new_id not in (None, created)


@pytest.mark.postgres
def test_seeding_reads_a_postgresql_register_read_only(tmp_path: Path) -> None:
    psycopg = pytest.importorskip("psycopg")
    server = os.environ.get("RADAR_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
    name = f"radar_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at {server}: {exc}")
    try:
        real = connect(f"{server}/{name}?options=-csearch_path%3Dpublic")
        created = real.file([Candidate.example()]).created[0].entry_id
        assert created is not None
        real.dispose()
        copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
        assert seed_register(f"{server}/{name}?options=-csearch_path%3Dpublic", copy_url) == 1
        assert connect(copy_url).get(created).title == Candidate.example().title
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_missing_sqlite_register_counts_as_empty_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "register.db"
    assert seed_register(f"sqlite:///{missing}", f"sqlite:///{tmp_path / 'copy.db'}") is None
    assert not missing.parent.exists()


def test_bad_inputs_are_clear_errors(demo_config: ScanConfig, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="after end"):
        backtest(demo_config, NIGHTS[1], NIGHTS[0])
    kept = tmp_path / "exists.db"
    kept.write_bytes(b"")
    with pytest.raises(ValueError, match="exists"):
        backtest(demo_config, *NIGHTS, keep_register=kept)
    with pytest.raises(RegisterError, match="unsupported register URL"):
        seed_register("mysql://x/y", f"sqlite:///{tmp_path / 'copy.db'}")


def _app() -> object:
    import typer

    from flows.cli.backtest import backtest as command

    app = typer.Typer()
    app.command("backtest")(command)
    app.command("noop")(lambda: None)  # keep "backtest" a subcommand, as under radar
    return app


def test_cli_json_is_alone_on_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(),  # type: ignore[arg-type]
        ["backtest", "--config", str(DEMO_CONFIG), "--from", "2016-04-25", "--to", "2016-04-25",
         "--seed-from", f"sqlite:///{tmp_path / 'none.db'}", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [row["night"] for row in data["nights"]] == ["2016-04-25"]
    assert data["register"]["found"] is False
    assert not (tmp_path / "none.db").exists()
    # The demo names its labels: two events (backlogs of Groups 39 and 70) overlap the night.
    labels = data["labels"]
    assert labels["file"].endswith("uci_incidents.yaml") and labels["events"] == 2
    assert {e["name"] for e in data["entries"]} >= {
        "backlog_open level_shift for assignment_group=Group 39"
    }


def test_cli_starts_from_an_empty_register_whatever_the_environment(
    first_run: tuple[BacktestReport, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, kept = first_run
    real = tmp_path / "real.db"
    with sqlite3.connect(kept) as src, sqlite3.connect(real) as dst:
        src.backup(dst)
    monkeypatch.setenv("RADAR_REGISTER_URL", f"sqlite:///{real}")
    plot = tmp_path / "nights.png"
    result = CliRunner().invoke(
        _app(),  # type: ignore[arg-type]
        ["backtest", "--config", str(DEMO_CONFIG), "--from", "2016-04-25", "--to", "2016-04-25",
         "--plot", str(plot)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "starting from an empty register" in result.stdout
    assert " 0 distinct entries" not in result.stdout  # the real register's entries are not there
    assert "against " in result.stdout and "recall" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2016-05-31", "--to", "2016-05-30"], "is after --to"),
        (["--from", "2016-05-30", "--to", "2016-05-31", "--seed-from", "mysql://x/y"], "mysql"),
        (["--from", "2016-05-30", "--to", "2016-05-31", "--plot", "x.svg"], "give a .png"),
        (
            ["--from", "2016-05-30", "--to", "2016-05-31", "--compare", "nowhere.yaml"],
            "config file not found: nowhere.yaml",
        ),
    ],
)
def test_cli_errors_are_one_line_on_stderr(args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        _app(),  # type: ignore[arg-type]
        ["backtest", "--config", str(DEMO_CONFIG), *args],
    )
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr

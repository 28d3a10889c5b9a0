"""The bad-input matrix: faults a new user makes, each built from the bundled demo.

Every case asserts what the user sees: one clean error line naming the fault (non-zero
exit), or the gate's failure naming the column with its severity, and a register that
is exactly as it was. Commands run in-process through typer's CliRunner; source and
config errors are also run through the scan's own code (:func:`flows.runs.run_scan`),
which must fail before it files anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.config import RadarSettings
from flows.runs import run_scan
from register_client import Candidate, connect
from tests.flows.demo_variants import DATE_FORMAT, write_variant

runner = CliRunner()


@dataclass(frozen=True)
class Case:
    """One fault: how to build it, and what the user must be told."""

    name: str
    build: Callable[[Path], Path]
    expect: str  # in the error line, or the failing column for gate cases
    severity: str = "error"  # error | critical | warning
    check: str = ""  # the gate's check family, for gate cases


def _edit(**edits: Callable[[pd.DataFrame], None]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        def change(frame: pd.DataFrame) -> pd.DataFrame:
            for fn in edits.values():
                fn(frame)
            return frame

        return write_variant(folder, edit=change)

    return build


def _frame(fn: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], Path]:
    return lambda folder: write_variant(folder, edit=fn)


def _config(fn: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    return lambda folder: write_variant(folder, edit_config=fn)


def _raw(data: bytes) -> Callable[[Path], Path]:
    return lambda folder: write_variant(folder, raw_bytes=data)


def _yaml(text: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = write_variant(folder)
        path.write_text(text)
        return path

    return build


def _every(step: int, column: str, fn: Callable[[pd.Series], pd.Series]) -> Callable[..., None]:
    def apply(frame: pd.DataFrame) -> None:
        rows = frame.index[::step]
        frame.loc[rows, column] = fn(frame.loc[rows, column])

    return apply


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format=DATE_FORMAT, errors="coerce")


def _source(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(config: dict[str, Any]) -> None:
        config["sources"][0][key] = value

    return apply


def _gate(**values: Any) -> Callable[[dict[str, Any]], None]:
    return _source("gate", values)


def _drop_audit(config: dict[str, Any]) -> None:
    del config["sources"][0]["audit_log"]


def _kpi(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(config: dict[str, Any]) -> None:
        config["kpis"][0][key] = value

    return apply


SOURCE_ERRORS = [
    Case(
        "missing file", _config(_source("path", "nowhere.csv")), r"file not found: .*nowhere\.csv"
    ),
    Case("empty file", _raw(b""), r"demo\.csv is empty"),
    Case("header only", _raw(b"number,opened_at\n"), r"lacks column|no data rows"),
    Case(
        "renamed column",
        _frame(lambda f: f.rename(columns={"opened_at": "open_date"})),
        r"lacks column\(s\) \['opened_at'\]",
    ),
    Case(
        "missing column",
        _frame(lambda f: f.drop(columns=["made_sla"])),
        r"lacks column\(s\) \['made_sla'\]",
    ),
    Case(
        "missing audit column",
        _frame(lambda f: f.drop(columns=["sys_mod_count"])),
        r"lacks audit column\(s\) \['sys_mod_count'\]",
    ),
    Case(
        "wrong encoding",
        lambda folder: write_variant(folder, edit_config=_source("encoding", "utf-16")),
        r"is not valid utf-16|cannot be parsed|lacks column",
    ),
    Case(
        "latin-1 bytes in a utf-8 file",
        _raw("number,incident_state\nINC1,Résolu\n".encode("latin-1")),
        r"is not valid utf-8 \(byte \d+\)",
    ),
    Case("wrong separator", _config(_source("separator", ";")), r"lacks column"),
    Case(
        "no date parses",
        _edit(dates=lambda f: f.__setitem__("opened_at", "yesterday")),
        r"column 'opened_at': no value parses as a date",
    ),
    Case(
        "booleans that are not",
        _edit(flag=lambda f: f.__setitem__("made_sla", "maybe")),
        r"column 'made_sla': \d+ value\(s\) are not booleans, e.g. 'maybe'",
    ),
]

CONFIG_ERRORS = [
    Case("config not found", lambda folder: folder / "nope.yaml", r"config file not found"),
    Case("not YAML", _yaml("sources: [unclosed\n"), r"not valid YAML"),
    Case("no sources", _yaml("kpis: []\n"), r"expected a mapping with a 'sources:' list|sources"),
    Case("unknown source key", _config(_source("colums", {})), r"colums"),
    Case("bad severity", _config(_gate(future_severity="loud")), r"future_severity"),
    Case("negative history", _config(_gate(min_history_days=-3)), r"min_history_days"),
    Case("tolerance above one", _config(_gate(max_impossible_share=2)), r"max_impossible_share"),
    Case("kpi on an unknown source", _config(_kpi("source", "nowhere")), r"nowhere"),
    Case("bad as_of", _config(lambda c: c.__setitem__("as_of", "31/05/2016")), r"as_of"),
    Case(
        "duplicate source names",
        _config(lambda c: c["sources"].append(dict(c["sources"][0]))),
        r"uci_incidents",
    ),
]

GATE_FAULTS = [
    Case(
        "every opened date in 2031",
        _edit(y=lambda f: f.__setitem__("opened_at", f["opened_at"].str.replace("/2016", "/2031"))),
        "opened_at",
        "critical",
        "impossible_dates",
    ),
    Case(
        "a few dates in the future",
        _edit(y=_every(500, "closed_at", lambda v: v.str.replace("/2016", "/2031"))),
        "closed_at",
        "warning",
        "impossible_dates",
    ),
    Case(
        "half the dates in ISO",
        _edit(iso=_every(2, "opened_at", lambda v: _dates(v).dt.strftime("%Y-%m-%d %H:%M"))),
        "opened_at",
        "critical",
        "mixed_date_formats",
    ),
    Case(
        "negative counts",
        _edit(n=lambda f: f.__setitem__("reassignment_count", "-5")),
        "reassignments",
        "critical",
        "negative_values",
    ),
    Case(
        "a number column of text",
        _edit(n=lambda f: f.__setitem__("reassignment_count", "lots")),
        "reassignments",
        "critical",
        "non_numeric",
    ),
    Case(
        "a little text in a number column",
        _edit(n=_every(400, "reopen_count", lambda v: pd.Series("n/a", index=v.index))),
        "reopens",
        "warning",
        "non_numeric",
    ),
    Case("a file with one row", _frame(lambda f: f.head(1)), "opened_at", "critical", "history"),
    Case(
        "two weeks of history",
        _frame(lambda f: f[_dates(f["opened_at"]) >= "2016-05-18"]),
        "opened_at",
        "critical",
        "history",
    ),
    Case(
        "resolved before opened",
        _edit(
            r=_every(
                5,
                "resolved_at",
                lambda v: (_dates(v) - pd.Timedelta(days=400)).dt.strftime(DATE_FORMAT),
            )
        ),
        "opened_at<=resolved_at",
        "critical",
        "date_order",
    ),
    Case(
        "duplicate ids in a one-row-per-record source",
        _config(_drop_audit),
        "id",
        "critical",
        "ids",
    ),
    Case(
        "an unknown priority",
        _edit(p=_every(300, "priority", lambda v: pd.Series("9 - Whenever", index=v.index))),
        "priority",
        "warning",
        "domains",
    ),
]


@pytest.fixture
def register(tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    """A register holding one entry, and its JSON before the case."""
    url = f"sqlite:///{tmp_path / 'register.db'}"
    reg = connect(url)
    reg.file([Candidate.example()])
    return url, [e.to_json() for e in reg.list()]


def _intact(register: tuple[str, list[dict[str, Any]]]) -> None:
    url, before = register
    assert [e.to_json() for e in connect(url, create=False).list()] == before


def _one_line(err: str, pattern: str) -> None:
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    assert pd.Series([err]).str.contains(pattern, regex=True).all(), (pattern, err)


@pytest.mark.slow
@pytest.mark.parametrize("case", SOURCE_ERRORS + CONFIG_ERRORS, ids=lambda c: c.name)
def test_bad_source_or_config_is_one_line_and_files_nothing(
    case: Case, tmp_path: Path, radar_home: Path, register: tuple[str, list[dict[str, Any]]]
) -> None:
    config = case.build(tmp_path / "case")
    result = runner.invoke(app, ["quality", "check", "--config", str(config)])
    assert result.exit_code != 0
    _one_line(result.stderr, case.expect)
    settings = RadarSettings(home=radar_home, register_retry_seconds=0)
    with pytest.raises(ValueError, match=case.expect):
        run_scan(config, register[0], None, None, settings=settings)
    _intact(register)


@pytest.mark.slow
@pytest.mark.parametrize("case", GATE_FAULTS, ids=lambda c: c.name)
def test_impossible_values_are_named_by_the_gate(
    case: Case, tmp_path: Path, radar_home: Path, register: tuple[str, list[dict[str, Any]]]
) -> None:
    config = case.build(tmp_path / "case")
    result = runner.invoke(app, ["quality", "check", "--config", str(config), "--format", "json"])
    assert result.exit_code == (1 if case.severity == "critical" else 0), result.stderr
    failures = json.loads(result.stdout)["uci_incidents"]["failures"]
    named = [f for f in failures if f["check"] == case.check and f["column"] == case.expect]
    assert named, [(f["check"], f["column"], f["severity"]) for f in failures]
    worst = min(named, key=lambda f: ["critical", "warning", "info"].index(f["severity"]))
    assert worst["severity"] == case.severity
    assert worst["unexpected_count"] and worst["detail"]
    _intact(register)


def _entry_id(register: tuple[str, list[dict[str, Any]]]) -> str:
    return str(register[1][0]["id"])


REGISTER_CASES: list[tuple[str, Callable[[str, str, Path], list[str]], str]] = [
    (
        "typo'd sqlite path",
        lambda url, eid, tmp: ["entries", "list", "--register", f"sqlite:///{tmp}/regsiter.db"],
        r"no register at .*regsiter\.db: the file does not exist",
    ),
    (
        "another working directory",
        lambda url, eid, tmp: ["entries", "show", eid, "--register", "sqlite:///.radar/x.db"],
        r"no register at /.*\.radar/x\.db",
    ),
    (
        "unsupported scheme",
        lambda url, eid, tmp: ["entries", "list", "--register", "mysql://u@h/db"],
        r"invalid register URL 'mysql://u@h/db': unsupported scheme",
    ),
    (
        "no scheme",
        lambda url, eid, tmp: ["entries", "list", "--register", "register.db"],
        r"invalid register URL 'register.db'",
    ),
    (
        "unknown entry",
        lambda url, eid, tmp: ["entries", "show", "CIR-9999", "--register", url],
        r"no register entry with id 'CIR-9999'",
    ),
    (
        "unknown status filter",
        lambda url, eid, tmp: ["entries", "list", "--status", "opened", "--register", url],
        r"unknown status 'opened'",
    ),
    (
        "close a new entry",
        lambda url, eid, tmp: ["entries", "close", eid, "--code", "successful", "--register", url],
        r"cannot go from 'new' to 'closed'",
    ),
    (
        "start before accepting",
        lambda url, eid, tmp: ["entries", "start", eid, "--register", url],
        r"cannot go from 'new' to 'in_progress'",
    ),
    (
        "duplicate of itself",
        lambda url, eid, tmp: ["entries", "duplicate", eid, "--of", eid, "--register", url],
        r"CIR-0001",
    ),
    (
        "duplicate of an unknown entry",
        lambda url, eid, tmp: ["entries", "duplicate", eid, "--of", "CIR-4242", "--register", url],
        r"CIR-4242",
    ),
]


@pytest.mark.parametrize(
    ("build", "expect"), [c[1:] for c in REGISTER_CASES], ids=[c[0] for c in REGISTER_CASES]
)
def test_register_mistakes_are_one_line_and_change_nothing(
    build: Callable[[str, str, Path], list[str]],
    expect: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    register: tuple[str, list[dict[str, Any]]],
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, build(register[0], _entry_id(register), tmp_path))
    assert result.exit_code == 1
    _one_line(result.stderr, expect)
    _intact(register)
    assert not (tmp_path / ".radar").exists() and not (tmp_path / "regsiter.db").exists()


def test_the_matrix_has_at_least_thirty_cases() -> None:
    total = len(SOURCE_ERRORS) + len(CONFIG_ERRORS) + len(GATE_FAULTS) + len(REGISTER_CASES)
    assert total >= 30

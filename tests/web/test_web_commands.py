"""`radar users add`, `radar report` and `radar web` as a user types them."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from register_client import Register
from tests.web.webtools import PASSWORD, SCRIPT

runner = CliRunner()
RADAR = str(Path(sys.executable).with_name("radar"))


def test_users_add_reads_the_password_from_stdin(register: Register) -> None:
    url = str(register.engine.url)
    args = ["users", "add", "nina", "--role", "owner", "--group", "g1", "--register", url]
    added = runner.invoke(app, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "added nina (owner; groups: g1)"
    assert register.authenticate("nina", PASSWORD).groups == ["g1"]
    again = runner.invoke(app, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code == 1 and again.stderr.strip() == "error: user 'nina': already exists"
    short = runner.invoke(
        app, ["users", "add", "ola", "--role", "viewer", "--password-stdin", "--register", url],
        input="short\n",
    )  # fmt: skip
    assert short.stderr.strip() == "error: user 'ola': the password needs at least 8 characters"
    no_stdin = runner.invoke(app, ["users", "add", "ola", "--role", "viewer", "--register", url])
    assert no_stdin.exit_code == 1 and "--password-stdin" in no_stdin.stderr
    assert register.get_user("ola") is None


def test_report_is_one_self_contained_file(register: Register, tmp_path: Path) -> None:
    register.reject("CIR-0003", reason=SCRIPT, by="ada")
    out = tmp_path / "out" / "report.html"
    url = str(register.engine.url)
    made = runner.invoke(app, ["report", "--out", str(out), "--register", url])
    assert made.exit_code == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 2  # the two entries with a plot on disk
    assert not re.search(r'(src|href)="(/|https?:)', html), "the report must not link out"
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert all(f'id="CIR-000{i}"' in html for i in (1, 2, 3))
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id repeats across the report's entries"
    only_new = runner.invoke(
        app, ["report", "--out", str(out), "--register", url, "--status", "new"]
    )
    assert only_new.exit_code == 0 and 'id="CIR-0003"' not in out.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["report", "--out", str(out), "--register", url, "--status", "x"])
    assert bad.exit_code == 1 and bad.stderr.startswith("error: unknown status 'x'")


def test_the_report_links_a_related_entry_only_when_it_holds_it(
    register: Register, tmp_path: Path
) -> None:
    from register_client import Candidate

    backlog = {"name": "backlog_open", "unit": "incidents", "better": "lower"}
    group = {"assignment_group": "Group 64"}  # CIR-0002's group, the same week
    register.file([Candidate.example(kind="level_shift", kpi=backlog, dimensions=group)])
    register.reject("CIR-0004", reason="seen in CIR-0002", by="ada")
    out, url = tmp_path / "report.html", str(register.engine.url)
    for status, linked in (("all", True), ("new", False)):
        made = runner.invoke(
            app, ["report", "--out", str(out), "--register", url, "--status", status]
        )
        assert made.exit_code == 0, made.stderr
        html = out.read_text(encoding="utf-8")
        what = 'backlog_open level shift <span class="muted">(Group 64)'
        anchor = f'<a href="#CIR-0004">CIR-0004</a> {what}'
        plain = f">CIR-0004 {what}"  # text, not a link
        assert (anchor in html, plain in html) == (linked, not linked)


@pytest.mark.parametrize("command", [["report", "--out", "r.html"], ["web"], ["users", "list"]])
def test_read_commands_never_create_a_register(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*command, "--register", "sqlite:///.radar/register.db"])
    assert result.exit_code == 1
    where = tmp_path.resolve() / ".radar" / "register.db"
    assert result.stderr.strip().startswith(f"error: no register at {where}: the file does not")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / ".radar").exists() and not (tmp_path / "r.html").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_web_warns_before_binding_beyond_loopback(register: Register, tmp_path: Path) -> None:
    env = {**os.environ, "RADAR_HOME": str(tmp_path / ".radar"), "RADAR_WEB_SECRET": "k" * 40}
    proc = subprocess.Popen(
        [RADAR, "web", "--register", str(register.engine.url), "--host", "0.0.0.0",
         "--port", str(_free_port())],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert first.startswith("warning: binding to 0.0.0.0 serves sign-in and session cookies")


def test_the_report_links_to_the_app_only_when_given_its_address(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from register_client import Candidate

    monkeypatch.chdir(tmp_path)
    page = tmp_path / ".radar" / "data_docs" / "runs" / "r1" / "kept" / "records.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html>validation</html>")
    gate = {"validation_id": "v9", "success": True, "docs_path": str(page)}
    source = {**Candidate.example().source.model_dump(), "gate": gate}
    register.file([Candidate.example(dimensions={"priority": "P4"}, source=source)])
    out, url = tmp_path / "report.html", str(register.engine.url)
    base = "https://radar.example.org/"
    made = runner.invoke(app, ["report", "--out", str(out), "--register", url, "--base-url", base])
    assert made.exit_code == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    for entry in register.list():
        assert f'href="https://radar.example.org/entries/{entry.id}"' in html
    assert 'href="https://radar.example.org/data-docs/runs/r1/kept/records.html"' in html
    alone = runner.invoke(app, ["report", "--out", str(out), "--register", url])
    assert alone.exit_code == 0 and "radar.example.org" not in out.read_text(encoding="utf-8")
    assert f"<code>{page}</code>" in out.read_text(encoding="utf-8")  # the path, as before
    bad = runner.invoke(app, ["report", "--out", str(out), "--register", url, "--base-url", "x"])
    assert bad.exit_code == 1
    assert bad.stderr == "error: --base-url must start with http:// or https://, got 'x'\n"

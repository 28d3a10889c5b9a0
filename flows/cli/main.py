"""The ``radar`` command line: scans, the register's entries, and triage.

Errors are one line on stderr with a non-zero exit; ``--debug`` shows the traceback.
``--format json`` prints JSON alone on stdout. Heavy imports (Prefect, GX) happen inside
the commands that need them, so ``radar --help`` and register commands stay quick.
"""

from __future__ import annotations

import getpass
import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from flows.cli.support import emit_json, fail, one_line_errors, quiet_libraries, set_debug
from flows.config.settings import DEFAULT_REGISTER_URL, quiet_prefect_defaults

__all__ = ["app"]

app = typer.Typer(
    help="Improvement Radar: find continual-improvement opportunities in operational data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
entries_app = typer.Typer(help="Read and triage Continual Improvement Register entries.")
app.add_typer(entries_app, name="entries")


def _mount_optional() -> None:
    """Mount the sub-command groups that live in their own modules."""
    from flows.cli.backtest import backtest
    from flows.cli.nab import nab_app
    from flows.cli.quality import quality_app
    from flows.cli.register import register_app
    from flows.cli.sync import sync_app
    from flows.cli.web import report, users_app, web

    app.add_typer(quality_app, name="quality", help="Run the data-quality gate alone.")
    app.add_typer(nab_app, name="nab", help="Run and score detectors on NAB-format data.")
    app.command("backtest")(backtest)
    app.add_typer(sync_app, name="sync", help="Mirror the register into Jira or ServiceNow.")
    app.add_typer(register_app, name="register", help="Create or check a register.")
    app.add_typer(users_app, name="users", help="Manage the web app's local users.")
    app.command("web")(web)
    app.command("report")(report)


Register = Annotated[
    str,
    typer.Option("--register", envvar="RADAR_REGISTER_URL", help="Register database URL."),
]
Format = Annotated[Literal["table", "json"], typer.Option("--format", help="Output format.")]
ConfigFile = Annotated[Path, typer.Option("--config", help="Scan config (YAML).")]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Improvement Radar."""
    set_debug(debug)
    quiet_prefect_defaults()
    quiet_libraries(debug)


@app.command()
def scan(
    config: ConfigFile = Path("examples/demo.yaml"),
    register: Register = DEFAULT_REGISTER_URL,
    as_of: Annotated[
        date | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Scan one night, YYYY-MM-DD (default: the config's as_of, else yesterday).",
        ),
    ] = None,
    start: Annotated[
        date | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First night of a replay, YYYY-MM-DD."),
    ] = None,
    end: Annotated[
        date | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last night of a replay, YYYY-MM-DD."),
    ] = None,
    fmt: Format = "table",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress or summary (cron); errors only.")
    ] = False,
) -> None:
    """Scan the configured sources and file what is found into the register."""
    if as_of and (start or end):
        fail("use either --as-of or --from/--to, not both")
    if bool(start) != bool(end):
        fail("--from and --to go together")
    if start and end and start > end:
        fail(f"--from {start} is after --to {end}")
    from flows.config.model import load_config

    with one_line_errors():
        from flows.load import probe_source

        checked = load_config(config)  # fail fast, before the Prefect server starts
        for source in checked.sources:
            probe_source(checked, source)
        from flows.cli.progress import NightProgress
        from flows.observe import observing
        from flows.orchestrate.flows import replay_flow, scan_flow

        # The URL reaches the flow through the environment, not as a parameter: Prefect
        # stores parameters in its database and shows them in its UI, passwords included.
        os.environ["RADAR_REGISTER_URL"] = register
        nights = (end - start).days + 1 if start and end else 1
        with NightProgress(nights, quiet=quiet) as progress, observing(progress):
            if start and end:
                reports = replay_flow(str(config), None, start, end)
            else:
                reports = scan_flow(str(config), None, as_of)
    if fmt == "json":
        emit_json(reports)
        return
    # What failed, not only that it did; a blocked source is news even to cron.
    for line in _gate_failures(reports, ("critical",) if quiet else ("critical", "warning")):
        typer.echo(line, err=True)
    if quiet:
        return
    created = sum(len(r["created"]) for r in reports)
    updated = sum(len(r["updated"]) for r in reports)
    typer.echo(
        f"this scan: {len(reports)} night(s), {created} entries created, {updated} updated; "
        "the register now holds:"
    )
    with one_line_errors():
        _print_entries(register, None)


def _gate_failures(reports: list[dict[str, Any]], severities: tuple[str, ...]) -> list[str]:
    """One line per failed check of the scan (a replay repeats them nightly): nights, latest."""
    seen: dict[tuple[str, str, str, str], list[tuple[str, str]]] = {}
    for report in reports:
        for name, g in report["gate"].items():
            for f in g["failures"]:
                if f["severity"] in severities:
                    key = (name, f["severity"], f["check"], f["column"])
                    seen.setdefault(key, []).append((report["as_of"], f["detail"]))
    lines = []
    for (name, severity, check, column), nights in seen.items():
        last, detail = nights[-1]
        when = f"on {last}" if len(nights) == 1 else f"on {len(nights)} nights, last {last}"
        lines.append(f"gate {name}: {severity} {check} on {column} {when}: {detail}")
    return lines


def _register(url: str) -> Any:
    """Open an existing register; read and triage commands never create one."""
    from register_client import connect

    return connect(url, create=False)


def _print_entries(url: str, status: str | None) -> None:
    entries = [e.to_json() for e in _register(url).list(status=status)]
    if not entries:
        typer.echo("(no entries)")
        return
    typer.echo(f"{'id':<9} {'status':<11} {'P':<2} {'owner':<22} {'seen':>4}  title")
    for e in entries:
        typer.echo(
            f"{e['id']:<9} {e['status']:<11} {e['priority']!s:<2} "
            f"{(e['owner'] or '-')[:22]:<22} {e['occurrences']:>4}  {e['title']}"
        )


@entries_app.command("list")
def list_entries(
    register: Register = DEFAULT_REGISTER_URL,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    fmt: Format = "table",
) -> None:
    """List the register's entries."""
    with one_line_errors():
        if fmt == "json":
            emit_json([e.to_json() for e in _register(register).list(status=status)])
        else:
            _print_entries(register, status)


@entries_app.command("show")
def show_entry(
    entry_id: str, register: Register = DEFAULT_REGISTER_URL, fmt: Format = "table"
) -> None:
    """Show one entry with its baseline, measurements and audit trail."""
    with one_line_errors():
        reg = _register(register)
        entry = reg.get(entry_id).to_json()
        if fmt == "json":
            emit_json(entry)
            return
        where, stored = entry.get("evidence_plot"), entry.get("evidence_plot_stored")
        matches = reg.plot_file_matches(entry["id"], Path(where)) if where and stored else None
    from flows.cli.entry_view import render_entry

    typer.echo(render_entry(entry, plot_file_matches=matches))


@entries_app.command("accept")
def accept_entry(
    entry_id: str,
    owner: Annotated[str, typer.Option("--owner", help="Who owns the improvement.")],
    target: Annotated[
        float | None, typer.Option("--target", help="Target KPI value (a share for rates).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Agree a target not better than the current value.")
    ] = False,
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Accept an entry: give it an owner and, optionally, a target."""
    _triage(register, "accept", entry_id, owner=owner, target=target, force=force)


@entries_app.command("reject")
def reject_entry(
    entry_id: str,
    reason: Annotated[str, typer.Option("--reason", help="Why; 'noise' mutes this slice.")],
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Reject an entry; it stays rejected on later scans."""
    _triage(register, "reject", entry_id, reason=reason)


@entries_app.command("duplicate")
def duplicate_entry(
    entry_id: str,
    of: Annotated[str, typer.Option("--of", help="The primary entry's id.")],
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Mark an entry as a duplicate of a primary; later detections go to the primary."""
    _triage(register, "mark_duplicate", entry_id, of=of)


@entries_app.command("assign")
def assign_entry(
    entry_id: str,
    owner: Annotated[str, typer.Option("--owner", help="New owner.")],
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Assign an entry to an owner."""
    _triage(register, "assign", entry_id, owner=owner)


@entries_app.command("priority")
def prioritise_entry(
    entry_id: str,
    priority: Annotated[int, typer.Argument(min=1, max=5, help="1 (act now) .. 5 (note).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the change.")] = "",
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Set an entry's priority."""
    _triage(register, "set_priority", entry_id, priority=priority, reason=reason)


@entries_app.command("comment")
def comment_entry(
    entry_id: str,
    text: Annotated[str, typer.Argument(help="The comment.")],
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Add a comment to an entry's audit trail."""
    _triage(register, "comment", entry_id, text=text)


@entries_app.command("start")
def start_entry(entry_id: str, register: Register = DEFAULT_REGISTER_URL) -> None:
    """Mark an accepted entry as in progress."""
    _triage(register, "start", entry_id)


@entries_app.command("monitor")
def monitor_entry(entry_id: str, register: Register = DEFAULT_REGISTER_URL) -> None:
    """Move an entry to monitoring once its change is in place."""
    _triage(register, "monitor", entry_id)


@entries_app.command("reopen")
def reopen_entry(
    entry_id: str,
    reason: Annotated[str, typer.Option("--reason", help="Why it is open again.")],
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Reopen a rejected or closed entry (lifts a 'noise' mute)."""
    _triage(register, "reopen", entry_id, reason=reason)


@entries_app.command("target")
def target_entry(
    entry_id: str,
    value: Annotated[float, typer.Argument(help="The agreed target value.")],
    by_date: Annotated[
        datetime | None, typer.Option("--by", formats=["%Y-%m-%d"], help="Target date.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Agree a target not better than the current value.")
    ] = False,
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Set or change an entry's target."""
    _triage(register, "set_target", entry_id, value=value, target_by=by_date, force=force)


@entries_app.command("plot")
def plot_entry(
    entry_id: str,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the PNG (default: its path).")
    ] = None,
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Write an entry's frozen evidence plot from the register (never over a file)."""
    with one_line_errors():
        reg = _register(register)
        entry = reg.get(entry_id)
        where = out or (Path(entry.evidence_plot) if entry.evidence_plot else None)
        if where is None:
            fail(f"{entry.id} has no evidence plot path; give --out FILE")
        written = reg.export_evidence(entry.id, where)
    if written is None:
        fail(f"{entry.id}: the register holds no evidence plot for it")
    typer.echo(str(written))


@entries_app.command("close")
def close_entry(
    entry_id: str,
    code: Annotated[
        Literal["successful", "unsuccessful", "withdrawn"],
        typer.Option("--code", help="Closure code."),
    ],
    note: Annotated[str, typer.Option("--note", help="Closing note.")] = "",
    register: Register = DEFAULT_REGISTER_URL,
) -> None:
    """Close an entry with a closure code."""
    _triage(register, "close", entry_id, code=code, note=note)


def _who() -> str:
    """Return who is triaging, for the audit trail."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _triage(url: str, action: str, entry_id: str, **kwargs: Any) -> None:
    with one_line_errors():
        entry = getattr(_register(url), action)(entry_id, by=_who(), **kwargs)
    typer.echo(f"{entry.id}: {entry.status}, priority {entry.priority}, owner {entry.owner or '-'}")


_mount_optional()

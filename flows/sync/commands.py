"""``radar sync jira|servicenow --config FILE [--register URL]``.

A sync never creates a register: a missing SQLite file is one error naming the
resolved path. Failures on single entries are listed and make the exit code 1;
rerunning finishes the job without duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from flows.cli_support import emit_json, fail, one_line_errors
from flows.settings import DEFAULT_REGISTER_URL

__all__ = ["existing_register", "make_mirror", "run_sync", "sync_app"]

Target = Literal["jira", "servicenow"]
sync_app = typer.Typer(help="Mirror the register into Jira or ServiceNow and pull triage back.")


def existing_register(url: str) -> Any:
    """Open a register that must already exist (a sync never creates one), then migrate it."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from register_client import connect

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).expanduser().is_file():
            resolved = Path(database).expanduser().resolve() if database else ":memory:"
            raise FileNotFoundError(f"no register at {resolved}; run `radar scan` first")
    register = connect(url, migrate=False)
    with register.engine.connect() as conn:
        exists = inspect(conn).has_table("entries")
    if not exists:
        register.dispose()
        raise FileNotFoundError(f"no register at {register.url}; run `radar scan` first")
    register.migrate()  # adds the outbox tables to a register filed before they existed
    return register


def make_mirror(config: Any, target: Target) -> Any:
    """Build the configured mirror for `target`, with credentials from the environment."""
    from flows.sync.http import credentials

    spec = getattr(config.sync, target, None) if config.sync is not None else None
    if spec is None:
        raise ValueError(
            f"{config.config_path}: sync.{target} is not configured "
            f"(add sync: {{{target}: {{url: ..., "
            f"{'project: KEY' if target == 'jira' else 'table: sn_cim_register'}}}}})"
        )
    creds = credentials(target)
    if target == "jira":
        from flows.sync.jira import JiraMirror

        return JiraMirror(spec, creds)
    from flows.sync.servicenow import ServiceNowMirror

    return ServiceNowMirror(spec, creds)


def run_sync(config: Any, register_url: str, target: Target) -> Any:
    """Run one sync of `target` for the register at `register_url`; return its report."""
    from flows.sync.engine import sync_register

    mirror = make_mirror(config, target)
    register = existing_register(register_url)
    base_url = config.web.base_url if config.web is not None else None
    try:
        return sync_register(register, mirror, base_url=base_url)
    finally:
        mirror.close()
        register.dispose()


def _command(target: Target) -> Any:
    def command(
        config: Annotated[Path, typer.Option("--config", help="Scan config (YAML) with sync:.")],
        register: Annotated[
            str,
            typer.Option("--register", envvar="RADAR_REGISTER_URL", help="Register database URL."),
        ] = DEFAULT_REGISTER_URL,
        fmt: Annotated[
            Literal["table", "json"], typer.Option("--format", help="Output format.")
        ] = "table",
    ) -> None:
        from flows.config import load_config
        from flows.sync.http import SyncError

        with one_line_errors():
            try:
                report = run_sync(load_config(config), register, target)
            except SyncError as exc:  # already one line naming the target
                fail(str(exc))
        if fmt == "json":
            emit_json(report.to_json())
        else:
            counts = ", ".join(
                f"{name} {len(ids)}" for name, ids in report.to_json().items() if name != "target"
            )
            typer.echo(f"{target}: {counts}")
            for line in report.pulled + report.conflicts:
                typer.echo(f"  {line}")
        if report.failed:
            fail(
                f"{target}: {len(report.failed)} entries not synced (first: {report.failed[0]}); "
                "rerun to finish"
            )

    command.__doc__ = f"Mirror the register into {target} and pull its triage decisions back."
    return command


sync_app.command("jira")(_command("jira"))
sync_app.command("servicenow")(_command("servicenow"))

"""``radar sync jira|servicenow --config FILE [--register URL]``.

A sync never creates a register: a missing SQLite file is one error naming the
resolved path. Failures on single entries are listed and make the exit code 1;
rerunning finishes the job without duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from flows.cli.support import emit_json, fail, one_line_errors
from flows.config.settings import DEFAULT_REGISTER_URL

__all__ = ["sync_app"]

Target = Literal["jira", "servicenow"]
sync_app = typer.Typer(help="Mirror the register into Jira or ServiceNow and pull triage back.")


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
        from flows.config.model import load_config
        from flows.sync.http import SyncError
        from flows.sync.run import run_sync

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

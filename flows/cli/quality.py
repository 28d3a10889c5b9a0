"""``radar quality``: run the quality gate alone and report it, per source.

``radar quality check`` loads every source of a config, validates it as of a date, builds
Data Docs and persists the results, like a scan does before detection. It exits 1 when
any source has a critical failure, and 2 with one line on stderr when the config or a
source cannot be read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli.support import emit_json, one_line_errors

if TYPE_CHECKING:
    from flows.gate import GateResult

__all__ = ["quality_app"]

quality_app = typer.Typer(no_args_is_help=True, add_completion=False)


class OutputFormat(StrEnum):
    """How ``check`` prints its report."""

    table = "table"
    json = "json"


@quality_app.callback()
def quality() -> None:
    """Run the Great Expectations quality gate without a scan."""


@quality_app.command()
def check(
    config: Annotated[Path, typer.Option(help="scan config (YAML)")] = Path("examples/demo.yaml"),
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="scan date; default: config or today"),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Validate every source; print success, severity, failures, validation id and docs."""
    from flows.config import RadarSettings, load_config
    from flows.errors import ConfigError, SourceError
    from flows.gate import run_gate
    from flows.load import load_records

    try:
        scan_config = load_config(config)
        frames = [load_records(scan_config, source) for source in scan_config.sources]
    except (ConfigError, SourceError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    day: date = as_of.date() if as_of else scan_config.as_of or datetime.now(UTC).date()
    settings = RadarSettings()
    with one_line_errors():
        results = run_gate(frames, scan_config, day, settings.docs_dir)
    if output is OutputFormat.json:
        emit_json({name: r.to_json() for name, r in results.items()})
    else:
        for result in results.values():
            _print_table(result)
    if any(r.highest_failed_severity == "critical" for r in results.values()):
        raise typer.Exit(1)


def _print_table(result: GateResult) -> None:
    verdict = (
        "BLOCKED"
        if result.blocked
        else "partly blocked"
        if result.blocked_partitions
        else "pass"
        if result.success
        else "pass with caveats"
    )
    typer.echo(f"{result.source} (as of {result.as_of}): {verdict}")
    typer.echo(f"  success:                 {result.success}")
    typer.echo(f"  highest failed severity: {result.highest_failed_severity or '-'}")
    typer.echo(
        f"  rows checked:            {result.rows_checked} (+{result.rows_after_as_of} later)"
    )
    typer.echo(f"  validation id:           {result.validation_id}")
    typer.echo(f"  suite:                   {result.suite_name} @ {result.suite_version}")
    typer.echo(f"  docs:                    {result.docs_path or '-'}")
    for name, values in result.blocked_partitions.items():
        typer.echo(f"  blocked {name}: {', '.join(values)}")
    if not result.failures:
        typer.echo("  failed expectations:     none")
    for failure in result.failures:
        count = "?" if failure.unexpected_count is None else failure.unexpected_count
        typer.echo(
            f"  [{failure.severity:8}] {failure.check}: {failure.expectation}"
            f"({failure.column}) unexpected={count}  {failure.detail}"
        )

"""``radar backtest``: what a config would have filed, night by night, in a throwaway register.

Registered on the ``radar`` app by :mod:`flows.cli`. The real register (``--register``)
is read only, to seed the throwaway one with its entries and triage decisions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from flows.cli.support import emit_json, fail, one_line_errors
from flows.config.settings import DEFAULT_REGISTER_URL, quiet_prefect_defaults

__all__ = ["backtest", "render_table"]

_DAY = ["%Y-%m-%d"]


def backtest(
    config: Annotated[Path, typer.Option("--config", help="The scan config (YAML) to try.")],
    start: Annotated[date, typer.Option("--from", formats=_DAY, help="First night (inclusive).")],
    end: Annotated[date, typer.Option("--to", formats=_DAY, help="Last night (inclusive).")],
    register: Annotated[
        str,
        typer.Option(
            "--register",
            envvar="RADAR_REGISTER_URL",
            help="Real register to seed from; only ever read.",
        ),
    ] = DEFAULT_REGISTER_URL,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", help="Output format.")
    ] = "table",
) -> None:
    """Replay a config night by night into a throwaway register; report what it would file."""
    if start > end:
        fail(f"--from {start} is after --to {end}")
    quiet_prefect_defaults()
    with one_line_errors():
        from flows.config.model import load_config
        from flows.workbench.backtest import backtest as run

        report = run(load_config(config), start, end, register).to_json()
    if fmt == "json":
        emit_json(report)
        return
    typer.echo(render_table(report))


def render_table(report: dict[str, Any]) -> str:
    """Render a backtest report (its JSON form) as a table: one line per night, then totals."""
    real = report["register"]
    if not real["seeded_from"]:
        start = "empty register"
    elif not real["found"]:
        start = f"empty register ({real['seeded_from']} does not exist)"
    else:
        start = f"{real['seeded_entries']} entries copied from {real['seeded_from']}"
    lines = [
        f"backtest of {report['config']}, {report['from']}..{report['to']}, starting from {start}",
        f"{'night':<10}  {'gate':<9} {'found':>5} {'cand.':>5} {'created':>7} {'updated':>7} "
        f"{'suppr.':>6} {'same':>4}  entries created",
    ]
    for night in report["nights"]:
        gate = "ok" if all(not g["blocked"] for g in night["gate"].values()) else "blocked"
        titles = "; ".join(e["title"] for e in night["entries"] if e["action"] == "created")
        lines.append(
            f"{night['night']:<10}  {gate:<9} {night['findings']:>5} {night['candidates']:>5} "
            f"{night['created']:>7} "
            f"{night['updated']:>7} {night['suppressed']:>6} {night['unchanged']:>4}  {titles}"
        )
    t = report["totals"]
    lines.append(
        f"{'total':<10}  {str(t['nights']) + ' nights':<9} {t['findings']:>5} "
        f"{t['candidates']:>5} {t['created']:>7} "
        f"{t['updated']:>7} {t['suppressed']:>6} {t['unchanged']:>4}  "
        f"{t['entries']} distinct entries created or updated"
    )
    return "\n".join(lines)

"""``radar backtest``: what a config would have filed, night by night, in a throwaway register.

Registered on the ``radar`` app by :mod:`flows.cli`. The throwaway register starts empty;
``--seed-from URL`` starts it as a copy of a real register, which is only ever read.
``--compare B`` backtests a second config over the same nights and lists the entries only
one of them files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from flows.cli.support import emit_json, fail, one_line_errors
from flows.config.settings import quiet_prefect_defaults

__all__ = ["backtest", "render_comparison", "render_table"]

_DAY = ["%Y-%m-%d"]


def backtest(
    config: Annotated[Path, typer.Option("--config", help="The scan config (YAML) to try.")],
    start: Annotated[date, typer.Option("--from", formats=_DAY, help="First night (inclusive).")],
    end: Annotated[date, typer.Option("--to", formats=_DAY, help="Last night (inclusive).")],
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare", help="A second config: list what each files that the other does not."
        ),
    ] = None,
    seed_from: Annotated[
        str | None,
        typer.Option("--seed-from", help="Start from a copy of this register (only read)."),
    ] = None,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", help="Output format.")
    ] = "table",
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Save a PNG of entries per night here.")
    ] = None,
    max_delay: Annotated[
        int | None,
        typer.Option("--max-delay", min=0, help="Days after a labelled event's start to find it."),
    ] = None,
) -> None:
    """Replay a config night by night into an empty throwaway register; report what it files.

    With --compare B, both configs replay the same nights, and the output lists the entries
    only A files, only B files, and both, with the first night each was filed.
    """
    if start > end:
        fail(f"--from {start} is after --to {end}")
    if plot is not None and plot.suffix.lower() != ".png":
        fail(f"--plot {plot}: give a .png file")
    quiet_prefect_defaults()
    with one_line_errors():
        from flows.workbench.compare import compare as run_compare
        from flows.workbench.compare import filed_entries, label_score, per_night
        from flows.workbench.plots import plot_entries_per_night

        if compare is None:
            from flows.config.model import load_config
            from flows.workbench.backtest import backtest as run
            from flows.workbench.labels import config_labels

            loaded = load_config(config)
            labelled = config_labels(loaded)
            report = run(loaded, start, end, seed_from)
            data = {
                **report.to_json(),
                "entries": [e.to_json() for e in filed_entries(report)],
                "labels": None
                if labelled is None
                else {
                    "file": str(labelled[0]),
                    **label_score(report, labelled[1], max_delay).to_json(),
                },
            }
            text = render_table(data)
            if plot is not None:
                plot_entries_per_night(per_night({"a": report}), {"a": config.name}, plot)
        else:
            comparison = run_compare(config, compare, start, end, seed_from, max_delay=max_delay)
            data = comparison.to_json()
            text = render_comparison(data)
            if plot is not None:
                names = {"a": f"A: {config.name}", "b": f"B: {compare.name}"}
                plot_entries_per_night(comparison.per_night(), names, plot)
    if fmt == "json":
        emit_json(data)
        return
    typer.echo(text + (f"\nplot: {plot}" if plot is not None else ""))


def _start(register: dict[str, Any]) -> str:
    if not register["seeded_from"]:
        return "an empty register"
    if not register["found"]:
        return f"an empty register ({register['seeded_from']} does not exist)"
    return f"{register['seeded_entries']} entries copied from {register['seeded_from']}"


def render_table(report: dict[str, Any]) -> str:
    """Render a backtest report (its JSON form): one line per night, totals, then labels."""
    lines = [
        f"backtest of {report['config']}, {report['from']}..{report['to']}, "
        f"starting from {_start(report['register'])}",
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
    labels = report.get("labels")
    if labels:
        lines += ["", f"against {labels['file']}: {_score(labels)}"]
    return "\n".join(lines)


def _score(s: dict[str, Any]) -> str:
    delay = s["mean_delay_days"]
    shown = "-" if delay is None else f"{delay:.1f} days"
    return (
        f"precision {s['precision']:.2f} ({s['true_detections']}/{s['detections']} entries on "
        f"a labelled event), recall {s['recall']:.2f} ({s['found']}/{s['events']} events "
        f"found), mean delay {shown}"
    )


def _entries(title: str, entries: list[dict[str, Any]], both: bool = False) -> list[str]:
    lines = ["", f"{title} ({len(entries)})"]
    if not entries:
        return [*lines, "  (none)"]
    if both:
        lines.append(f"  {'first night A':<13}  {'first night B':<13}  nights A  nights B  entry")
        lines += [
            f"  {e['first_night_a']:<13}  {e['first_night_b']:<13}  {e['nights']:>8}  "
            f"{e['nights_b']:>8}  {e['name']}"
            for e in entries
        ]
        return lines
    lines.append(f"  {'first night':<11}  {'nights':>6}  entry (title on its first night)")
    for e in entries:
        lines.append(f"  {e['first_night']:<11}  {e['nights']:>6}  {e['name']}")
        lines.append(f"  {'':<11}  {'':>6}    {e['title']}")
    return lines


def render_comparison(data: dict[str, Any]) -> str:
    """Render a comparison (its JSON form): the entries only A, only B and both file."""
    a, b = data["a"], data["b"]
    lines = [
        f"compare {data['from']}..{data['to']} ({data['nights']} nights), "
        f"each starting from {_start(data['register'])}",
        f"  A = {a['config']}: {a['entries']} entries",
        f"  B = {b['config']}: {b['entries']} entries",
        *_entries("only A files: what A adds to B", data["only_a"]),
        *_entries("only B files: what A drops from B", data["only_b"]),
        *_entries("both file", data["both"], both=True),
    ]
    labels = data["labels"]
    if labels:
        lines += [
            "",
            f"against {labels['file']} ({labels['events']} events in these nights):",
            *([f"  note: {labels['note']}"] if labels["note"] else []),
            f"  A: {_score(labels['a'])}",
            f"  B: {_score(labels['b'])}",
        ]
    return "\n".join(lines)

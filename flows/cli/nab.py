"""``radar nab``: run the NAB default detector over a NAB-format folder, and score results.

- ``radar nab run DATA_DIR OUT_DIR`` reads every ``*.csv`` under ``DATA_DIR`` (columns
  ``timestamp,value``), scores them with one global configuration and no labels
  (:func:`detectors.stream.nab_scores`: record alarms plus context novelty), its windows
  kept as durations at each file's sampling step and its rows on a grid of that step, NaN
  in a feed's gaps (:mod:`detectors.durations`), and
  writes ``OUT_DIR/<same relative path>`` with ``timestamp,value,anomaly_score``. Rows
  keep their file order, so duplicate timestamps are scored as separate rows, as NAB does.
- ``radar nab score OUT_DIR --windows FILE`` scores those files against NAB's labelled
  windows (``combined_windows.json`` format) with :func:`detectors.nab_scorer.nab_score`
  for the three NAB profiles.

The file I/O lives in :mod:`flows.workbench.nab`, imported when a command runs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from math import isfinite
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from flows.cli.support import one_line_errors

__all__ = ["nab_app"]

nab_app = typer.Typer(help="Numenta Anomaly Benchmark: run the default detector, score it.")


@nab_app.command("run")
def run_command(
    data_dir: Annotated[Path, typer.Argument(help="NAB-format folder of timestamp,value CSVs.")],
    out_dir: Annotated[Path, typer.Argument(help="Where to write the scored CSVs.")],
) -> None:
    """Score every data file with the default detector: timestamp,value,anomaly_score."""
    from flows.workbench.nab import run_folder

    with one_line_errors():
        results = run_folder(data_dir, out_dir)
    rows = sum(len(r) for r in results.values())
    typer.echo(f"scored {len(results)} files ({rows} rows) into {out_dir}", err=True)


@nab_app.command("score")
def score_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder written by `radar nab run`.")],
    windows: Annotated[Path, typer.Option("--windows", help="NAB combined_windows.json.")],
    fmt: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
    subset: Annotated[
        bool,
        typer.Option("--subset", help="Score only the labelled files that have a result."),
    ] = False,
) -> None:
    """Print NAB's normalised scores for the standard, low-FP and low-FN profiles."""
    from flows.workbench.nab import read_windows, score_folder

    with one_line_errors():
        results = score_folder(out_dir, read_windows(windows), subset=subset)
    if fmt == "json":
        # A detector that never fires has threshold inf, which JSON cannot carry: null.
        payload: dict[str, Any] = {
            r.profile: {**asdict(r), "threshold": r.threshold if isfinite(r.threshold) else None}
            for r in results
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    typer.echo(f"{'profile':<20} {'score':>7} {'threshold':>10} {'detected':>9} {'FP':>5}")
    for r in results:
        typer.echo(
            f"{r.profile:<20} {r.normalized:7.1f} {r.threshold:10.4f} "
            f"{r.detected_windows:>4}/{r.windows:<4} {r.false_positives:5d}"
        )

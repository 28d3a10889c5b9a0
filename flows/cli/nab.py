"""``radar nab``: run the NAB default detector over a NAB-format folder, and score results.

- ``radar nab run DATA_DIR OUT_DIR`` reads every ``*.csv`` under ``DATA_DIR`` (columns
  ``timestamp,value``), scores all files at once with one global configuration and no
  labels (:func:`detectors.stream.nab_scores`: record alarms plus context novelty), and
  writes ``OUT_DIR/<same relative path>`` with ``timestamp,value,anomaly_score``. Rows
  keep their file order, so duplicate timestamps are scored as separate rows, as NAB does.
- ``radar nab score OUT_DIR --windows FILE`` scores those files against NAB's labelled
  windows (``combined_windows.json`` format) with :func:`detectors.nab_scorer.nab_score`
  for the three NAB profiles.

This module holds the file I/O; the computation lives in ``detectors``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from math import isfinite
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import typer

from detectors.nab_scorer import PROFILES, NabFile, NabResult, nab_score
from detectors.stream import nab_scores
from flows.cli.support import one_line_errors

__all__ = [
    "nab_app",
    "read_nab_folder",
    "read_windows",
    "run_folder",
    "score_folder",
]

nab_app = typer.Typer(help="Numenta Anomaly Benchmark: run the default detector, score it.")


def read_nab_folder(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every ``*.csv`` under ``data_dir`` by relative POSIX path, timestamps kept as text."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"NAB data folder {data_dir} does not exist")
    frames = {}
    for path in sorted(data_dir.rglob("*.csv")):
        frame = pd.read_csv(path, dtype={"timestamp": str})
        if list(frame.columns[:2]) != ["timestamp", "value"]:
            raise ValueError(f"{path}: expected columns timestamp,value, got {list(frame.columns)}")
        frames[path.relative_to(data_dir).as_posix()] = frame[["timestamp", "value"]]
    if not frames:
        raise FileNotFoundError(f"no *.csv files under {data_dir}")
    return frames


def run_folder(
    data_dir: Path,
    out_dir: Path,
    scorer: Callable[[np.ndarray], np.ndarray] = nab_scores,
) -> dict[str, pd.DataFrame]:
    """Score every file of ``data_dir`` in one batch and write the results to ``out_dir``.

    ``scorer`` maps the (rows x files) value matrix to scores of the same shape; the
    default is the NAB default detector, :func:`detectors.stream.nab_scores`.
    """
    frames = read_nab_folder(data_dir)
    # One (rows x files) matrix, NaN-padded: the scorer's time loop runs once for all files.
    matrix = np.full((max(len(f) for f in frames.values()), len(frames)), np.nan)
    for j, frame in enumerate(frames.values()):
        matrix[: len(frame), j] = frame["value"].to_numpy(dtype=np.float64)
    scores = scorer(matrix)
    results = {}
    for j, (name, frame) in enumerate(frames.items()):
        result = frame.assign(anomaly_score=np.round(scores[: len(frame), j], 6))
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        result.to_csv(target, index=False)
        results[name] = result
    return results


def read_windows(path: Path) -> dict[str, list[tuple[str, str]]]:
    """NAB's ``combined_windows.json``: relative data path -> [(start, end), ...]."""
    raw = json.loads(path.read_text())
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected an object of file -> windows")
    return {str(k): [(str(a), str(b)) for a, b in v] for k, v in raw.items()}


def score_folder(out_dir: Path, windows: dict[str, list[tuple[str, str]]]) -> list[NabResult]:
    """NAB results for every profile; each windows entry needs its result file."""
    files = []
    for name, wins in sorted(windows.items()):
        path = out_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"no result file {path} for labelled data file {name}")
        frame = pd.read_csv(path)
        if "anomaly_score" not in frame.columns:
            raise ValueError(f"{path}: no anomaly_score column")
        files.append(NabFile(name, frame["timestamp"].to_numpy(), frame["anomaly_score"], wins))
    return [nab_score(files, profile) for profile in PROFILES]


@nab_app.command("run")
def run_command(
    data_dir: Annotated[Path, typer.Argument(help="NAB-format folder of timestamp,value CSVs.")],
    out_dir: Annotated[Path, typer.Argument(help="Where to write the scored CSVs.")],
) -> None:
    """Score every data file with the default detector: timestamp,value,anomaly_score."""
    with one_line_errors():
        results = run_folder(data_dir, out_dir)
    rows = sum(len(r) for r in results.values())
    typer.echo(f"scored {len(results)} files ({rows} rows) into {out_dir}", err=True)


@nab_app.command("score")
def score_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder written by `radar nab run`.")],
    windows: Annotated[Path, typer.Option("--windows", help="NAB combined_windows.json.")],
    fmt: Annotated[Literal["table", "json"], typer.Option("--format")] = "table",
) -> None:
    """Print NAB's normalised scores for the standard, low-FP and low-FN profiles."""
    with one_line_errors():
        results = score_folder(out_dir, read_windows(windows))
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

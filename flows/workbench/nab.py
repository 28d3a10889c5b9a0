"""NAB-format folders: read data files, score them by sampling step, and score the results.

The computation lives in ``detectors`` (:func:`detectors.stream.nab_scores`,
:func:`detectors.nab_scorer.nab_score`); this module only reads and writes the files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from detectors.durations import at_step, grid_matrix, sampling_step, time_slots
from detectors.nab_scorer import PROFILES, NabFile, NabResult, nab_score
from detectors.stream import nab_scores

__all__ = ["default_scorer", "read_nab_folder", "read_windows", "run_folder", "score_folder"]


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


def default_scorer(matrix: np.ndarray, step: np.timedelta64) -> np.ndarray:
    """Score with the NAB default detector, its windows kept as durations at ``step``."""
    return nab_scores(matrix, *at_step(step))


def run_folder(
    data_dir: Path,
    out_dir: Path,
    scorer: Callable[[np.ndarray, np.timedelta64], np.ndarray] = default_scorer,
) -> dict[str, pd.DataFrame]:
    """Score every file of ``data_dir`` and write the results to ``out_dir``.

    Files are scored in one batch per sampling step: ``scorer`` maps a (time slots x
    files) value matrix and the step to scores of the same shape. Each file's rows sit on
    a grid of that step (:func:`detectors.durations.time_slots`), NaN where the feed has a
    gap, so its windows are spans of time. The default, :func:`default_scorer`, keeps the
    detector's windows as durations at that step (:func:`detectors.durations.at_step`):
    one setting for the whole folder, whether a file holds a value every five minutes or
    every hour.
    """
    frames = read_nab_folder(data_dir)
    stamps = {name: _timestamps(name, frame) for name, frame in frames.items()}
    by_step: dict[np.timedelta64, list[str]] = {}
    for name in frames:
        by_step.setdefault(sampling_step(stamps[name]), []).append(name)
    scores: dict[str, np.ndarray] = {}
    for step, names in by_step.items():
        # One (time slots x files) matrix, NaN-padded: the scorer's loop runs once a batch.
        slots = [time_slots(stamps[name], step) for name in names]
        values = [frames[name]["value"].to_numpy(dtype=np.float64) for name in names]
        batch = scorer(grid_matrix(slots, values), step)
        scores |= {name: batch[slots[j], j] for j, name in enumerate(names)}
    results = {}
    for name, frame in frames.items():
        result = frame.assign(anomaly_score=np.round(scores[name], 6))
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        result.to_csv(target, index=False)
        results[name] = result
    return results


def _timestamps(name: str, frame: pd.DataFrame) -> np.ndarray:
    """Parse a file's timestamps (as UTC); a value that is not a date is an error naming it.

    ISO 8601 at any precision is read in one pass; anything else is read value by value.
    """
    text = frame["timestamp"]
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    if parsed.isna().any():
        parsed = pd.to_datetime(text, format="mixed", utc=True, errors="coerce")
    bad = frame["timestamp"][parsed.isna()]
    if not bad.empty:
        raise ValueError(
            f"{name}: timestamp {bad.iloc[0]!r} (row {bad.index[0] + 2}) is not a date"
        )
    return parsed.dt.tz_localize(None).to_numpy()


def read_windows(path: Path) -> dict[str, list[tuple[str, str]]]:
    """NAB's ``combined_windows.json``: relative data path -> [(start, end), ...]."""
    raw = json.loads(path.read_text())
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected an object of file -> windows")
    return {str(k): [(str(a), str(b)) for a, b in v] for k, v in raw.items()}


def score_folder(
    out_dir: Path, windows: dict[str, list[tuple[str, str]]], *, subset: bool = False
) -> list[NabResult]:
    """NAB results for every profile; each windows entry needs its result file.

    With ``subset``, only the labelled files that have a result are scored (a run over
    one category, say); NAB's normalisation then covers those files alone.
    """
    if subset:
        windows = {name: wins for name, wins in windows.items() if (out_dir / name).is_file()}
        if not windows:
            raise FileNotFoundError(f"no result file in {out_dir} matches a labelled data file")
    files = []
    for name, wins in sorted(windows.items()):
        path = out_dir / name
        if not path.is_file():
            raise FileNotFoundError(
                f"no result file {path} for labelled data file {name} "
                "(--subset scores only the files that were run)"
            )
        frame = pd.read_csv(path)
        if "anomaly_score" not in frame.columns:
            raise ValueError(f"{path}: no anomaly_score column")
        files.append(NabFile(name, frame["timestamp"].to_numpy(), frame["anomaly_score"], wins))
    return [nab_score(files, profile) for profile in PROFILES]

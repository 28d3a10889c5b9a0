"""NAB-format folders: read data files, score them in one batch, and score the results.

The computation lives in ``detectors`` (:func:`detectors.stream.nab_scores`,
:func:`detectors.nab_scorer.nab_score`); this module only reads and writes the files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from detectors.nab_scorer import PROFILES, NabFile, NabResult, nab_score
from detectors.stream import nab_scores

__all__ = ["read_nab_folder", "read_windows", "run_folder", "score_folder"]


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

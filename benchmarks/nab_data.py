"""Load the NAB subset as one (time slots x files) matrix, with each file's category and windows."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from detectors.durations import grid_matrix, sampling_step, time_slots
from detectors.nab_scorer import NabFile

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class NabCorpus:
    names: list[str]
    groups: list[str]
    timestamps: list[np.ndarray]
    windows: list[list[tuple[str, str]]]
    matrix: np.ndarray  # time slots x files, NaN where a file has no reading
    slots: list[np.ndarray]  # each file's rows in the matrix

    def files(self, scorer: Callable[[np.ndarray], np.ndarray]) -> list[NabFile]:
        scores = np.round(scorer(self.matrix), 6)
        return [
            NabFile(n, ts, scores[rows, j], w)
            for j, (n, ts, w, rows) in enumerate(
                zip(self.names, self.timestamps, self.windows, self.slots, strict=True)
            )
        ]


def on_time_grid(
    names: list[str],
    groups: list[str],
    timestamps: list[np.ndarray],
    windows: list[list[tuple[str, str]]],
    values: list[np.ndarray],
    slots: list[np.ndarray] | None = None,
) -> NabCorpus:
    """The files on one matrix, each on its time grid as ``radar nab run`` scores it.

    ``slots`` overrides the grid (``np.arange`` per file: the file order, gaps ignored).
    """
    if slots is None:
        slots = [time_slots(ts, sampling_step(ts)) for ts in timestamps]
    return NabCorpus(names, groups, timestamps, windows, grid_matrix(slots, values), slots)


def corpus_or_none() -> NabCorpus | None:
    """The subset under ``$RADAR_DATA_DIR/nab``, or None (said on stdout) when it is absent."""
    root = Path(os.environ.get("RADAR_DATA_DIR", HERE.parent.parent / "shared" / "data"))
    data = root / "nab"
    if not data.is_dir():
        print(f"skip: no NAB data at {data}")
        return None
    return _load_corpus(data)


def _load_corpus(data: Path) -> NabCorpus:
    windows = json.loads((data / "combined_windows.json").read_text())
    names = sorted(windows)
    frames = [pd.read_csv(data / n) for n in names]
    return on_time_grid(
        names,
        [n.split("/")[0] for n in names],
        [pd.to_datetime(f["timestamp"]).to_numpy() for f in frames],
        [[(a, b) for a, b in windows[n]] for n in names],
        [f["value"].to_numpy(dtype=np.float64) for f in frames],
    )

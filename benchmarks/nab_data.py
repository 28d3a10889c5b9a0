"""Load the NAB subset as one (rows x files) matrix, with each file's category and windows."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from detectors.nab_scorer import NabFile

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class NabCorpus:
    names: list[str]
    groups: list[str]
    timestamps: list[np.ndarray]
    windows: list[list[tuple[str, str]]]
    matrix: np.ndarray  # rows x files, NaN-padded at the end

    def files(self, scorer: Callable[[np.ndarray], np.ndarray]) -> list[NabFile]:
        scores = np.round(scorer(self.matrix), 6)
        return [
            NabFile(n, ts, scores[: len(ts), j], w)
            for j, (n, ts, w) in enumerate(
                zip(self.names, self.timestamps, self.windows, strict=True)
            )
        ]


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
    matrix = np.full((max(len(f) for f in frames), len(frames)), np.nan)
    for j, f in enumerate(frames):
        matrix[: len(f), j] = f["value"].to_numpy(dtype=np.float64)
    return NabCorpus(
        names=names,
        groups=[n.split("/")[0] for n in names],
        timestamps=[pd.to_datetime(f["timestamp"]).to_numpy() for f in frames],
        windows=[[(a, b) for a, b in windows[n]] for n in names],
        matrix=matrix,
    )

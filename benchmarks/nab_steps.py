"""The NAB detector on coarser data: windows counted in rows against windows as durations.

Run: ``.venv/bin/python benchmarks/nab_steps.py`` (data: ``$RADAR_DATA_DIR/nab``).

The subset we have is all five-minute data; NAB's other files include hourly and
half-hourly ones. To see what a setting written in five-minute rows does there, every
file is averaged over ``k`` consecutive rows (10, 15, 30 and 60 minutes), each labelled
window snapped to the coarse rows that hold its bounds, and scored two ways:

- ``rows``: the defaults as row counts, as ``radar nab run`` did before;
- ``durations``: :func:`detectors.durations.at_step`, what it does now.

The last block mixes steps the way a real corpus does: the files, in name order, take 5,
30 and 60 minutes in turn, and are scored together with one threshold. Scores are NAB's with the
threshold swept on all files (in-sample) and chosen by leaving one category out (CV).
No setting is chosen here: ``at_step`` rescales every window, with no exceptions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from nab_data import NabCorpus, corpus_or_none

from detectors.durations import REFERENCE_STEP, at_step
from detectors.nab_cv import leave_one_group_out
from detectors.nab_scorer import NabFile, nab_score
from detectors.stream import nab_scores

PROFILES = ("standard", "reward_low_FP_rate")


def coarsen(corpus: NabCorpus, k: int) -> NabCorpus:
    """Each file averaged over ``k`` rows; windows snapped to the rows holding their bounds."""
    rows = corpus.matrix.shape[0] // k
    matrix = np.full((rows, len(corpus.names)), np.nan)
    stamps, windows = [], []
    for j, (ts, wins) in enumerate(zip(corpus.timestamps, corpus.windows, strict=True)):
        n = len(ts) // k
        matrix[:n, j] = corpus.matrix[: n * k, j].reshape(n, k).mean(axis=1)
        coarse = ts[: n * k : k]
        stamps.append(coarse)
        windows.append([(_snap(coarse, a), _snap(coarse, b)) for a, b in wins])
    return NabCorpus(corpus.names, corpus.groups, stamps, windows, matrix)


def _snap(stamps: np.ndarray, bound: str) -> str:
    i = int(np.searchsorted(stamps, np.datetime64(pd.Timestamp(bound)), side="right")) - 1
    return pd.Timestamp(stamps[min(max(i, 0), len(stamps) - 1)]).strftime("%Y-%m-%d %H:%M:%S.%f")


def scored(corpus: NabCorpus, k: int, rule: str) -> list[NabFile]:
    settings = at_step(REFERENCE_STEP * k) if rule == "durations" else at_step(REFERENCE_STEP)
    return corpus.files(lambda x: nab_scores(x, *settings))


def report(label: str, files: list[NabFile], groups: list[str]) -> None:
    cells = []
    for profile in PROFILES:
        whole = nab_score(files, profile)
        cv = leave_one_group_out({"one": files}, groups, profile)
        cells.append(
            f"{whole.normalized:5.1f} / {cv.cv:5.1f}  FP {whole.false_positives:3d} "
            f"found {whole.detected_windows}/{whole.windows} @ {whole.threshold:.3f}"
        )
    print(f"{label:<22} " + " | ".join(cells), flush=True)


def main() -> None:
    corpus = corpus_or_none()
    if corpus is None:
        return
    print(f"{'':<22} standard: in-sample / CV{'':<27} | low-FP: in-sample / CV")
    coarse = {k: coarsen(corpus, k) if k > 1 else corpus for k in (1, 2, 3, 6, 12)}
    for k, data in coarse.items():
        for rule in ("rows", "durations") if k > 1 else ("rows",):
            report(f"{5 * k:2d} min, {rule}", scored(data, k, rule), corpus.groups)
    steps = [(1, 6, 12)[i % 3] for i in range(len(corpus.names))]
    for rule in ("rows", "durations"):
        by_step = {k: scored(coarse[k], k, rule) for k in set(steps)}
        mixed = [by_step[k][j] for j, k in enumerate(steps)]
        report(f"mixed 5/30/60, {rule}", mixed, corpus.groups)


if __name__ == "__main__":
    main()

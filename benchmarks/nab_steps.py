"""The NAB detector on coarser and gappy data: rows against durations and time grids.

Run: ``.venv/bin/python benchmarks/nab_steps.py`` (data: ``$RADAR_DATA_DIR/nab``).

The subset we have is all five-minute data; NAB's other files include hourly and
half-hourly ones. To see what a setting written in five-minute rows does there, every
file is averaged over ``k`` consecutive rows (10, 15, 30 and 60 minutes), each labelled
window snapped to the coarse rows that hold its bounds, and scored two ways:

- ``rows``: the defaults as row counts, as ``radar nab run`` did before;
- ``durations``: :func:`detectors.durations.at_step`, what it does now.

The next block mixes steps the way a real corpus does: the files, in name order, take 5,
30 and 60 minutes in turn, and are scored together with one threshold. The last drops
runs of 1-12 rows at random (10 % and 30 % of each file, a feed with gaps) and scores the
rows in file order, as ``radar nab run`` did before, and on their time grid
(:func:`detectors.durations.time_slots`, NaN in the gaps), as it does now. Scores are
NAB's with the threshold swept on all files (in-sample) and chosen by leaving one
category out (CV).
No setting is chosen here: ``at_step`` rescales every window, with no exceptions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from nab_data import NabCorpus, corpus_or_none, on_time_grid

from detectors.durations import REFERENCE_STEP, at_step
from detectors.nab_cv import leave_one_group_out
from detectors.nab_scorer import NabFile, nab_score
from detectors.stream import nab_scores

PROFILES = ("standard", "reward_low_FP_rate")


def values(corpus: NabCorpus) -> list[np.ndarray]:
    """Each file's values in file order."""
    return [corpus.matrix[rows, j] for j, rows in enumerate(corpus.slots)]


def coarsen(corpus: NabCorpus, k: int) -> NabCorpus:
    """Each file averaged over ``k`` rows; windows snapped to the rows holding their bounds."""
    stamps, windows, coarse = [], [], []
    for ts, wins, v in zip(corpus.timestamps, corpus.windows, values(corpus), strict=True):
        n = len(ts) // k
        coarse.append(v[: n * k].reshape(n, k).mean(axis=1))
        stamps.append(ts[: n * k : k])
        windows.append([(_snap(stamps[-1], a), _snap(stamps[-1], b)) for a, b in wins])
    return on_time_grid(corpus.names, corpus.groups, stamps, windows, coarse)


def with_gaps(corpus: NabCorpus, share: float, *, grid: bool) -> NabCorpus:
    """Runs of 1-12 rows dropped at random until ``share`` of each file is gone."""
    rng = np.random.default_rng(7)
    stamps, windows, kept = [], [], []
    for ts, wins, v in zip(corpus.timestamps, corpus.windows, values(corpus), strict=True):
        keep = np.ones(len(ts), dtype=bool)
        while (~keep).mean() < share:
            start = rng.integers(0, len(ts))
            keep[start : start + rng.integers(1, 13)] = False
        stamps.append(ts[keep])
        kept.append(v[keep])
        windows.append([(_snap(stamps[-1], a), _snap(stamps[-1], b)) for a, b in wins])
    order = None if grid else [np.arange(len(ts)) for ts in stamps]
    return on_time_grid(corpus.names, corpus.groups, stamps, windows, kept, order)


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
    print(f"{label:<24} " + " | ".join(cells), flush=True)


def main() -> None:
    corpus = corpus_or_none()
    if corpus is None:
        return
    print(f"{'':<24} standard: in-sample / CV{'':<27} | low-FP: in-sample / CV")
    coarse = {k: coarsen(corpus, k) if k > 1 else corpus for k in (1, 2, 3, 6, 12)}
    for k, data in coarse.items():
        for rule in ("rows", "durations") if k > 1 else ("rows",):
            report(f"{5 * k:2d} min, {rule}", scored(data, k, rule), corpus.groups)
    steps = [(1, 6, 12)[i % 3] for i in range(len(corpus.names))]
    for rule in ("rows", "durations"):
        by_step = {k: scored(coarse[k], k, rule) for k in set(steps)}
        mixed = [by_step[k][j] for j, k in enumerate(steps)]
        report(f"mixed 5/30/60, {rule}", mixed, corpus.groups)
    for share in (0.1, 0.3):
        for grid in (False, True):
            data = with_gaps(corpus, share, grid=grid)
            label = f"{share:.0%} gaps, {'time grid' if grid else 'file order'}"
            report(label, scored(data, 1, "rows"), corpus.groups)


if __name__ == "__main__":
    main()

"""NAB score of the NAB default detector on the NAB subset, all three profiles.

Run: ``.venv/bin/python benchmarks/nab_score.py`` (data: ``$RADAR_DATA_DIR/nab``, default
``../shared/data/nab``). Same as ``radar nab run DATA OUT`` then
``radar nab score OUT --windows DATA/combined_windows.json``: one global configuration,
causal scoring, no labels until the scorer. The plain record-alarm scorer
(:func:`detectors.stream.alarm_scores`, the default before context novelty) is scored
alongside for comparison. Under each corpus table, the three profiles per data category
(standard / reward_low_FP / reward_low_FN), each category with its own threshold sweep.

``--sensitivity`` also scores the default with one novelty hyperparameter moved at a
time: the defaults came from a small grid on this same subset, so the neighbours show
how much of the score is the choice of setting.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from detectors.durations import at_step
from detectors.novelty import NoveltyParams
from detectors.stream import alarm_scores, nab_scores
from flows.workbench.nab import (
    default_scorer,
    read_windows,
    run_folder,
    score_folder,
)

HERE = Path(__file__).resolve().parent

NEIGHBOURS: dict[str, list[Any]] = {
    "bins": [6, 7, 9, 10, 12],
    "order": [1, 2, 4, 5],
    "min_periods": [200, 250, 350, 400],
    "min_z": [2.0, 4.0],
    "weight": [0.0, 0.5, 0.9, 1.0],
}


def run_cli_path(
    data: Path, scorer: Callable[[np.ndarray, np.timedelta64], np.ndarray], label: str
) -> None:
    windows = read_windows(data / "combined_windows.json")
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        results = run_folder(data, Path(out), scorer)
        elapsed = time.perf_counter() - t0
        rows = sum(len(r) for r in results.values())
        scores = score_folder(Path(out), windows)
        # Each category alone, with its own threshold sweep: where the score comes from.
        by_category = {
            cat: score_folder(Path(out), {k: v for k, v in windows.items() if k.startswith(cat)})
            for cat in sorted({k.split("/")[0] for k in windows})
        }
    print(f"\n{label}: {len(results)} files, {rows:,} rows scored and written in {elapsed:.1f} s")
    print(f"{'profile':<20} {'score':>6} {'threshold':>10} {'windows':>8} {'FP':>5}")
    for r in scores:
        print(
            f"{r.profile:<20} {r.normalized:6.1f} {r.threshold:10.4f} "
            f"{r.detected_windows:>3}/{r.windows:<4} {r.false_positives:5d}"
        )
    for cat, res in by_category.items():
        if res[0].windows == 0:
            continue  # no windows: its normalised score is undefined (reported as 0)
        print(f"  {cat:<22} " + " / ".join(f"{r.normalized:5.1f}" for r in res))


def sensitivity(data: Path) -> None:
    windows = read_windows(data / "combined_windows.json")

    def profiles(novelty: NoveltyParams) -> str:
        # The CLI's own path (time grid, durations), with one novelty setting changed.
        def scorer(matrix: np.ndarray, step: np.timedelta64) -> np.ndarray:
            return nab_scores(matrix, *at_step(step, novelty=novelty))

        with tempfile.TemporaryDirectory() as out:
            run_folder(data, Path(out), scorer)
            results = score_folder(Path(out), windows)
        return " / ".join(f"{r.normalized:5.1f}" for r in results)

    print("\nsensitivity (standard / reward_low_FP / reward_low_FN), one change at a time")
    print(f"{'default':<20} {profiles(NoveltyParams())}")
    for name, values in NEIGHBOURS.items():
        for v in values:
            print(f"{f'{name}={v}':<20} {profiles(replace(NoveltyParams(), **{name: v}))}")


def main() -> None:
    data = Path(os.environ.get("RADAR_DATA_DIR", HERE.parent.parent / "shared" / "data")) / "nab"
    if not data.is_dir():
        print(f"skip: no NAB data at {data}")
        return
    print(f"NAB default (nab_scores), novelty {NoveltyParams().as_dict()}")
    run_cli_path(data, default_scorer, "nab_scores (radar nab run default)")
    run_cli_path(
        data,
        lambda x, step: alarm_scores(x, at_step(step)[0]),
        "alarm_scores (record alarms only, previous default)",
    )
    if "--sensitivity" in sys.argv[1:]:
        sensitivity(data)


if __name__ == "__main__":
    main()

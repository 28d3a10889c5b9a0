"""NAB score of the default alarm scorer on the NAB subset, all three profiles.

Run: ``.venv/bin/python benchmarks/nab_score.py`` (data: ``$RADAR_DATA_DIR/nab``, default
``../shared/data/nab``). Same as ``radar nab run DATA OUT`` then
``radar nab score OUT --windows DATA/combined_windows.json``: one global configuration,
causal scoring, no labels until the scorer.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from flows.nab import read_windows, run_folder, score_folder

HERE = Path(__file__).resolve().parent


def main() -> None:
    data = Path(os.environ.get("RADAR_DATA_DIR", HERE.parent.parent / "shared" / "data")) / "nab"
    if not data.is_dir():
        print(f"skip: no NAB data at {data}")
        return
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        results = run_folder(data, Path(out))
        elapsed = time.perf_counter() - t0
        rows = sum(len(r) for r in results.values())
        scores = score_folder(Path(out), read_windows(data / "combined_windows.json"))
    print(f"{len(results)} files, {rows:,} rows scored in {elapsed:.1f} s")
    print(f"{'profile':<20} {'score':>6} {'threshold':>10} {'windows':>8} {'FP':>5}")
    for r in scores:
        print(
            f"{r.profile:<20} {r.normalized:6.1f} {r.threshold:10.4f} "
            f"{r.detected_windows:>3}/{r.windows:<4} {r.false_positives:5d}"
        )


if __name__ == "__main__":
    main()

"""Gate time on 1M records: the demo's incidents repeated with fresh ids.

Run: ``.venv/bin/python benchmarks/gate_speed.py [ROWS]``. Prints the time of each phase
(GX import, batch building, validation with and without Data Docs) and the functions
that dominate, from cProfile.
"""

from __future__ import annotations

import cProfile
import dataclasses
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from flows.config import load_config
from flows.gate_frames import build_batches
from flows.sources import load_records
from flows.suites import plan_for

ROOT = Path(__file__).resolve().parents[1]


def main(rows: int = 1_000_000) -> None:
    config = load_config(ROOT / "examples" / "demo.yaml")
    frame = load_records(config, config.sources[0])
    copies = -(-rows // len(frame.records))
    parts = []
    for k in range(copies):
        part = frame.records.copy()
        part["id"] = part["id"] + f"-{k}"
        parts.append(part)
    records = pd.concat(parts, ignore_index=True).head(rows)
    big = dataclasses.replace(frame, records=records)
    as_of = config.as_of
    assert as_of is not None
    print(f"records: {len(records):,} ({copies} copies of {len(frame.records):,})")

    started = time.perf_counter()
    import great_expectations  # noqa: F401

    print(f"import great_expectations: {time.perf_counter() - started:.2f} s")
    from flows.gate import run_gate

    plan = plan_for(config, config.sources[0])
    started = time.perf_counter()
    build_batches(big, plan, as_of)
    print(f"build batches (as-of view, profile, daily): {time.perf_counter() - started:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        for docs in (None, Path(tmp) / "docs"):
            started = time.perf_counter()
            result = run_gate([big], config, as_of, docs, Path(tmp) / "results")
            label = "with Data Docs" if docs else "without Data Docs"
            elapsed = time.perf_counter() - started
            print(f"run_gate {label}: {elapsed:.2f} s (success={result['uci_incidents'].success})")
        profiler = cProfile.Profile()
        profiler.enable()
        run_gate([big], config, as_of, None, None)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print("\ntop functions by own time (run_gate without docs):")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

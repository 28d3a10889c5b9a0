"""Gate time on 1M records: the demo's incidents repeated with fresh ids.

Run: ``.venv/bin/python benchmarks/gate_speed.py [ROWS]``. Prints the time of each phase
(GX import, batch building, GX's batch fingerprint, validation with and without Data
Docs) and the functions that dominate, from cProfile.
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

from flows.config.model import load_config
from flows.gate.frames import build_batches
from flows.gate.suites import plan_for
from flows.load.records import load_records

ROOT = Path(__file__).resolve().parents[1]


def _timed(label: str, started: tuple[float, float]) -> None:
    """Print wall and CPU seconds since ``started``; CPU is steadier on a shared machine."""
    wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
    print(f"{label:<52} {wall:6.2f} s wall {cpu:6.2f} s CPU")


def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def main(rows: int = 1_000_000) -> None:
    config = load_config(ROOT / "examples" / "demo.yaml")
    source = config.sources[0]
    frame = load_records(config, source)
    copies = -(-rows // len(frame.records))
    parts = []
    for k in range(copies):
        part = frame.records.copy()
        part["id"] = part["id"] + f"-{k}"
        parts.append(part)
    big = dataclasses.replace(frame, records=pd.concat(parts, ignore_index=True).head(rows))
    as_of = config.as_of
    assert as_of is not None
    print(f"records: {len(big.records):,} ({copies} copies of {len(frame.records):,})\n")

    started = _now()
    import great_expectations  # noqa: F401
    from great_expectations.execution_engine.pandas_execution_engine import (
        hash_pandas_dataframe,
    )

    _timed("import great_expectations (once per process)", started)
    from flows.gate.run import run_gate

    plan = plan_for(config, source)
    extract = source.extract.start if source.extract else None
    started = _now()
    batches = build_batches(big, plan, as_of, extract, source.calendar)
    _timed("build batches (as-of view, profile, daily)", started)
    started = _now()
    for batch in (batches.records, batches.profile, batches.daily):
        hash_pandas_dataframe(batch)
    _timed("  of run_gate: GX batch fingerprint (md5 of rows)", started)

    with tempfile.TemporaryDirectory() as tmp:
        for docs in (None, Path(tmp) / "docs"):
            started = _now()
            result = run_gate([big], config, as_of, docs, Path(tmp) / "results")
            label = "with Data Docs" if docs else "without Data Docs"
            _timed(f"run_gate {label} (success={result[source.name].success})", started)
        profiler = cProfile.Profile()
        profiler.enable()
        run_gate([big], config, as_of, None, None)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print("\ntop functions by own time (run_gate without docs, under cProfile):")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

"""Replay a config night by night without Prefect or the register, and time each stage.

Usage: python benchmarks/replay_speed.py CONFIG FROM TO [--list]

Runs the same pure stages as a scan (KPIs, calendar/edge exclusion, detection, breaks and
drill-down) and prints the seconds each took in all, the findings per night, and the
distinct fingerprints a register would hold afterwards (``--list`` prints them).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from datetime import date

import pandas as pd

from flows.config import load_config
from flows.pipeline import compute_kpi_series, detect, load_sources
from flows.select import select_findings


def main(path: str, first: str, last: str, show: bool) -> None:
    config = load_config(path)
    clock: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    frames = load_sources(config)
    clock["load"] = time.perf_counter() - t0
    seen: dict[tuple[str, str, str, str], tuple[str, float, str]] = {}
    for night in pd.date_range(first, last, freq="D"):
        as_of: date = night.date()
        t = time.perf_counter()
        kpis = compute_kpi_series(frames, config, as_of)
        clock["kpis"] += time.perf_counter() - t
        t = time.perf_counter()
        found = detect(kpis, config, as_of)
        clock["detect"] += time.perf_counter() - t
        t = time.perf_counter()
        chosen = select_findings(found, kpis, config, as_of)
        clock["select"] += time.perf_counter() - t
        for d in chosen:
            f = d.finding
            key = (f.kpi, str(sorted(f.dimensions.items())), f.kind, f.direction)
            drivers = "; ".join(f"{x['dimension']}={x['value']}" for x in d.drivers)
            seen.setdefault(key, (str(as_of), f.score, f"{f.start:%m-%d}..{f.end:%m-%d} {drivers}"))
    total = time.perf_counter() - t0
    print(
        f"{path}: {len(pd.date_range(first, last))} nights in {total:.1f} s "
        + ", ".join(f"{k} {v:.1f} s" for k, v in clock.items())
    )
    print(f"distinct fingerprints: {len(seen)}")
    if show:
        for key, (night, score, extra) in sorted(seen.items(), key=lambda kv: kv[1][0]):
            print(night, f"{score:.2f}", *key, extra)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], "--list" in sys.argv)

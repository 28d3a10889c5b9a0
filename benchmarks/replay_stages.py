"""Time a whole replay through the plain core, stage by stage, in CPU seconds.

Usage: ``python benchmarks/replay_stages.py CONFIG FROM TO [--no-plots]``

Runs :func:`flows.pipeline.run_night` for every night from FROM to TO, as ``radar scan
--from --to`` does without Prefect: the real GX gate, Data Docs and evidence plots (unless
``--no-plots``), and a fresh SQLite register in a temporary directory. Prints the CPU
seconds of each stage and the entries filed. CPU seconds are the figure to compare: wall
clocks on a shared machine swing with its load. The machine's own speed varies from day to
day, so the run also times a fixed pure-Python loop as a yardstick.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from flows.config import RadarSettings, load_config
from flows.pipeline import PLAIN, load_sources, run_night
from register_client import connect


def _timed(clock: dict[str, float], name: str, stage: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return stage(*args, **kwargs)
        finally:
            clock[name] += time.process_time() - started

    return run


def yardstick() -> float:
    """CPU seconds of ten million integer additions: how fast this machine is today."""
    started = time.process_time()
    total = 0
    for k in range(10_000_000):
        total += k
    return time.process_time() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", type=Path)
    ap.add_argument("first")
    ap.add_argument("last")
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args()
    config = load_config(args.config)
    clock: dict[str, float] = defaultdict(float)
    stages = dataclasses.replace(
        PLAIN,
        **{
            field.name: _timed(clock, field.name, getattr(PLAIN, field.name))
            for field in dataclasses.fields(PLAIN)
        },
    )
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    frames = load_sources(config)
    clock["load"] = time.process_time() - started_cpu
    nights = pd.date_range(args.first, args.last, freq="D")
    with tempfile.TemporaryDirectory() as home:
        settings = RadarSettings(home=Path(home), register_url=f"sqlite:///{home}/register.db")
        register = connect(settings.register_url)
        for night in nights:
            run_night(
                config,
                frames,
                register,
                night.date(),
                settings,
                stages=stages,
                plots=not args.no_plots,
            )
        entries = len(register.list())
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    print(f"{args.config.name}: {len(nights)} nights, {entries} entries")
    for name, seconds in sorted(clock.items(), key=lambda item: -item[1]):
        print(f"  {name:<20} {seconds:7.1f} s CPU")
    print(f"  {'in all':<20} {cpu:7.1f} s CPU ({wall:.0f} s wall)")
    print(f"  yardstick: 10^7 additions in {yardstick():.2f} s CPU")


if __name__ == "__main__":
    main()

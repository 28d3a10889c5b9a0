"""Synthetic one-row-per-incident logs for the scale benchmark.

Usage: python benchmarks/synth_incidents.py [--scale 1] [--out DIR]

One year (2025) of incidents, ``62,500 x scale`` of them, shaped like a ServiceNow export
after audit-log reduction: opened/resolved/closed dates, priority, assignment group,
category, location, SLA flag, reassignment and reopen counts. Groups, categories and
locations are Zipf-distributed and their number grows with the data (a desk ten times
larger has about ten times more teams), so the number of KPI series grows with it too.

A few dozen slices per 62,500 incidents get a real move in the last weeks (a spike, a
level shift, slower resolution or more reassignments), so a night has findings to drill
into and file, as a real desk does.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

BASE_INCIDENTS = 62_500
YEAR = 2025
#: Distinct values per dimension at scale 1; each grows linearly with the scale.
CARDINALITY = {"assignment_group": 60, "category": 40, "location": 80}
ZIPF_EXPONENT = 1.1
FORMAT = "%Y-%m-%d %H:%M:%S"


def _zipf(rng: np.random.Generator, k: int, size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, k + 1) ** ZIPF_EXPONENT
    return rng.choice(k, size=size, p=weights / weights.sum())


def synth_incidents(scale: int = 1, seed: int = 0) -> pd.DataFrame:
    """Return one year of synthetic incidents, one row each, as strings like a CSV export."""
    rng = np.random.default_rng(seed)
    n = BASE_INCIDENTS * scale
    days = pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31", freq="D")
    weekday = np.where(days.day_of_week >= 5, 0.35, 1.0)
    day = rng.choice(len(days), size=n, p=weekday / weekday.sum())
    dims = {
        name: _zipf(rng, k * scale, n) for name, k in CARDINALITY.items()
    }  # value codes, 0 = the busiest
    hours = rng.lognormal(mean=2.0, sigma=1.2, size=n)
    reassigned = rng.random(n) < 0.15
    # Moves in the last six weeks: slices picked at random among the mid-sized ones.
    late = day >= len(days) - 42
    shift_day = len(days) - rng.integers(3, 30, size=12 * scale)
    for i, start in enumerate(shift_day):
        dim = list(CARDINALITY)[i % 3]
        value = int(rng.integers(2, max(3, CARDINALITY[dim] * scale // 4)))
        hit = late & (dims[dim] == value) & (day >= start)
        kind = i % 4
        if kind == 0:  # a spike or level shift in volume: duplicate the slice's rows
            extra = np.flatnonzero(hit)
            day = np.concatenate([day, day[extra]])
            hours = np.concatenate([hours, hours[extra]])
            reassigned = np.concatenate([reassigned, reassigned[extra]])
            late = np.concatenate([late, late[extra]])
            dims = {k: np.concatenate([v, v[extra]]) for k, v in dims.items()}
        elif kind == 1:
            hours[hit] *= 4.0
        else:
            reassigned[hit] = rng.random(int(hit.sum())) < 0.7
    size = len(day)
    opened = days[day] + pd.to_timedelta(rng.integers(0, 86_400, size=size), unit="s")
    resolved = opened + pd.to_timedelta(hours * 3600, unit="s").round("s")
    closed = resolved + pd.to_timedelta(rng.integers(1, 5 * 86_400, size=size), unit="s")
    priority = rng.choice([1, 2, 3, 4], size=size, p=[0.03, 0.12, 0.6, 0.25])
    target = np.array([0, 4, 8, 24, 72])[priority]
    frame = pd.DataFrame(
        {
            "number": [f"INC{i:08d}" for i in range(size)],
            "opened_at": opened.strftime(FORMAT),
            "resolved_at": resolved.strftime(FORMAT),
            "closed_at": closed.strftime(FORMAT),
            "priority": [f"{p} - P{p}" for p in priority],
            "assignment_group": [f"Group {v}" for v in dims["assignment_group"]],
            "category": [f"Category {v}" for v in dims["category"]],
            "location": [f"Location {v}" for v in dims["location"]],
            "made_sla": np.where(hours <= target * 1.5, "true", "false"),
            "reassignment_count": np.where(reassigned, rng.integers(1, 4, size=size), 0),
            "reopen_count": (rng.random(size) < 0.02).astype(int),
        }
    )
    return frame.sort_values("opened_at", ignore_index=True)


def write(scale: int, out: Path, seed: int = 0) -> Path:
    """Write the ``scale`` log to ``out/incidents_<scale>x.csv`` (cached) and return its path."""
    path = out / f"incidents_{scale}x.csv"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        synth_incidents(scale, seed).to_csv(path.with_suffix(".tmp"), index=False)
        path.with_suffix(".tmp").rename(path)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(".radar/bench"))
    args = ap.parse_args()
    print(write(args.scale, args.out))

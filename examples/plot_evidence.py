"""Draw one small hindsight PNG per register entry: its baseline against its window.

Each entry's frozen evidence plot is kept in the register (``radar entries plot ID``);
these plots add what happened after, for the examples' README.

Usage: python examples/plot_evidence.py CONFIG REGISTER_URL OUT_DIR AS_OF

The KPI is recomputed as known at ``AS_OF`` (the replay's last night), so each plot also
shows whether the move held up after it was filed. Holidays and censored edges are blank,
as the detectors saw them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from flows.candidates import series_of
from flows.config import load_config
from flows.pipeline import compute_kpi_series, load_sources


def _entries(register: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [
            Path(sys.executable).parent / "radar",
            "entries",
            "list",
            "--register",
            register,
            "--format",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(out.stdout))


def _day(stamp: str) -> pd.Timestamp:
    """Return a stored time as a naive timestamp (the JSON keeps some with a UTC offset)."""
    day = pd.Timestamp(stamp)
    return day.tz_convert(None) if day.tzinfo is not None else day


def _plot(entry: dict[str, Any], kpis: pd.DataFrame, path: Path) -> None:
    series = series_of(kpis, entry["kpi"]["name"], entry["dimensions"]).set_index("period")
    start = _day(entry["window"]["start"])
    end = _day(entry["window"]["end"])
    base = entry["baseline"]
    b0 = _day(base["start"]) if base.get("start") else start
    b1 = _day(base["end"]) if base.get("end") else start
    shown = series.loc[b0 - pd.Timedelta(days=3) : end + pd.Timedelta(days=21), "value"]
    fig = Figure(figsize=(7.5, 2.6), dpi=72)
    ax = fig.add_subplot()
    ax.plot(shown.index, shown.to_numpy(), marker=".", lw=0.8, color="tab:blue")
    level = base.get("level", base.get("median"))
    if level is not None:  # an entry without a clean baseline says so and draws none
        ax.axvspan(b0, b1, color="0.85", label="baseline")
        stat = base.get("level_stat", "median")
        ax.hlines(level, b0, b1, colors="0.3", linestyles=":", label=f"baseline {stat}")
    ax.axvspan(start, end + pd.Timedelta(hours=20), color="tab:orange", alpha=0.3, label="window")
    current = entry["current"]
    if current.get("value") is not None and current.get("start"):
        c0 = _day(current["start"])
        c1 = _day(current["end"]) + pd.Timedelta(hours=20)
        ax.hlines(current["value"], c0, c1, colors="tab:red", label="level in window")
    ax.set_title(f"{entry['id']}: {entry['title']}", fontsize=9)
    ax.set_ylabel(entry["kpi"]["unit"], fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, loc="upper left", ncol=4)
    fig.tight_layout()
    fig.savefig(path)


def main(config_path: str, register: str, out_dir: str, as_of: str) -> None:
    """Plot every entry of ``register`` from ``config_path``'s KPIs as known at ``as_of``."""
    config = load_config(config_path)
    frames = load_sources(config)
    kpis = compute_kpi_series(frames, config, date.fromisoformat(as_of))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prefix = Path(config_path).stem
    for entry in _entries(register):
        _plot(entry, kpis, out / f"{prefix}-{entry['id']}.png")


if __name__ == "__main__":
    main(*sys.argv[1:5])

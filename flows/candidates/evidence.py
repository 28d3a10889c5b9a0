"""Evidence plots: one PNG per candidate (by fingerprint) and per followed-up entry (by id).

A plot shows the KPI series, the baseline band (p10-p90 and median over the frozen
baseline window), the detected window, the target line and, once an entry is accepted,
the acceptance date and its measurements coloured by verdict. It is what an owner opens
to check a finding or a verdict by eye.

Drawing uses matplotlib's object API with the Agg canvas, never ``pyplot``: no global
state, so plots are safe from worker threads and need no display.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from flows.candidates.build import series_of
from register_client import Candidate

__all__ = ["candidate_plot_path", "entry_plot_path", "plot_candidate", "save_evidence_plot"]

_VERDICT_COLOURS = {
    "target_met": "tab:green",
    "improving": "tab:olive",
    "no_change": "tab:gray",
    "regressed": "tab:red",
    "insufficient_data": "lightgray",
}


def candidate_plot_path(evidence_dir: Path, fingerprint: str) -> Path:
    """Return where a candidate's plot goes: by fingerprint, so re-detections refresh it."""
    return evidence_dir / f"{fingerprint}.png"


def entry_plot_path(evidence_dir: Path, entry_id: str) -> Path:
    """Return where an entry's follow-up plot goes."""
    return evidence_dir / f"{entry_id}.png"


def _x(value: Any) -> float:
    """Return a date as a matplotlib x value; aware dates are put in naive UTC like periods."""
    from matplotlib.dates import date2num

    stamp = pd.Timestamp(value)
    stamp = stamp.tz_convert(None) if stamp.tzinfo is not None else stamp
    return float(date2num(stamp.to_pydatetime()))  # type: ignore[no-untyped-call]


def save_evidence_plot(
    path: Path,
    series: pd.Series,
    *,
    title: str,
    unit: str,
    baseline: Mapping[str, Any],
    window: tuple[Any, Any] | None = None,
    target: float | None = None,
    accepted: date | None = None,
    measurements: Sequence[tuple[Any, float | None, str]] = (),
) -> Path:
    """Draw one KPI slice with its baseline, window, target and measurements; save a PNG.

    Parameters
    ----------
    path : pathlib.Path
        The PNG to write; its folder is created.
    series : pandas.Series
        KPI values indexed by period start.
    title, unit : str
        The plot's title and y-axis unit.
    baseline : mapping
        The baseline snapshot: ``start``, ``end``, ``median``, ``p10``, ``p90``.
    window : (start, end), optional
        The detected window, shaded.
    target : float, optional
        The target value, drawn as a dashed line.
    accepted : date, optional
        The day the entry was accepted (in data time), drawn as a vertical line.
    measurements : sequence of (at, value, verdict)
        Follow-up measurements, drawn as markers coloured by verdict.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> days = pd.date_range("2024-01-01", periods=35, freq="D")
    >>> kpi = pd.Series(range(35), index=days, dtype=float)
    >>> base = {"start": days[0], "end": days[27], "median": 13.5, "p10": 3.0, "p90": 24.0}
    >>> out = save_evidence_plot(Path(tempfile.mkdtemp()) / "x.png", kpi, title="t",
    ...                          unit="h", baseline=base, target=10.0)
    >>> out.stat().st_size > 0
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6))
    # Fixed margins: a layout engine would draw every figure twice (measured: a third of
    # the time), and replays redraw the same plots night after night.
    fig.subplots_adjust(left=0.07, right=0.99, top=0.92, bottom=0.18)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = [_x(t) for t in series.index]
    ax.plot(xs, series.to_numpy(), color="tab:blue", lw=1.2, marker=".", ms=3, label="KPI")
    b_start, b_end = baseline.get("start"), baseline.get("end")
    if b_start is not None and b_end is not None and baseline.get("median") is not None:
        low, high = baseline.get("p10"), baseline.get("p90")
        if low is not None and high is not None:
            ax.fill_between(
                [_x(b_start), _x(b_end)],
                low,
                high,
                color="tab:blue",
                alpha=0.12,
                label="baseline p10-p90",
            )
        ax.hlines(
            baseline["median"],
            _x(b_start),
            max(xs, default=_x(b_end)),
            colors="tab:blue",
            linestyles=":",
            lw=1,
            label="baseline median",
        )
    if window is not None:
        ax.axvspan(
            _x(window[0]) - 0.5,  # half a period either side: a one-day window still shows
            _x(window[1]) + 0.5,
            color="tab:orange",
            alpha=0.2,
            label="detected window",
        )
    if target is not None:
        ax.axhline(target, color="tab:green", ls="--", lw=1.2, label="target")
    if accepted is not None:
        ax.axvline(_x(accepted), color="black", lw=1, label="accepted")
    for verdict in dict.fromkeys(v for _, _, v in measurements):
        points = [
            (_x(at), value) for at, value, v in measurements if v == verdict and value is not None
        ]
        if points:
            at_x, at_y = zip(*points, strict=True)
            ax.scatter(
                at_x,
                at_y,
                s=28,
                zorder=3,
                color=_VERDICT_COLOURS.get(verdict, "black"),
                edgecolors="black",
                linewidths=0.4,
                label=verdict.replace("_", " "),
            )
    ax.xaxis_date()
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write aside, then rename: a reader or a concurrent scan never sees half a PNG, and a
    # killed scan leaves the previous plot whole.
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    fig.savefig(partial, format="png", dpi=90, pil_kwargs={"compress_level": 1})
    os.replace(partial, path)
    return path


def plot_candidate(candidate: Candidate, kpi_frame: pd.DataFrame, evidence_dir: Path) -> Candidate:
    """Save a candidate's evidence plot and return the candidate with ``evidence_plot`` set."""
    rows = series_of(kpi_frame, candidate.kpi.name, candidate.dimensions)
    series = rows.set_index("period")["value"]
    if candidate.baseline.start is not None:
        since = pd.Timestamp(candidate.baseline.start).tz_convert(None)
        series = series[series.index >= since - pd.Timedelta(days=7)]
    target = candidate.target.value if candidate.target else None
    path = save_evidence_plot(
        candidate_plot_path(evidence_dir, candidate.fingerprint),
        series,
        title=candidate.title,
        unit=candidate.kpi.unit,
        baseline=candidate.baseline.model_dump(),
        window=(candidate.window.start, candidate.window.end),
        target=target,
    )
    return candidate.model_copy(update={"evidence_plot": str(path)})

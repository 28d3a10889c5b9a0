"""Evidence plots: the frozen PNG of each entry (by entry id) and its follow-up plot.

A candidate's plot shows the KPI series, the baseline (p10-p90 over its window and the
level line it is compared against), the detected window, the event's level, the
prediction interval it left, and the target: the very numbers of its title and
description. The PNG's text chunks carry the title and those numbers (``radar:numbers``),
so anyone can check that plot and entry agree. The bytes travel with the candidate and
are stored in the register when the entry is created; :func:`write_filed_plots` then puts
them at ``evidence/CIR-NNNN.png``, never over an existing file.

Follow-up plots (``CIR-NNNN-followup.png``) are the living view: redrawn each night
with the acceptance date and the measurements coloured by verdict.

Drawing uses matplotlib's object API with the Agg canvas, never ``pyplot``: no global
state, so plots are safe from worker threads and need no display.
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from flows.candidates.build import series_of
from flows.candidates.docs_links import keep_docs_page
from register_client import Candidate, FileReport

__all__ = [
    "candidate_plot_path",
    "entry_plot_path",
    "followup_plot_path",
    "plot_candidate",
    "plot_numbers",
    "render_evidence_plot",
    "save_evidence_plot",
    "write_filed_plots",
]

_log = logging.getLogger(__name__)

_VERDICT_COLOURS = {
    "target_met": "tab:green",
    "improving": "tab:olive",
    "no_change": "tab:gray",
    "regressed": "tab:red",
    "insufficient_data": "lightgray",
}


def candidate_plot_path(evidence_dir: Path) -> str:
    """Return where a candidate's plot will go, ``{id}`` standing for its entry's id."""
    return str(evidence_dir / "{id}.png")


def entry_plot_path(evidence_dir: Path, entry_id: str) -> Path:
    """Return where an entry's frozen evidence plot goes: named by its id."""
    return evidence_dir / f"{entry_id}.png"


def followup_plot_path(evidence_dir: Path, entry_id: str) -> Path:
    """Return where an entry's follow-up plot goes (redrawn each night it is measured)."""
    return evidence_dir / f"{entry_id}-followup.png"


def _x(value: Any) -> float:
    """Return a date as a matplotlib x value; aware dates are put in naive UTC like periods."""
    from matplotlib.dates import date2num

    stamp = pd.Timestamp(value)
    stamp = stamp.tz_convert(None) if stamp.tzinfo is not None else stamp
    return float(date2num(stamp.to_pydatetime()))  # type: ignore[no-untyped-call]


def save_evidence_plot(path: Path, series: pd.Series, **drawing: Any) -> Path:
    """Draw one KPI slice (see :func:`render_evidence_plot`) and save the PNG at ``path``.

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
    _write_aside(path, render_evidence_plot(series, **drawing)).replace(path)
    return path


def _write_aside(path: Path, data: bytes) -> Path:
    """Write ``data`` next to ``path`` under a private name; the caller moves it in place.

    A reader or a concurrent scan never sees half a PNG, and a killed scan leaves only a
    stray ``.part`` file, never a truncated plot.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(data)
    return partial


def render_evidence_plot(
    series: pd.Series,
    *,
    title: str,
    unit: str,
    baseline: Mapping[str, Any],
    window: tuple[Any, Any] | None = None,
    target: float | None = None,
    accepted: date | None = None,
    measurements: Sequence[tuple[Any, float | None, str]] = (),
    current: Mapping[str, Any] | None = None,
    share: bool = False,
    numbers: Mapping[str, Any] | None = None,
) -> bytes:
    """Draw one KPI slice with its baseline, window, level, band, target and measurements.

    Parameters
    ----------
    series : pandas.Series
        KPI values indexed by period start.
    title, unit : str
        The plot's title and y-axis unit.
    baseline : mapping
        The baseline snapshot: ``start``, ``end``, ``p10``, ``p90`` and ``level`` (or
        ``median``), the line the event is compared against.
    window : (start, end), optional
        The detected window, shaded.
    target : float, optional
        The target value, drawn as a dashed line.
    accepted : date, optional
        The day the entry was accepted (in data time), drawn as a vertical line.
    measurements : sequence of (at, value, verdict)
        Follow-up measurements, drawn as markers coloured by verdict.
    current : mapping, optional
        The event's level (``value``) over ``start..end`` and its prediction ``band``.
    share : bool, default False
        Values are shares: the axis reads in percent.
    numbers : mapping, optional
        Kept in the PNG's ``radar:numbers`` text chunk, as JSON.

    Returns
    -------
    bytes
        The PNG.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    fig = Figure(figsize=(9, 3.6))
    # Fixed margins: a layout engine would draw every figure twice (measured: a third of
    # the time), and replays redraw the same plots night after night.
    fig.subplots_adjust(left=0.07, right=0.99, top=0.92, bottom=0.18)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = [_x(t) for t in series.index]
    ax.plot(xs, series.to_numpy(), color="tab:blue", lw=1.2, marker=".", ms=3, label="KPI")
    b_start, b_end = baseline.get("start"), baseline.get("end")
    level = baseline.get("level", baseline.get("median"))
    if b_start is not None and b_end is not None and level is not None:
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
            level,
            _x(b_start),
            max(xs, default=_x(b_end)),
            colors="tab:blue",
            linestyles=":",
            lw=1,
            label=f"baseline {baseline.get('level_stat', 'median')}",
        )
    if window is not None:
        ax.axvspan(
            _x(window[0]) - 0.5,  # half a period either side: a one-day window still shows
            _x(window[1]) + 0.5,
            color="tab:orange",
            alpha=0.2,
            label="detected window",
        )
    _draw_current(ax, current or {}, baseline)
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
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("%" if share else unit)
    if share:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    out = io.BytesIO()
    metadata = {"Title": title}
    if numbers is not None:
        metadata["radar:numbers"] = json.dumps(numbers, default=str, sort_keys=True)
    fig.savefig(out, format="png", dpi=90, metadata=metadata, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _draw_current(ax: Any, current: Mapping[str, Any], baseline: Mapping[str, Any]) -> None:
    """Draw the event's level over its periods and the prediction interval it left."""
    start, end, value = current.get("start"), current.get("end"), current.get("value")
    if start is None or end is None or value is None:
        return
    band = current.get("band")
    if band:
        level = current.get("band_level") or baseline.get("band_level") or 0.95
        ax.fill_between(
            [_x(start) - 0.5, _x(end) + 0.5],
            band[0],
            band[1],
            facecolor="none",
            edgecolor="tab:gray",
            hatch="///",
            lw=0.5,
            label=f"{level:.0%} interval if unchanged",
        )
    ax.hlines(
        value, _x(start) - 0.5, _x(end) + 0.5, colors="tab:red", lw=2, label="level in window"
    )


def plot_numbers(candidate: Candidate) -> dict[str, Any]:
    """Return the numbers a candidate's plot shows, as its JSON has them."""
    base = candidate.baseline.model_dump(mode="json")
    current = candidate.current.model_dump(mode="json")
    return {
        "title": candidate.title,
        "baseline": {k: base.get(k) for k in ("start", "end", "level", "p10", "p90")},
        "current": {k: current.get(k) for k in ("value", "start", "end", "band")},
        "window": candidate.window.model_dump(mode="json"),
        "target": None if candidate.target is None else candidate.target.value,
    }


def plot_candidate(candidate: Candidate, kpi_frame: pd.DataFrame, evidence_dir: Path) -> Candidate:
    """Draw a candidate's evidence plot; return the candidate carrying its PNG and path.

    The path holds ``{id}``: the plot is named by the entry id filing gives it. The gate's
    Data Docs page is kept alongside (:mod:`flows.candidates.docs_links`).
    """
    rows = series_of(kpi_frame, candidate.kpi.name, candidate.dimensions)
    series = rows.set_index("period")["value"]
    if candidate.baseline.start is not None:
        since = pd.Timestamp(candidate.baseline.start).tz_convert(None)
        series = series[series.index >= since - pd.Timedelta(days=7)]
    png = render_evidence_plot(
        series,
        title=candidate.title,
        unit=candidate.kpi.unit,
        baseline=candidate.baseline.model_dump(),
        window=(candidate.window.start, candidate.window.end),
        target=candidate.target.value if candidate.target else None,
        current=candidate.current.model_dump(),
        share=candidate.kpi.is_share,
        numbers=plot_numbers(candidate),
    )
    plotted = candidate.model_copy(
        update={"evidence_plot": candidate_plot_path(evidence_dir), "evidence_png": png}
    )
    return keep_docs_page(plotted)


def write_filed_plots(report: FileReport, candidates: Sequence[Candidate]) -> list[Path]:
    """Write the plots of the entries a filing created, by entry id; never overwrite.

    The register holds each plot too (``Register.evidence_png``), so a worker that did not
    draw a plot can still export it.
    """
    by_fingerprint: dict[str, Candidate] = {}
    for candidate in sorted(candidates, key=lambda c: c.evidence.at):  # the earliest is filed
        if candidate.evidence_png and candidate.evidence_plot:
            by_fingerprint.setdefault(candidate.fingerprint, candidate)
    written = []
    for outcome in report.created:
        found = by_fingerprint.get(outcome.fingerprint)
        if found is None or outcome.entry_id is None:
            continue
        path = Path(str(found.evidence_plot).replace("{id}", outcome.entry_id))
        partial = _write_aside(path, found.evidence_png or b"")
        try:
            os.link(partial, path)  # all or nothing, and never over an existing plot
        except FileExistsError:
            _log.warning("%s exists; %s's plot stays in the register only", path, outcome.entry_id)
            continue
        finally:
            partial.unlink()
        written.append(path)
    return written

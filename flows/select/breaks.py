"""Structural breaks: changes in how data is recorded, filed as such and not as performance.

Two breaks fool slice-level detectors:

- **renames**: a team (or service, or category) stops appearing while another appears in
  the same weeks with a like volume. Read naively, one team "improved" to zero and a new
  one "degraded" from zero. :func:`find_breaks` files one ``data_quality`` finding instead.
- **flag steps**: a rate's share jumps from nearly all to nearly none (or back), which is a
  changed process or field, not a team getting better or worse. It is filed as one
  ``process_change`` finding.

Both suppress the ordinary findings they explain (see :func:`explained`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from detectors import Finding
from flows.config.model import KpiSpec, ScanConfig
from flows.kpis.compute import ALL
from flows.select.drilldown import Drilled

__all__ = ["explained", "find_breaks"]

_GONE = 2  # periods without records before a value counts as vanished
_ACTIVE = 4  # periods of history a value needs before its vanishing means anything
_MIN_PER_PERIOD = 5.0
_HIGH, _LOW, _RUN = 0.9, 0.1, 3
_log = logging.getLogger(__name__)


def find_breaks(kpi_frame: pd.DataFrame, config: ScanConfig) -> list[Drilled]:
    """Return the renames and flag steps visible in the frame, as findings with drivers."""
    found: list[Drilled] = []
    seen: set[str] = set()
    for kpi in config.kpis:
        rows = kpi_frame[kpi_frame["kpi"] == kpi.name]
        if rows.empty:  # its source was blocked by the gate tonight
            continue
        for dim in kpi.dimensions:
            if dim not in seen and kpi.measure == "count" and dim in rows.columns:
                seen.add(dim)
                found += _renames(rows, kpi, dim)
        if kpi.is_share:
            found += _flag_step(rows, kpi)
    return found


def explained(finding: Finding, breaks: list[Drilled]) -> bool:
    """Whether a break explains an ordinary finding (same slice or same rate, same time)."""
    for brk in breaks:
        if finding.end < brk.finding.start - pd.Timedelta(weeks=_ACTIVE):
            continue
        if brk.finding.kind == "process_change" and finding.kpi == brk.finding.kpi:
            return True
        params = brk.finding.params
        names = set(params.get("vanished", [])) | set(params.get("appeared", []))
        if brk.finding.kind == "data_quality" and set(finding.dimensions.values()) & names:
            return True
    return False


def _renames(rows: pd.DataFrame, kpi: KpiSpec, dim: str) -> list[Drilled]:
    mine = rows[rows[dim] != ALL]
    counts = mine.pivot_table(index="period", columns=dim, values="n", aggfunc="sum").fillna(0)
    per_week = 7 if kpi.grain == "D" else 1  # weekends must not look like a vanished team
    gone_for, history = _GONE * per_week, _ACTIVE * per_week
    if len(counts) < history + gone_for:
        return []
    values = counts.to_numpy()
    # A trickle (a few late records under the old name) does not keep a value alive.
    active = values >= np.maximum(1.0, 0.05 * values.max(axis=0))
    last = len(counts) - 1 - np.argmax(active[::-1], axis=0)
    first = np.argmax(active, axis=0)
    level = np.array(
        [values[max(e - history + 1, 0) : e + 1, k].mean() for k, e in enumerate(last)]
    )
    after = np.array([values[b : b + history, k].mean() for k, b in enumerate(first)])
    minimum = _MIN_PER_PERIOD / per_week
    vanished = (last < len(counts) - gone_for) & (last - first >= history) & (level >= minimum)
    appeared = (first >= history) & (after >= minimum)
    out = []
    for start, stop in _clusters(
        sorted({int(last[k]) + 1 for k in np.flatnonzero(vanished)}), 2 * per_week
    ):
        olds = np.flatnonzero(vanished & (last + 1 >= start) & (last + 1 <= stop))
        news = np.flatnonzero(appeared & (first >= start - per_week) & (first <= stop + per_week))
        gone = start
        if len(olds) and len(news) and after[news].sum() >= 0.3 * level[olds].sum():
            out.append(_rename_finding(kpi, dim, counts, olds, news, gone, level, after))
    return out


def _clusters(gones: list[int], gap: int) -> list[tuple[int, int]]:
    """Group vanishing periods that lie within ``gap`` of each other (one re-coding)."""
    spans: list[tuple[int, int]] = []
    for gone in gones:
        if spans and gone - spans[-1][1] <= gap:
            spans[-1] = (spans[-1][0], gone)
        else:
            spans.append((gone, gone))
    return spans


def _rename_finding(
    kpi: KpiSpec,
    dim: str,
    counts: pd.DataFrame,
    olds: np.ndarray,
    news: np.ndarray,
    gone: int,
    level: np.ndarray,
    after: np.ndarray,
) -> Drilled:
    """One finding per break: a rename (one value for another) or a re-coding (many)."""
    names = [str(c) for c in counts.columns]
    periods = counts.index
    old_names, new_names = [names[k] for k in olds], [names[k] for k in news]
    single = len(olds) == 1 and len(news) == 1
    finding = Finding(
        kpi=kpi.name,
        dimensions={dim: old_names[0]} if single else {},
        kind="data_quality",
        direction="down",
        adverse=True,
        start=pd.Timestamp(periods[gone]),
        end=pd.Timestamp(periods[-1]),
        observed=float(after[news].sum()),
        expected=float(level[olds].sum()),
        band_low=0.0,
        band_high=float(level[olds].sum()),
        magnitude=-1.0,
        score=0.9,
        detector="structural_break",
        params={
            "rule": "rename" if single else "recode",
            "vanished": old_names,
            "appeared": new_names,
        },
        n=int(counts.iloc[gone:, news].to_numpy().sum()),
    )
    _log.info("%s: %d %s value(s) vanished as %d appeared", kpi.name, len(olds), dim, len(news))
    biggest = sorted(olds, key=lambda k: -level[k])[:5], sorted(news, key=lambda k: -after[k])[:5]
    drivers = [
        {
            "dimension": dim,
            "value": names[k],
            "role": "vanished",
            "last_seen": f"{periods[gone - 1]:%Y-%m-%d}",
            "baseline": round(float(level[k]), 2),
            "current": 0.0,
        }
        for k in biggest[0]
    ] + [
        {
            "dimension": dim,
            "value": names[k],
            "role": "appeared",
            "first_seen": f"{periods[int(first_k)]:%Y-%m-%d}",
            "baseline": 0.0,
            "current": round(float(after[k]), 2),
        }
        for k, first_k in ((k, np.argmax(counts.to_numpy()[:, k] > 0)) for k in biggest[1])
    ]
    return Drilled(finding, drivers)


def _flag_step(rows: pd.DataFrame, kpi: KpiSpec) -> list[Drilled]:
    total = rows
    for dim in kpi.dimensions:
        total = total[total[dim] == ALL]
    series = total.dropna(subset=["value"]).sort_values("period")
    if len(series) < 2 * _RUN:
        return []
    values = series["value"].to_numpy()
    recent, before = values[-_RUN:], values[:-_RUN][-8:]
    up = np.all(recent >= _HIGH) and np.median(before) <= _LOW
    down = np.all(recent <= _LOW) and np.median(before) >= _HIGH
    if not (up or down):
        return []
    start = pd.Timestamp(series["period"].iloc[-_RUN])
    old, new = float(np.median(before)), float(np.median(recent))
    finding = Finding(
        kpi=kpi.name,
        dimensions={},
        kind="process_change",
        direction="up" if up else "down",
        adverse=True,
        start=start,
        end=pd.Timestamp(series["period"].iloc[-1]),
        observed=new,
        expected=old,
        band_low=_LOW,
        band_high=_HIGH,
        magnitude=(new - old) / max(old, 1e-9),
        score=0.95,
        detector="structural_break",
        params={"rule": "flag_step"},
        n=int(series["n"].iloc[-_RUN:].sum()),
    )
    _log.info("%s: share stepped from %.0f%% to %.0f%%", kpi.name, 100 * old, 100 * new)
    return [
        Drilled(
            finding,
            [
                {
                    "dimension": "(all)",
                    "value": kpi.flag or kpi.name,
                    "baseline": round(old, 3),
                    "current": round(new, 3),
                }
            ],
        )
    ]

"""Censored edges: the periods an extract, or the scan date, leaves incomplete.

Three edges bias a KPI without anything having changed in the service:

- the scan date cuts the current week short, so its count looks like a dip;
- an extract's end: after it, records stop (an extract by open date), or the records of
  the last weeks are only those that closed in time (an extract by close date), which
  makes those weeks look quick and quiet;
- an extract's start: :mod:`flows.kpis.compute` starts the grid there, and a backlog needs a
  typical record lifetime to fill up with the records opened since.

:func:`censored_periods` names the periods of one KPI that an edge explains.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from flows.config.model import KpiSpec, SourceSpec

__all__ = ["censored_periods", "extract_end", "missing_share"]


def extract_end(records: pd.DataFrame, source: SourceSpec) -> pd.Timestamp | None:
    """Return the first instant after the extract: its end if configured, else its last day."""
    spec = source.extract
    if spec is None:
        return None
    last = spec.end or records[spec.column].max().date()
    return pd.Timestamp(last) + pd.Timedelta(days=1)


def missing_share(records: pd.DataFrame, opened: str, closed: str, end: pd.Timestamp) -> pd.Series:
    """Estimate, per record, the share of its peers missing because they closed after ``end``.

    A record opened at ``t`` is in a close-date extract only if it closed before ``end``;
    the survival of the observed open-to-close times at ``end - t`` estimates the share of
    records opened at ``t`` that did not. Observed times are themselves cut at the edge, so
    this is a lower bound, which is the safe side for leaving periods out.
    """
    spans = (records[closed] - records[opened]).dropna().to_numpy(dtype="timedelta64[s]")
    spans = np.sort(spans.astype("int64"))
    left = (end - records[opened]).to_numpy(dtype="timedelta64[s]").astype("int64")
    survive = 1.0 - np.searchsorted(spans, left, side="right") / max(len(spans), 1)
    return pd.Series(survive, index=records.index).where(records[opened].notna())


_SHARES: dict[tuple[int, str, str, str, pd.Timestamp], tuple[pd.DataFrame, pd.Series]] = {}


def _edge_shares(records: pd.DataFrame, kpi: KpiSpec, closed: str, end: pd.Timestamp) -> pd.Series:
    """Mean missing share per period near the edge; the same every night, so kept per replay."""
    key = (id(records), kpi.date, closed, kpi.grain, end)
    hit = _SHARES.get(key)
    if hit is not None and hit[0] is records:
        return hit[1]
    late = records[(records[kpi.date] >= end - pd.Timedelta(days=365)) & (records[kpi.date] < end)]
    share = missing_share(late, kpi.date, closed, end)
    freq = "W-SUN" if kpi.grain == "W" else "D"
    by_period = share.groupby(late[kpi.date].dt.to_period(freq).dt.start_time).mean()
    if len(_SHARES) >= 32:
        _SHARES.clear()
    _SHARES[key] = (records, by_period)
    return by_period


def censored_periods(
    records: pd.DataFrame,
    source: SourceSpec,
    kpi: KpiSpec,
    grid: pd.DatetimeIndex,
    as_of: date,
) -> dict[pd.Timestamp, str]:
    """Map the periods of ``grid`` that an edge explains to the reason, for one KPI."""
    step = pd.Timedelta(weeks=1) if kpi.grain == "W" else pd.Timedelta(days=1)
    scan_end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    out = {p: f"period incomplete on {as_of}" for p in grid if p + step > scan_end}
    end = extract_end(records, source)
    if end is None or source.extract is None:
        return out
    for period in grid[grid + step > end]:
        out.setdefault(period, f"after the extract's end {end - pd.Timedelta(days=1):%Y-%m-%d}")
    if kpi.measure == "backlog" and kpi.start and kpi.end:
        # Records opened before the extract are missing, so the backlog starts near zero and
        # fills up over a typical lifetime: that ramp is no degradation.
        start = pd.Timestamp(source.extract.start or records[kpi.start].min().date())
        warm = pd.Timedelta(str((records[kpi.end] - records[kpi.start]).quantile(0.95)))
        for period in grid[grid < start + warm]:
            out.setdefault(period, f"backlog warm-up after the extract's start {start:%Y-%m-%d}")
    if source.extract.column == kpi.date:
        return out
    by_period = _edge_shares(records, kpi, source.extract.column, end)
    limit = source.extract.max_missing_share
    for label, value in by_period[by_period > limit].items():
        stamp = pd.Timestamp(str(label))
        if stamp in grid:
            out.setdefault(
                stamp,
                f"extract edge: ~{value:.0%} of records opened then closed after "
                f"{end - pd.Timedelta(days=1):%Y-%m-%d} and are missing",
            )
    return out

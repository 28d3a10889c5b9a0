"""Compute KPI series from records: the KpiFrame hand-off.

A KpiFrame is long: ``kpi``, one column per dimension (``"*"`` = all values), ``period``,
``value`` and ``n`` (records behind the value). Every series is reindexed onto the full
period range of its source, so detectors see a regular grid; empty periods have ``n == 0``.

Scans are as-of a date: records opened later are invisible, and dates after it are not yet
known. A duration or rate value is only reported for periods where most records are
complete by then, since the quick ones finish first and would flatter the latest periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from flows.config.model import KpiSpec, ScanConfig
from flows.kpis.catalogue import KpiError, backlog_values, check_inputs, record_values
from flows.load.as_of import visible_records
from flows.load.records import RecordFrame

__all__ = ["ALL", "KPI_COLUMNS", "compute_kpis", "dimension_columns"]

ALL = "*"
KPI_COLUMNS = ("kpi", "period", "value", "n")
_FREQ = {"D": "D", "W": "W-SUN"}  # weeks run Monday to Sunday, labelled by their Monday
_PREPARED: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}


def dimension_columns(kpi_frame: pd.DataFrame) -> list[str]:
    """Return the dimension columns of a KpiFrame, in order."""
    return [c for c in kpi_frame.columns if c not in KPI_COLUMNS]


def compute_kpis(
    frames: Mapping[str, RecordFrame], config: ScanConfig, as_of: date
) -> pd.DataFrame:
    """Compute every configured KPI, overall and per dimension value, up to ``as_of``.

    Raises
    ------
    flows.kpi_catalogue.KpiError
        If a KPI's input column is empty or its grain does not fit the data.
    """
    dimensions = sorted({d for kpi in config.kpis for d in kpi.dimensions})
    parts = []
    visible: dict[tuple[str, str], pd.DataFrame] = {}
    for kpi in config.kpis:
        source = config.source(kpi.source)
        key = (kpi.source, kpi.date)
        check_inputs(frames[kpi.source].records, kpi, _FREQ[kpi.grain], as_of)
        if key not in visible:
            prepared = _prepared(frames[kpi.source], config)
            visible[key] = visible_records(prepared, source.dates, kpi.date, as_of)
        records = _where(visible[key], kpi)
        first = source.extract.start if source.extract else None
        parts.append(_one_kpi(records, kpi, dimensions, as_of, frames, first))
    if not parts:
        return pd.DataFrame(columns=["kpi", *dimensions, "period", "value", "n"])
    return pd.concat(parts, ignore_index=True)


def _prepared(frame: RecordFrame, config: ScanConfig) -> pd.DataFrame:
    """Return the frame's records with categorical dimensions, made once per loaded frame.

    A replay computes KPIs for every night over the same frames; grouping by categories
    instead of strings is what keeps each night well under a second.
    """
    hit = _PREPARED.get(id(frame.records))
    if hit is not None and hit[0] is frame.records:
        return hit[1]
    dims = {d for kpi in config.kpis if kpi.source == frame.source for d in kpi.dimensions}
    records = frame.records.astype({d: "category" for d in dims})
    if len(_PREPARED) >= 8:
        _PREPARED.clear()
    _PREPARED[id(frame.records)] = (frame.records, records)
    return records


def _where(records: pd.DataFrame, kpi: KpiSpec) -> pd.DataFrame:
    """Keep the records that pass the KPI's ``where`` filter (all of them without one)."""
    if not kpi.where:
        return records
    keep = np.ones(len(records), dtype=bool)
    for column, values in kpi.kept().items():
        keep &= records[column].isin(values).to_numpy()
    if not keep.any():
        raise KpiError(f"KPI {kpi.name!r}: where {kpi.where} matches no records")
    return records[keep]


def _one_kpi(
    records: pd.DataFrame,
    kpi: KpiSpec,
    dimensions: list[str],
    as_of: date,
    frames: Mapping[str, RecordFrame],
    first: date | None,
) -> pd.DataFrame:
    freq = _FREQ[kpi.grain]
    dated = records[records[kpi.date].notna()]
    start = dated[kpi.date].min().to_period(freq)
    if first is not None:
        # Before an extract's first day only long-lived records survive: not a baseline.
        start = max(start, pd.Timestamp(first).to_period(freq))
    grid = pd.period_range(start, pd.Timestamp(as_of).to_period(freq)).start_time
    slices: list[tuple[str | None, pd.Series]] = [(None, pd.Series(ALL, index=records.index))]
    for column in kpi.dimensions:
        sizes = dated[column].value_counts()
        tracked = sizes.index[sizes >= kpi.min_slice_records]
        slices.append((column, records[column].where(records[column].isin(tracked))))
    if kpi.measure != "backlog":
        values, complete = record_values(dated, kpi, frames)
        base = pd.DataFrame(
            {
                "period": dated[kpi.date].dt.to_period(freq).dt.start_time,
                "value": values,
                "complete": complete,
            }
        )
    out = []
    for dim, labels in slices:
        if kpi.measure == "backlog":
            series = backlog_values(records, kpi, labels.astype("object").fillna(""), freq, as_of)
            series = series[series["slice"] != ""].assign(n=lambda f: f["value"].astype("int64"))
        else:
            part = base.assign(slice=labels.loc[dated.index]).dropna(subset=["slice"])
            series = _aggregate(part, ["slice", "period"], kpi).reset_index()
            series["slice"] = series["slice"].astype("object")
        out.append(_complete_grid(series, grid, kpi, dim, dimensions))
    return pd.concat(out, ignore_index=True)


def _aggregate(part: pd.DataFrame, keys: list[str], kpi: KpiSpec) -> pd.DataFrame:
    grouped = part.groupby(keys, sort=True)
    n = grouped.size()
    if kpi.measure == "count":
        return pd.DataFrame({"value": n.astype("float64"), "n": n})
    if kpi.stat == "p90" and kpi.measure == "duration":
        value = grouped["value"].quantile(0.9)
    else:
        value = grouped["value"].agg(kpi.stat if kpi.measure == "duration" else "mean")
    share = grouped["complete"].mean()
    reliable = (n >= kpi.min_records) & (share >= kpi.min_complete_share)
    return pd.DataFrame({"value": value.where(reliable), "n": n})


def _complete_grid(
    series: pd.DataFrame,
    grid: pd.DatetimeIndex,
    kpi: KpiSpec,
    dim: str | None,
    dimensions: list[str],
) -> pd.DataFrame:
    """Reindex each slice onto the full grid: missing counts are 0, other values unknown.

    Returns the KpiFrame rows of the slices of ``dim`` (``None``: the total). Positions are
    computed with integer codes (slice x period) rather than a MultiIndex reindex, and the
    frame is built once from its columns: both dominated a night's KPI time.
    """
    codes, slices = pd.factorize(series["slice"], sort=False)
    at = grid.get_indexer(pd.Index(series["period"]))
    on_grid = at >= 0
    cell = codes[on_grid] * len(grid) + at[on_grid]
    value = np.full(len(slices) * len(grid), np.nan)
    value[cell] = series["value"].to_numpy(dtype="float64", na_value=np.nan)[on_grid]
    n = np.zeros(len(value), dtype="int64")
    n[cell] = series["n"].fillna(0).to_numpy(dtype="int64")[on_grid]
    if kpi.measure in ("count", "backlog"):
        value[np.isnan(value)] = 0.0
    value[np.isinf(value)] = np.nan
    labels = np.repeat(np.asarray(slices, dtype=object), len(grid))
    return pd.DataFrame(
        {
            "kpi": kpi.name,
            **{other: labels if other == dim else ALL for other in dimensions},
            "period": np.tile(grid.to_numpy(), len(slices)),
            "value": value,
            "n": n,
        },
        index=pd.RangeIndex(len(value)),
    )

"""Labelled events: what really happened on which KPI slice, to score detectors against.

An event names a KPI, a slice (dimension values; empty = the KPI's total), an inclusive
window of days and a kind (``spike``, ``dip``, ``level_shift``, ``degradation``, ``trend``,
...). Files hold a list of them, as YAML or CSV::

    events:                                   # YAML
      - kpi: backlog_open
        slice: {assignment_group: Group 39}
        window: [2016-04-24, 2016-05-07]
        kind: level_shift
        note: open incidents at day end went from a median of 27 to 60-78

    kpi,slice,start,end,kind,note             # CSV: slice as name=value;name=value
    backlog_open,assignment_group=Group 39,2016-04-24,2016-05-07,level_shift,...

This module parses what a file reader already read (no I/O here: see
``flows.workbench.labels`` for the files), and turns events into the per-row labels ``y``
that scikit-learn's ``GridSearchCV`` and ``cross_validate`` pass to a scorer.

Examples
--------
>>> events = parse_events([{"kpi": "opened", "window": ["2016-04-28", "2016-04-29"],
...                         "kind": "spike"}])
>>> events[0].start, events[0].slice
(Timestamp('2016-04-28 00:00:00'), {})
>>> event_rows(pd.date_range("2016-04-27", periods=4), events, "opened").tolist()
[False, True, True, False]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["KINDS", "LabelError", "LabelledEvent", "event_rows", "parse_events", "slice_key"]

#: The kinds a label may carry: the change kinds of a finding, plus the standing gaps.
KINDS = ("spike", "dip", "level_shift", "degradation", "trend", "hotspot", "target_gap")
_FIELDS = {"kpi", "slice", "window", "start", "end", "kind", "note"}


class LabelError(ValueError):
    """A labelled event is malformed; the message names the event (1-based) and the field."""


@dataclass(frozen=True)
class LabelledEvent:
    """One known event: a KPI slice, an inclusive window of days, and its kind."""

    kpi: str
    start: pd.Timestamp
    end: pd.Timestamp
    kind: str
    slice: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def matches(self, kpi: str, dimensions: Mapping[str, str]) -> bool:
        """Return whether a detection on ``kpi`` and ``dimensions`` is on this event's slice.

        Dimensions valued ``"*"`` (all values) are the same as absent ones.
        """
        return kpi == self.kpi and slice_key(dimensions) == slice_key(self.slice)

    def to_json(self) -> dict[str, Any]:
        """Return the event as plain data, in the YAML file's shape."""
        return {
            "kpi": self.kpi,
            "slice": dict(self.slice),
            "window": [self.start.date().isoformat(), self.end.date().isoformat()],
            "kind": self.kind,
            "note": self.note,
        }


def slice_key(dimensions: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Return a slice as a sorted tuple, leaving out ``"*"`` (all values)."""
    return tuple(sorted((str(k), str(v)) for k, v in dimensions.items() if v != "*"))


def parse_events(rows: Iterable[Mapping[str, Any]]) -> list[LabelledEvent]:
    """Validate raw events (YAML mappings or CSV rows) into :class:`LabelledEvent` objects.

    A row gives its window as ``window: [start, end]`` or as ``start`` and ``end``; a CSV
    ``slice`` is a ``name=value;name=value`` string.

    Raises
    ------
    LabelError
        Naming the event's position, the field and the value received.
    """
    return [_event(i, row) for i, row in enumerate(rows, start=1)]


def _event(i: int, row: Mapping[str, Any]) -> LabelledEvent:
    where = f"event {i}"
    if not isinstance(row, Mapping):
        raise LabelError(f"{where}: expected a mapping with kpi, window and kind, got {row!r}")
    unknown = sorted(set(map(str, row)) - _FIELDS)
    if unknown:
        raise LabelError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}")
    kpi = row.get("kpi")
    if not isinstance(kpi, str) or not kpi:
        raise LabelError(f"{where}: kpi must be a KPI name, got {kpi!r}")
    kind = row.get("kind")
    if kind not in KINDS:
        raise LabelError(f"{where} ({kpi}): kind must be one of {list(KINDS)}, got {kind!r}")
    window = row.get("window")
    if window is None:
        window = [row.get("start"), row.get("end")]
    if not isinstance(window, Sequence) or isinstance(window, str) or len(window) != 2:
        raise LabelError(f"{where} ({kpi}): window must be [start, end], got {window!r}")
    start, end = (_day(where, kpi, value) for value in window)
    if start > end:
        raise LabelError(f"{where} ({kpi}): window starts {start.date()} after {end.date()}")
    note = row.get("note")
    return LabelledEvent(
        kpi=kpi,
        start=start,
        end=end,
        kind=str(kind),
        slice=_slice(where, kpi, row.get("slice")),
        note="" if note is None or note != note else str(note),  # CSV blanks are NaN
    )


def _day(where: str, kpi: str, value: Any) -> pd.Timestamp:
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError):
        day = None
    if day is None or pd.isna(day):
        raise LabelError(f"{where} ({kpi}): window bound must be a date, got {value!r}")
    return pd.Timestamp(day.date())


def _slice(where: str, kpi: str, value: Any) -> dict[str, str]:
    if value is None or value != value or value == "" or value == "*":  # absent, NaN, blank
        return {}
    if isinstance(value, str):
        pairs = [part.split("=", 1) for part in value.split(";") if part.strip()]
        if any(len(p) != 2 for p in pairs):
            raise LabelError(f"{where} ({kpi}): slice must be name=value;..., got {value!r}")
        value = {k.strip(): v.strip() for k, v in pairs}
    if not isinstance(value, Mapping):
        raise LabelError(f"{where} ({kpi}): slice must map dimension to value, got {value!r}")
    return {str(k): str(v) for k, v in value.items() if v != "*"}


def event_rows(
    periods: Sequence[Any] | pd.Index,
    events: Iterable[LabelledEvent],
    kpi: str,
    dimensions: Mapping[str, str] | None = None,
) -> NDArray[np.bool_]:
    """Return, per period, whether a labelled event of this KPI slice covers it.

    This is the ``y`` a scorer receives from ``GridSearchCV`` when ``X`` is the slice's
    series, one row per period. A weekly period covers an event that touches its week.
    """
    index = pd.DatetimeIndex(np.asarray(periods, dtype="datetime64[ns]"))
    step = index[1:] - index[:-1]
    last = (step.min() if len(step) else pd.Timedelta(days=1)) - pd.Timedelta(days=1)
    ends = index + last
    y = np.zeros(len(index), dtype=bool)
    for event in events:
        if event.matches(kpi, dimensions or {}):
            y |= np.asarray((index <= event.end) & (ends >= event.start))
    return y

"""Group flagged rows into events: fire once per event, with a suppression window.

Flags that lie within ``suppress`` rows of each other in the same series form one event,
so a noisy episode produces one finding, and a new finding needs ``suppress`` quiet rows
first. The grouping is a handful of vectorised numpy operations over all series at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors._rolling import FloatArray, IntArray

__all__ = [
    "Events",
    "event_mean",
    "event_sum",
    "find_events",
    "refractory",
    "row_max",
]


@dataclass(frozen=True)
class Events:
    """Events as parallel arrays, sorted by (series, start).

    ``rows`` and ``row_series`` list every flagged row, grouped by event; ``offsets`` marks
    where each event's rows begin, so any per-row statistic reduces per event with
    ``np.add.reduceat(x[rows, row_series], offsets)``.
    """

    series: IntArray
    start: IntArray
    end: IntArray
    offsets: IntArray
    rows: IntArray
    row_series: IntArray

    def __len__(self) -> int:
        return len(self.series)


def find_events(flags: NDArray[np.bool_], suppress: int = 0) -> Events:
    """Find events in a (T, S) boolean matrix.

    Parameters
    ----------
    flags : ndarray of bool, shape (T, S)
        True where a row is anomalous.
    suppress : int
        Flags separated by at most this many unflagged rows join one event.

    Examples
    --------
    >>> f = np.array([[0, 0], [1, 0], [0, 1], [1, 0], [0, 0], [0, 0], [1, 0]], dtype=bool)
    >>> ev = find_events(f, suppress=1)
    >>> ev.series.tolist(), ev.start.tolist(), ev.end.tolist()
    ([0, 0, 1], [1, 6, 2], [3, 6, 2])
    """
    if suppress < 0:
        raise ValueError(f"suppress must be >= 0, got {suppress}")
    s_idx, t_idx = np.nonzero(flags.T)
    new = np.ones(len(s_idx), dtype=bool)
    new[1:] = (s_idx[1:] != s_idx[:-1]) | (t_idx[1:] - t_idx[:-1] > suppress + 1)
    last = np.ones(len(s_idx), dtype=bool)
    last[:-1] = new[1:]
    return Events(
        series=s_idx[new],
        start=t_idx[new],
        end=t_idx[last],
        offsets=np.flatnonzero(new),
        rows=t_idx,
        row_series=s_idx,
    )


def event_sum(values: FloatArray, ev: Events) -> FloatArray:
    """Per-event sum of a (T, S) matrix over the event's flagged rows, ignoring NaN."""
    if len(ev) == 0:
        return np.empty(0)
    out: FloatArray = np.add.reduceat(np.nan_to_num(values[ev.rows, ev.row_series]), ev.offsets)
    return out


def event_mean(values: FloatArray, ev: Events) -> FloatArray:
    """Per-event mean of a (T, S) matrix over the event's flagged, non-NaN rows."""
    if len(ev) == 0:
        return np.empty(0)
    valid = (~np.isnan(values)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = event_sum(values, ev) / event_sum(valid, ev)
    return out


def row_max(per_row: FloatArray, ev: Events) -> FloatArray:
    """Per-event maximum of values already taken at the events' rows, in ``ev.rows`` order.

    For a statistic that is costly over a whole matrix but needed only where events are
    (a score, say): compute it on ``x[ev.rows, ev.row_series]`` and reduce it here.
    """
    if len(ev) == 0:
        return np.empty(0)
    out: FloatArray = np.maximum.reduceat(per_row, ev.offsets)
    return out


def refractory(flags: NDArray[np.bool_], period: int) -> NDArray[np.bool_]:
    """Keep a flag only if no kept flag of the same series lies within ``period`` rows before.

    Unlike :func:`find_events` (which merges an ongoing episode into one event), this
    re-arms after ``period`` rows even when the episode continues: a long incident raises
    one alarm per ``period``. The loop runs over flagged rows, never over series or periods.

    Examples
    --------
    >>> f = np.array([[1], [1], [1], [1], [1], [0], [1]], dtype=bool)
    >>> refractory(f, period=2)[:, 0].astype(int).tolist()
    [1, 0, 0, 1, 0, 0, 1]
    """
    if period < 0:
        raise ValueError(f"period must be >= 0, got {period}")
    out = np.zeros_like(flags)
    s_idx, t_idx = np.nonzero(flags.T)
    last_s, last_t = -1, 0
    for s, t in zip(s_idx.tolist(), t_idx.tolist(), strict=True):
        if s != last_s or t - last_t > period:
            out[t, s] = True
            last_s, last_t = s, t
    return out

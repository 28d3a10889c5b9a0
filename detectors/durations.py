"""The NAB detector's windows as durations: one setting for data at any sampling step.

The defaults of :func:`detectors.stream.nab_scores` count rows of NAB's five-minute data:
``season`` = 288 rows is a day, ``long`` = 8,640 rows is 30 days, ``refractory`` = 200
rows is about 17 hours. Counted in rows, the same setting means something else on hourly
data (a 12-day "day", a 360-day history), and its scores land on another scale, so a
corpus of mixed steps has no good common threshold. :func:`at_step` keeps each window's
duration instead: ``rows * REFERENCE_STEP / step``, and the scale's smoothing weight
``alpha`` keeps its memory the same way. On five-minute data nothing changes.
:func:`time_slots` does the same for a feed's gaps: each row gets its slot on a grid of
the step, so a window of rows is a window of time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from detectors._rolling import FloatArray, IntArray
from detectors.likelihood import LikelihoodParams
from detectors.novelty import NoveltyParams
from detectors.stream import AlarmParams

__all__ = ["REFERENCE_STEP", "at_step", "grid_matrix", "sampling_step", "time_slots"]

#: The sampling step the row-counted defaults were written for: NAB's five minutes.
REFERENCE_STEP = np.timedelta64(300, "s")
#: A time grid may hold at most this many slots per reading (else the file order is used).
_MAX_SLOTS_PER_ROW = 20


def sampling_step(timestamps: np.ndarray) -> np.timedelta64:
    """Return the median gap between timestamps (``REFERENCE_STEP`` if there is none).

    Examples
    --------
    >>> ts = np.array(["2014-01-01T00:00", "2014-01-01T01:00", "2014-01-01T03:00"],
    ...               dtype="datetime64[s]")
    >>> sampling_step(ts)
    np.timedelta64(5400000,'ms')
    """
    gaps = np.abs(np.diff(np.asarray(timestamps, dtype="datetime64[ms]")).astype(np.int64))
    gaps = gaps[gaps > 0]  # repeated timestamps are rows of one instant, not a step
    if gaps.size == 0:
        return REFERENCE_STEP
    return np.timedelta64(max(1, round(float(np.median(gaps)))), "ms")


def at_step(
    step: np.timedelta64,
    params: AlarmParams | None = None,
    novelty: NoveltyParams | None = None,
    likelihood: LikelihoodParams | None = None,
) -> tuple[AlarmParams, NoveltyParams, LikelihoodParams]:
    """Rescale every window of the settings (defaults if omitted) to keep its duration at ``step``.

    Row counts become ``max(1, round(rows / k))`` with ``k = step / REFERENCE_STEP``, and
    ``alpha`` becomes ``1 - (1 - alpha) ** k``, for steps more than 5 % above the
    reference; shorter steps keep every value. Counts of other things (``n_seasons``, the
    novelty ``bins`` and context ``order``) and the thresholds stay as they are.

    Examples
    --------
    >>> alarm, novelty, likelihood = at_step(np.timedelta64(1, "h"))
    >>> alarm.season, alarm.refractory, likelihood.long, novelty.min_periods
    (24, 17, 720, 25)
    >>> at_step(REFERENCE_STEP)[0] == AlarmParams()
    True
    """
    alarm, novel, lik = (
        params or AlarmParams(),
        novelty or NoveltyParams(),
        likelihood or LikelihoodParams(),
    )
    k = float(step / REFERENCE_STEP)
    # Within 5 % of the reference (a jittered five-minute feed) every value stays to the
    # bit. Finer data keeps the row counts too: as durations its windows would grow past
    # what the lagged medians can hold (a day of one-second rows is 86,400 lags).
    if k < 1.05:
        return alarm, novel, lik

    def rows(n: int) -> int:
        return max(1, round(n / k))

    return (
        replace(
            alarm,
            window=rows(alarm.window),
            season=rows(alarm.season),
            record_window=rows(alarm.record_window),
            refractory=rows(alarm.refractory),
            alpha=1.0 - (1.0 - alarm.alpha) ** k,
        ),
        replace(novel, min_periods=rows(novel.min_periods)),
        replace(
            lik,
            short=rows(lik.short),
            long=rows(lik.long),
            min_periods=rows(lik.min_periods),
        ),
    )


def time_slots(timestamps: np.ndarray, step: np.timedelta64) -> IntArray:
    """Each row's slot on a grid of ``step`` from the first timestamp, one slot per row.

    Scored on this grid, with NaN in the slots no row fills, a window of rows is a window
    of time across a feed's gaps, and "the same time yesterday" is a day back. Rows closer
    than a step (or repeated, or out of order) take the next free slot, so every row keeps
    its own slot in file order. A grid more than 20 slots a row (a feed silent for months)
    falls back to the file order.

    Examples
    --------
    >>> ts = np.array(["2014-01-01T00:00", "2014-01-01T00:05", "2014-01-01T00:20",
    ...                "2014-01-01T00:20", "2014-01-01T00:26"], dtype="datetime64[s]")
    >>> time_slots(ts, np.timedelta64(5, "m")).tolist()
    [0, 1, 4, 5, 6]
    """
    t = np.asarray(timestamps, dtype="datetime64[ms]").astype(np.int64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    nearest = np.rint((t - t[0]) / (step / np.timedelta64(1, "ms"))).astype(np.int64)
    order = np.arange(t.size)
    # slot_i = max(nearest_i, slot_{i-1} + 1), unrolled: a running max of nearest_i - i.
    slots: IntArray = np.maximum.accumulate(nearest - order) + order
    if slots[-1] + 1 > _MAX_SLOTS_PER_ROW * t.size:
        return order
    return slots


def grid_matrix(slots: Sequence[IntArray], values: Sequence[FloatArray]) -> FloatArray:
    """One (time slots x files) matrix: each file's values at its slots, NaN elsewhere.

    Examples
    --------
    >>> grid_matrix([np.array([0, 2]), np.array([0])], [np.array([1.0, 3.0]), np.array([5.0])])
    array([[ 1.,  5.],
           [nan, nan],
           [ 3., nan]])
    """
    rows = max((int(s.max(initial=-1)) + 1 for s in slots), default=0)
    out = np.full((rows, len(slots)), np.nan)
    for j, (at, v) in enumerate(zip(slots, values, strict=True)):
        out[at, j] = v
    return out

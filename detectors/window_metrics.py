"""Precision and recall of alarms against labelled windows.

A complement to the NAB score for the labelled windows of our own data (backtests, tuned
configs): an alarm inside any window is a true alarm, a window with at least one alarm is
found. Positions are row numbers (or any sortable values, e.g. periods), windows are
inclusive ``(start, end)`` pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["WindowScore", "window_precision_recall"]


@dataclass(frozen=True)
class WindowScore:
    """Alarm precision, window recall and their harmonic mean (0 when undefined)."""

    precision: float
    recall: float
    f1: float
    alarms: int
    windows: int


def window_precision_recall(alarms: ArrayLike, windows: Sequence[tuple[Any, Any]]) -> WindowScore:
    """Score alarm positions against inclusive windows.

    Examples
    --------
    >>> s = window_precision_recall([5, 12, 40], [(10, 20), (30, 35)])
    >>> s.precision, s.recall
    (0.3333333333333333, 0.5)
    >>> window_precision_recall([], []).f1
    0.0
    """
    at = np.sort(np.asarray(alarms).ravel())
    if not windows:
        return WindowScore(0.0, 0.0, 0.0, len(at), 0)
    lo = np.array([w[0] for w in windows])
    hi = np.array([w[1] for w in windows])
    if (lo > hi).any():
        raise ValueError("every window needs start <= end")
    # Alarms inside window k are those between its two bounds: two binary searches.
    first = np.searchsorted(at, lo, side="left")
    last = np.searchsorted(at, hi, side="right")
    found = last > first
    inside = np.zeros(len(at) + 1, dtype=np.int64)
    np.add.at(inside, first, 1)
    np.add.at(inside, last, -1)
    true_alarms = int(np.sum(np.cumsum(inside)[: len(at)] > 0))
    precision = true_alarms / len(at) if len(at) else 0.0
    recall = float(found.mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return WindowScore(precision, recall, f1, len(at), len(windows))

"""Scores against labelled events: scikit-learn scorers, and precision/recall of detections.

Two levels, one set of rules:

- **Rows** (``GridSearchCV``, ``cross_validate``). ``X`` is a series, one row per period,
  and ``y`` marks the rows inside labelled events (:func:`detectors.labels.event_rows`).
  An alarm is a row the fitted estimator predicts as an outlier (``predict == -1``), at the
  estimator's own threshold: the scorer never picks a threshold on the data it scores.
  :func:`make_nab_scorer` weighs alarms the NAB way (:mod:`detectors.nab_scorer`: early in a
  window is worth most, a false alarm costs ``A_fp``); :func:`make_window_scorer` gives window
  precision, recall or F1 (:mod:`detectors.window_metrics`) with a detection delay.
- **Detections** (backtests): :func:`score_events` matches findings or register entries
  (KPI, slice, window, and when they were raised) to :class:`~detectors.labels.LabelledEvent`.

Precision counts a detection as true when it overlaps an event of its KPI slice; recall
counts an event as found when a detection was raised at most ``max_delay`` periods (rows,
or days for detections) after the event started. A perfect detector scores 100 on NAB and
1 on the others; one that never fires scores 0.

Examples
--------
>>> import numpy as np
>>> class Oracle:  # alarms exactly where y starts a window
...     def predict(self, X):
...         return np.where(np.asarray(X)[:, 0] > 0, -1, 1)
>>> y = np.zeros(100, dtype=bool); y[40:50] = True
>>> X = np.zeros((100, 1)); X[40] = 1.0
>>> make_nab_scorer()(Oracle(), X, y), make_window_scorer("f1")(Oracle(), X, y)
(100.0, 1.0)
>>> make_nab_scorer()(Oracle(), np.zeros((100, 1)), y)
0.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from detectors.labels import LabelledEvent, slice_key
from detectors.nab_scorer import PROFILES, NabFile, _row_weights
from detectors.window_metrics import window_precision_recall

__all__ = [
    "Detection",
    "EventScore",
    "Scorer",
    "make_nab_scorer",
    "make_window_scorer",
    "nab_score_alarms",
    "score_events",
    "window_scoring",
]

Scorer = Callable[[Any, ArrayLike, ArrayLike], float]
_METRICS = ("precision", "recall", "f1")


def _alarms(estimator: Any, X: ArrayLike) -> NDArray[np.bool_]:
    alarms: NDArray[np.bool_] = np.asarray(estimator.predict(X)) == -1
    return alarms


def _windows(y: ArrayLike) -> list[tuple[int, int]]:
    """Inclusive (first, last) rows of each run of labelled rows."""
    runs, n = ndimage.label(np.asarray(y, dtype=bool))
    found = ndimage.find_objects(runs)
    return [(int(s[0].start), int(s[0].stop) - 1) for s in found[:n] if s is not None]


def nab_score_alarms(alarms: ArrayLike, y: ArrayLike, profile: str = "standard") -> float:
    """Return the normalised NAB score of fixed alarms against labelled rows.

    NAB's rules (probation, sigmoid weights, costs of ``profile``) without its threshold
    sweep: the alarms are what they are. 100 is perfect, 0 the detector that never fires;
    noisy detectors score below 0. With no labelled window the score is 0.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}")
    fired = np.asarray(alarms, dtype=bool).ravel()
    labels = np.asarray(y, dtype=bool).ravel()
    if len(fired) != len(labels):
        raise ValueError(f"{len(fired)} alarms but {len(labels)} labelled rows")
    windows = _windows(labels)
    if not windows:
        return 0.0
    cost = PROFILES[profile]
    rows = np.arange(len(fired))
    scores, weight, window = _row_weights(
        NabFile("rows", rows, fired.astype(np.float64), windows), cost, 0
    )
    hit = scores >= 1.0
    null = -cost["fn"] * len(windows)
    total = null + weight[hit & (window < 0)].sum()
    inside = hit & (window >= 0)
    if inside.any():
        # A window scores its earliest alarm, the one with the highest weight, instead of -A_fn.
        best = pd.Series(weight[inside]).groupby(window[inside]).max()
        total += float((best + cost["fn"]).sum())
    perfect = cost["tp"] * len(windows)
    return float(100.0 * (total - null) / (perfect - null))


def make_nab_scorer(profile: str = "standard") -> Scorer:
    """Return a scorer ``(estimator, X, y) -> NAB score`` for ``GridSearchCV``.

    ``y`` marks the labelled rows; the estimator's ``predict`` gives the alarms.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}")

    def score(estimator: Any, X: ArrayLike, y: ArrayLike) -> float:
        return nab_score_alarms(_alarms(estimator, X), y, profile)

    score.__name__ = f"nab_{profile}"
    return score


def make_window_scorer(metric: str = "f1", max_delay: int | None = None) -> Scorer:
    """Return a scorer ``(estimator, X, y) -> precision, recall or F1`` of windows.

    Parameters
    ----------
    metric : {"precision", "recall", "f1"}
        Precision counts alarms inside any labelled window; recall counts windows with an
        alarm in their first ``max_delay + 1`` rows.
    max_delay : int, optional
        Rows after a window's start that a detection may take; None = the whole window.
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {list(_METRICS)}, got {metric!r}")
    if max_delay is not None and max_delay < 0:
        raise ValueError(f"max_delay must be >= 0 or None, got {max_delay!r}")

    def score(estimator: Any, X: ArrayLike, y: ArrayLike) -> float:
        at = np.flatnonzero(_alarms(estimator, X))
        windows = _windows(y)
        precision = window_precision_recall(at, windows).precision
        early = windows if max_delay is None else [(a, min(b, a + max_delay)) for a, b in windows]
        recall = window_precision_recall(at, early).recall
        if metric == "precision":
            return precision
        if metric == "recall":
            return recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    score.__name__ = f"window_{metric}"
    return score


def window_scoring(max_delay: int | None = None) -> dict[str, Scorer]:
    """Return ``{"precision", "recall", "f1"}`` scorers, for ``cross_validate(scoring=...)``."""
    return {metric: make_window_scorer(metric, max_delay) for metric in _METRICS}


@dataclass(frozen=True)
class Detection:
    """Something a detector raised: a KPI slice, the window it covers, the day it was raised."""

    kpi: str
    dimensions: Mapping[str, str]
    start: pd.Timestamp
    end: pd.Timestamp
    at: pd.Timestamp
    kind: str = ""


@dataclass(frozen=True)
class EventScore:
    """Precision and recall of detections against events, with the detection delays."""

    precision: float
    recall: float
    f1: float
    detections: int
    true_detections: int
    events: int
    found: int
    delays: dict[int, int] = field(default_factory=dict)

    @property
    def mean_delay(self) -> float | None:
        """Mean days from an event's start to its first detection, over found events."""
        return float(np.mean(list(self.delays.values()))) if self.delays else None

    def to_json(self) -> dict[str, Any]:
        """Return the score as plain data; ``delays`` maps event index to days."""
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "detections": self.detections,
            "true_detections": self.true_detections,
            "events": self.events,
            "found": self.found,
            "mean_delay_days": self.mean_delay,
            "delays": {str(k): v for k, v in self.delays.items()},
        }


def score_events(
    detections: Sequence[Detection],
    events: Sequence[LabelledEvent],
    *,
    max_delay: int | None = None,
    match_kind: bool = False,
) -> EventScore:
    """Score detections against labelled events.

    Parameters
    ----------
    detections : sequence of Detection
        E.g. the entries a backtest filed, each with its first night as ``at``.
    events : sequence of LabelledEvent
        The labels.
    max_delay : int, optional
        Days after an event's start within which it must be raised to count as found;
        None = any time.
    match_kind : bool, default False
        Also require the detection's kind to be the event's (a spike re-detected as a
        level shift then does not count).
    """
    keys = [(e.kpi, slice_key(e.slice)) for e in events]
    true = 0
    delays: dict[int, int] = {}
    for d in detections:
        key = (d.kpi, slice_key(d.dimensions))
        hits = [
            i
            for i, e in enumerate(events)
            if keys[i] == key
            and d.start <= e.end
            and d.end >= e.start
            and (not match_kind or d.kind == e.kind)
        ]
        true += bool(hits)
        for i in hits:
            delay = max(0, (pd.Timestamp(d.at) - events[i].start).days)
            if (max_delay is None or delay <= max_delay) and delay < delays.get(i, delay + 1):
                delays[i] = delay
    precision = true / len(detections) if detections else 0.0
    recall = len(delays) / len(events) if events else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return EventScore(
        precision, recall, f1, len(detections), true, len(events), len(delays), delays
    )

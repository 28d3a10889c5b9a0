"""The Numenta Anomaly Benchmark (NAB) scorer, written from NAB's published rules.

Rules, as in ``nab/sweeper.py`` and ``config/profiles.json`` of numenta/NAB (v1.1):

- The first ``min(floor(0.15 * rows), 750)`` rows of a file are probationary: not scored.
- A detection is a row whose anomaly score is ``>= threshold``.
- A labelled window (both ends inclusive) scores the *earliest* detection in it:
  ``A * sigmoid`` of its position, where position ``-(right - i + 1) / width`` runs from -1
  at the left edge towards 0 at the right edge, ``sigmoid(p) = 2 / (1 + exp(5p)) - 1``
  scaled so the left edge earns exactly ``A_tp``. A window with no detection costs ``A_fn``.
- A detection outside every window costs ``A_fp`` times ``sigmoid(|r - i| / (w - 1))``
  (``r``, ``w``: right edge and width of the previous window), which is near -1 soon after a
  window and -1 before the first one, so late detections cost less than random ones.
- One threshold for the whole corpus, chosen by sweeping every distinct score.
- Normalised score ``100 * (S - S_null) / (S_perfect - S_null)``: the null detector (never
  fires) scores ``-A_fn`` per window, the perfect one ``A_tp`` per window.

Examples
--------
>>> ts = np.arange(100)
>>> windows = [(40, 49)]
>>> edge = np.zeros(100)
>>> edge[40] = 1.0
>>> round(nab_score([NabFile("a", ts, edge, windows)], "standard").normalized, 6)
100.0
>>> nab_score([NabFile("a", ts, np.zeros(100), windows)], "standard").normalized
0.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["PROFILES", "NabFile", "NabResult", "nab_score", "probationary_rows", "scaled_sigmoid"]

#: Cost matrices of NAB's three application profiles (``config/profiles.json``).
PROFILES: dict[str, dict[str, float]] = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}


@dataclass(frozen=True)
class NabFile:
    """One scored data file: row timestamps, anomaly scores and labelled windows."""

    name: str
    timestamps: ArrayLike
    scores: ArrayLike
    windows: Sequence[tuple[Any, Any]]


@dataclass(frozen=True)
class NabResult:
    """Corpus result for one profile."""

    profile: str
    normalized: float
    raw: float
    threshold: float
    windows: int
    detected_windows: int
    false_positives: int


def scaled_sigmoid(position: NDArray[np.float64]) -> NDArray[np.float64]:
    """NAB's ``2 * sigmoid(-5 x) - 1``, and -1 beyond 3 window-widths after a window."""
    out: NDArray[np.float64] = np.where(
        position > 3.0, -1.0, 2.0 / (1.0 + np.exp(5.0 * position)) - 1.0
    )
    return out


def probationary_rows(n_rows: int) -> int:
    """Rows NAB leaves unscored at the start of a file."""
    return int(min(math.floor(0.15 * n_rows), 750))


def _as_index(values: ArrayLike) -> NDArray[Any]:
    arr = np.asarray(values)
    return arr if np.issubdtype(arr.dtype, np.number) else pd.to_datetime(arr).to_numpy()


def _locate(ts: NDArray[Any], bound: Any, name: str) -> int:
    """Row of the first timestamp equal to a window bound, as NAB's ``list.index`` does."""
    target = bound if np.issubdtype(ts.dtype, np.number) else pd.Timestamp(bound).to_datetime64()
    hits = np.flatnonzero(ts == target)
    if len(hits) == 0:
        raise ValueError(f"{name}: window bound {bound!r} is not a timestamp of the file")
    return int(hits[0])


def _row_weights(
    f: NabFile, cost: dict[str, float], first_window: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """Scores, sweep weights and global window ids (-1 = none) of the scorable rows."""
    ts = _as_index(f.timestamps)
    scores = np.asarray(f.scores, dtype=np.float64)
    n = len(scores)
    if len(ts) != n:
        raise ValueError(f"{f.name}: {len(ts)} timestamps but {n} scores")
    if np.isnan(scores).any():
        raise ValueError(f"{f.name}: anomaly scores contain NaN")
    idx = np.arange(n)
    weight = np.full(n, -cost["fp"])
    window = np.full(n, -1, dtype=np.intp)
    max_tp = scaled_sigmoid(np.array(-1.0))
    bounds = sorted((_locate(ts, a, f.name), _locate(ts, b, f.name)) for a, b in f.windows)
    # Windows in time order: each one's "after" costs are overwritten by the next window.
    for k, (lo, hi) in enumerate(bounds):
        width = hi - lo + 1
        after = idx > hi
        weight[after] = scaled_sigmoid(np.abs(hi - idx[after]) / max(width - 1, 1)) * cost["fp"]
        inside = (idx >= lo) & (idx <= hi)
        weight[inside] = scaled_sigmoid(-(hi - idx[inside] + 1) / width) * cost["tp"] / max_tp
        window[inside] = first_window + k
    keep = idx >= probationary_rows(n)
    return scores[keep], weight[keep], window[keep]


def nab_score(
    files: Sequence[NabFile], profile: str = "standard", threshold: float | None = None
) -> NabResult:
    """Sweep one corpus-wide threshold and return the best normalised NAB score.

    Ties in the best score go to the highest threshold (the quietest detector). A given
    ``threshold`` is used as is instead: the honest way to score data that did not choose
    it (cross-validation).
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}")
    cost = PROFILES[profile]
    parts, n_windows = [], 0
    for f in files:
        parts.append(_row_weights(f, cost, n_windows))
        n_windows += len(f.windows)
    scores = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
    weight = np.concatenate([p[1] for p in parts]) if parts else np.empty(0)
    window = np.concatenate([p[2] for p in parts]) if parts else np.empty(0, dtype=np.intp)
    null = -cost["fn"] * n_windows
    perfect = cost["tp"] * n_windows
    order = np.argsort(-scores, kind="stable")
    s, w, win = scores[order], weight[order], window[order]
    # Each row adds its FP cost, or raises its window from -A_fn to the best weight so far.
    frame = pd.DataFrame({"win": win, "w": w})
    in_win = win >= 0
    best = frame.loc[in_win].groupby("win")["w"].cummax()
    prev = best.groupby(frame.loc[in_win, "win"]).shift(1).fillna(-cost["fn"])
    delta = np.where(in_win, 0.0, w)
    delta[in_win] = best.to_numpy() - prev.to_numpy()
    total = null + np.cumsum(delta)
    # A threshold equal to a score admits every row with that score: evaluate at tie ends.
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True]) if len(s) else np.empty(0, dtype=np.intp)
    cand_score = np.r_[null, total[ends]]
    cand_thr = np.r_[np.inf, s[ends]]
    if threshold is None:
        k = int(np.argmax(cand_score))
    else:
        # The candidates run from the highest threshold down: take the last one admitted.
        k = int(np.sum(cand_thr >= threshold)) - 1
        cand_thr = np.r_[cand_thr[:k], threshold]
    fired = s >= cand_thr[k]
    detected = len(np.unique(win[fired & in_win]))
    return NabResult(
        profile=profile,
        normalized=float(100.0 * (cand_score[k] - null) / (perfect - null)) if n_windows else 0.0,
        raw=float(cand_score[k]),
        threshold=float(cand_thr[k]),
        windows=n_windows,
        detected_windows=detected,
        false_positives=int(np.sum(fired & ~in_win)),
    )

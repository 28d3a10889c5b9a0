"""Context novelty: the share of a row's recent value patterns never seen before.

The idea is that of the Contextual Anomaly Detector (CAD OSE, M. Smirnov, 2016; NAB
standard 73.0 on our 38-file subset): quantise each value into a few coarse levels (CAD
uses 3 bits, 8 levels) and ask whether the *context*, the last few levels, has been seen
before. Its implementation in numenta/NAB (``nab/detectors/context_ose/``) grows a context
memory one record at a time in Python and places its levels on each file's full min and
max, which NAB hands it up front: not causal. This code is written anew from that idea,
vectorised and causal:

1. the level grid is frozen after the first ``min_periods`` rows: ``bins`` equal steps over
   the range seen so far, extended by ``bins`` steps either side; values beyond share the
   outermost levels (one below, one above). The grid used at row ``t >= min_periods``
   only depends on rows ``< min_periods``;
2. the context of order ``k`` at row ``t`` is the levels of rows ``t-k+1 .. t``; it is
   *novel* if no earlier row of the same series had the same context;
3. the novelty of a row is the share of orders ``1 .. order`` whose context is novel:
   1.0 means the value itself sits on a level never seen (then every longer context is
   new too); a fraction means a known value in an unseen sequence.

"Seen before" is one stable sort of (series, context) codes, so every series and row is
handled in one vectorised pass. Rows before ``min_periods`` and NaN rows score 0; they
still enter the memory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from detectors._rolling import FloatArray

__all__ = ["NoveltyParams", "context_novelty"]

#: Context codes must fit an int64 together with the series index.
_MAX_CODE = 2**40


@dataclass(frozen=True)
class NoveltyParams:
    """Global hyperparameters of :func:`context_novelty` and of its use as an alarm.

    Parameters
    ----------
    bins : int
        Levels across the range of the first ``min_periods`` rows.
    order : int
        Longest context, in rows.
    min_periods : int
        Rows that fix the level grid; they score 0.
    min_z : float
        Deviation a row on a never-seen level needs to raise an alarm
        (:func:`detectors.stream.nab_scores`).
    weight : float
        How much the novelty share scales an alarm's score: ``1 - weight + weight * share``.

    Examples
    --------
    >>> NoveltyParams().as_dict()["bins"]
    8
    >>> NoveltyParams(bins=0).validate()
    Traceback (most recent call last):
    ...
    ValueError: bins must be an int >= 1, got 0
    """

    bins: int = 8
    order: int = 3
    min_periods: int = 300
    min_z: float = 3.0
    weight: float = 0.7

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for provenance."""
        return asdict(self)

    def validate(self) -> NoveltyParams:
        """Return ``self``, or raise ``ValueError`` naming the bad field."""
        for name in ("bins", "order", "min_periods"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be an int >= 1, got {v!r}")
        if (3 * self.bins + 2) ** self.order >= _MAX_CODE:
            raise ValueError(
                f"(3 * bins + 2) ** order must be < 2**40, got bins={self.bins}, order={self.order}"
            )
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"weight must be in [0.0, 1.0], got {self.weight!r}")
        return self


def _levels(x: FloatArray, p: NoveltyParams) -> np.ndarray:
    """Level codes in [0, 3 * bins] per row (3 * bins + 1 = NaN), on the frozen grid."""
    head = x[: p.min_periods]
    with np.errstate(all="ignore"):
        lo = np.fmin.reduce(head, axis=0)
        step = np.maximum(np.fmax.reduce(head, axis=0) - lo, 1e-9) / p.bins
        q = np.clip(np.floor((x - lo) / step), -p.bins, 2 * p.bins) + p.bins
    return np.where(np.isnan(q), 3 * p.bins + 1, q).astype(np.int64)


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """Flag where a column's code appears for the first time (rows in time order)."""
    t_len, s_len = codes.shape
    flat = (codes * s_len + np.arange(s_len)).ravel()  # time-major: stable sort keeps order
    order = np.argsort(flat, kind="stable")
    srt = flat[order]
    first = np.empty(flat.shape, dtype=bool)
    first[order] = np.r_[True, srt[1:] != srt[:-1]]
    return first.reshape(t_len, s_len)


def context_novelty(values: ArrayLike, params: NoveltyParams | None = None) -> FloatArray:
    """Share of context orders ``1 .. order`` that are novel at each row, in [0, 1].

    Parameters
    ----------
    values : array-like of shape (T,) or (T, S)
        Rows in time order; columns are independent series, NaN pads shorter ones.
    params : NoveltyParams, optional
        Global hyperparameters.

    Returns
    -------
    ndarray of shape (T, S)
        1.0 where the value sits on a never-seen level; 0 before ``min_periods``.

    Examples
    --------
    >>> x = np.tile([0.0, 1.0, 2.0, 3.0], 100)
    >>> x[350:352] = [3.0, 0.0]  # known levels, unseen order
    >>> x[380] = 9.0  # never-seen level
    >>> s = context_novelty(x, NoveltyParams(min_periods=100))[:, 0]
    >>> np.flatnonzero(s).tolist(), s[380].item()
    ([350, 351, 352, 353, 380, 381, 382], 1.0)
    """
    p = (params or NoveltyParams()).validate()
    x = np.asarray(values, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    q = _levels(x, p)
    # Rows before the series starts read as missing values.
    base, pad = 3 * p.bins + 2, 3 * p.bins + 1
    code = np.zeros(x.shape, dtype=np.int64)
    share = np.zeros(x.shape)
    for k in range(p.order):
        shifted = np.full(x.shape, pad, dtype=np.int64)
        shifted[k:] = q[: len(q) - k]
        code = code * base + shifted
        share += _first_seen(code)
    share /= p.order
    share[: p.min_periods] = 0.0
    share[np.isnan(x)] = 0.0
    return share

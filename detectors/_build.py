"""Turn per-event arrays into :class:`~detectors.finding.Finding` objects.

The detectors compute everything as arrays over events; only this last step loops, once
per event (never per series or per period).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detectors._frame import SeriesMatrix
from detectors._rolling import FloatArray, IntArray
from detectors.finding import Direction, Finding, is_adverse
from detectors.version import __version__

__all__ = ["EventStats", "build_findings"]


@dataclass(frozen=True)
class EventStats:
    """Per-event arrays; ``reference`` is what the move is measured from."""

    series: IntArray
    start: IntArray
    end: IntArray
    kind: list[str]
    observed: FloatArray
    expected: FloatArray
    reference: FloatArray
    band_low: FloatArray
    band_high: FloatArray
    score: FloatArray
    n: FloatArray


def build_findings(
    m: SeriesMatrix,
    st: EventStats,
    better: dict[str, str],
    detector: str | list[str],
    params: dict[str, Any],
) -> list[Finding]:
    """One :class:`Finding` per event; direction and magnitude come from ``reference``.

    ``detector`` names the estimator class behind every event, or behind each one.
    """
    names = [detector] * len(st.series) if isinstance(detector, str) else detector
    # Key columns as plain lists, once: a dict per series would cost more than the events.
    keys = {str(c): [str(v) for v in m.keys[c].tolist()] for c in m.keys.columns}
    periods = list(m.periods)  # one conversion, not one DatetimeIndex lookup per field
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = (st.observed - st.reference) / np.abs(st.reference)
    out = []
    for i in range(len(st.series)):
        j = int(st.series[i])
        key = {k: values[j] for k, values in keys.items()}
        direction: Direction = "up" if st.observed[i] >= st.reference[i] else "down"
        out.append(
            Finding(
                kpi=key["kpi"],
                dimensions={k: v for k, v in key.items() if k != "kpi" and v != "*"},
                kind=st.kind[i],
                direction=direction,
                adverse=is_adverse(direction, better.get(key["kpi"])),
                start=periods[int(st.start[i])],
                end=periods[int(st.end[i])],
                observed=float(st.observed[i]),
                expected=float(st.expected[i]),
                band_low=float(st.band_low[i]),
                band_high=float(st.band_high[i]),
                magnitude=float(magnitude[i]),
                score=float(st.score[i]),
                detector=names[i],
                params=params,
                version=__version__,
                n=int(st.n[i]),
            )
        )
    return out

"""The :class:`Finding` hand-off: what moved, when, how much, and how sure we are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = ["Direction", "Finding", "is_adverse"]

Direction = Literal["up", "down"]


def is_adverse(direction: Direction, better: str | None) -> bool:
    """Whether a move hurts, given which way is better for the KPI.

    A KPI with no stated direction counts every move as adverse, so nothing is silently
    dropped; give ``better`` to halve the noise.

    Examples
    --------
    >>> is_adverse("up", "lower"), is_adverse("up", "higher"), is_adverse("down", None)
    (True, False, True)
    """
    if better is None:
        return True
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', got {better!r}")
    return (direction == "up") == (better == "lower")


@dataclass(frozen=True)
class Finding:
    """One detected event on one series.

    Attributes
    ----------
    kpi : str
        KPI name.
    dimensions : dict of str to str
        The series' dimension values, leaving out aggregated (``"*"``) ones.
    kind : str
        ``spike``, ``dip``, ``level_shift``, ``degradation`` or ``multivariate``.
    direction : {"up", "down"}
        Sign of the move.
    adverse : bool
        True when the move is bad given the KPI's ``better`` direction.
    start, end : pandas.Timestamp
        First and last period of the event (inclusive).
    observed, expected : float
        Mean observed and mean expected value over the event's anomalous periods.
    band_low, band_high : float
        The normal band around ``expected`` at the detection threshold.
    magnitude : float
        Relative change ``(observed - expected) / |expected|``; ``inf`` when expected is 0.
    score : float
        Calibrated score in [0, 1]; the same threshold means the same thing on every series.
    detector, params, version
        Which detector, with which hyperparameters, at which version.
    n : int
        Records behind the event's values.
    """

    kpi: str
    dimensions: dict[str, str]
    kind: str
    direction: Direction
    adverse: bool
    start: pd.Timestamp
    end: pd.Timestamp
    observed: float
    expected: float
    band_low: float
    band_high: float
    magnitude: float
    score: float
    detector: str
    params: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    n: int = 0

"""Agreed targets must make sense for the KPI: inside its domain, on the better side.

A rate's target is a share in [0, 1], a count's is >= 0, and a target on the wrong side of
the entry's current value (a "target" that is worse than today) needs ``force``: such an
entry would read "improving" forever.
"""

from __future__ import annotations

import math
from typing import Any

from ._errors import InvalidTriage

__all__ = ["check_target"]


def _show(value: float, share: bool) -> str:
    return f"{value:g} ({100 * value:.3g} %)" if share else f"{value:g}"


def check_target(
    entry_id: str, kpi: dict[str, Any], current: Any, value: float, force: bool
) -> None:
    """Raise :class:`InvalidTriage` if `value` is no valid target for the entry's KPI.

    Parameters
    ----------
    entry_id : str
        The entry, for the message.
    kpi : dict
        The entry's ``kpi`` block: ``name``, ``better``, ``measure``, ``domain``.
    current : float or None
        The entry's current value.
    value : float
        The proposed target.
    force : bool
        Accept a target on the wrong side of the current value.

    Examples
    --------
    >>> rate = {"name": "reopen_rate", "better": "lower", "measure": "rate", "domain": [0, 1]}
    >>> check_target("CIR-0001", rate, 0.08, 5.0, False)
    Traceback (most recent call last):
    ...
    register_client._errors.InvalidTriage: entry CIR-0001: target=5.0 is invalid; reopen_rate \
is a share in [0, 1] (5 % is 0.05)
    """
    if not math.isfinite(value):
        raise InvalidTriage(entry_id, "target", value, "a target must be a finite number")
    share = kpi.get("measure") in ("rate", "linked")
    low, high = kpi.get("domain") or ((0.0, 1.0) if share else (None, None))
    name = kpi.get("name", "the KPI")
    if share and not 0 <= value <= 1:
        raise InvalidTriage(entry_id, "target", value, f"{name} is a share in [0, 1] (5 % is 0.05)")
    if low is not None and value < low:
        raise InvalidTriage(entry_id, "target", value, f"{name} cannot go below {low:g}")
    if high is not None and value > high:
        raise InvalidTriage(entry_id, "target", value, f"{name} cannot go above {high:g}")
    if force or current is None or not math.isfinite(float(current)):
        return
    lower = kpi.get("better") == "lower"
    if (value >= current) if lower else (value <= current):
        raise InvalidTriage(
            entry_id,
            "target",
            value,
            f"{name}: {kpi.get('better')} is better, and the target "
            f"{_show(value, share)} is not better than the current {_show(float(current), share)}"
            "; use --force to agree it anyway",
        )

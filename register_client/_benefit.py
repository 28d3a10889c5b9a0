"""An entry's expected benefit in words, the same on the command line and the web page.

The benefit is a small dict: ``hours_per_week`` (the ranking key), what the hours come
from (``records_per_week`` at an assumed ``hours_per_record``, or ``per_week`` in
``unit``), a kind's own amounts (``load_per_week``, ``saved_hours_per_week``) and the
``basis`` of the estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._parts import value_text

__all__ = ["benefit_text"]


def benefit_text(benefit: Mapping[str, Any] | None, *, basis: bool = True) -> str:
    """Say a benefit in words: hours a week first, then its other amounts and basis.

    Examples
    --------
    >>> benefit_text({"hours_per_week": 231.0, "records_per_week": 231.0,
    ...               "basis": "33 a period x 7 periods a week"})
    '231 hours a week; records 231 a week (33 a period x 7 periods a week)'
    >>> benefit_text({"hours_per_week": 6.0, "hours_per_record": 1.0, "records_per_week": 6.0},
    ...              basis=False)
    '6 hours a week at an assumed 1 h a record; records 6 a week'
    >>> benefit_text({"hours_per_week": 0.0}), benefit_text(None)
    ('not estimated', 'not estimated')
    >>> benefit_text({"per_week": 3.5, "unit": "incidents", "basis": "x"}, basis=False)
    'incidents 3.5 a week'
    """
    rest = dict(benefit or {})
    why, unit = rest.pop("basis", None), rest.pop("unit", None) or "records"
    hours = rest.pop("hours_per_week", None)
    each = rest.pop("hours_per_record", None)
    if not hours and not rest and not why:
        return "not estimated"
    assumed = "" if each is None else f" at an assumed {value_text(each)} h a record"
    parts = [] if hours is None else [f"{value_text(hours)} hours a week{assumed}"]
    for key, value in rest.items():
        label = unit if key == "per_week" else key.removesuffix("_per_week").replace("_", " ")
        parts.append(f"{label} {value_text(value)} a week")
    return "; ".join(parts) + (f" ({why})" if why and basis else "")

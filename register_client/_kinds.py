"""Every kind of opportunity an entry can be, in one place.

- changes: ``spike``, ``dip``, ``level_shift``, ``degradation``, ``trend``, ``multivariate``
  (several KPIs of one slice move together), ``process_change`` (a break in how records
  are made);
- standing gaps: ``hotspot``, ``target_gap``;
- process: ``handover``, ``change_impact``;
- governance: ``data_quality``;
- lessons: ``improvement``.

Examples
--------
>>> "hotspot" in KINDS, len(KINDS)
(True, 13)
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["KINDS", "Kind"]

Kind = Literal[
    "spike",
    "dip",
    "level_shift",
    "degradation",
    "trend",
    "multivariate",
    "process_change",
    "hotspot",
    "target_gap",
    "handover",
    "change_impact",
    "data_quality",
    "improvement",
]
KINDS: tuple[str, ...] = get_args(Kind)

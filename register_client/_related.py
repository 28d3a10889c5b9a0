"""Related entries: other entries about the same thing at about the same time.

One event often shows up as several entries of different kinds: a CI's incident spike and
the change impact of the change made on it the day before, or a team's rising intake, its
ageing backlog and its ping-pong with another team. Filing keeps them apart (each has its
own KPI, baseline and target), so reading shows them side by side: two entries are related
when a dimension value of one is a dimension value of the other (a handover's team pair
``A <-> B`` and a change's ``ci`` list ``X+Y`` count as their parts) and their windows lie
within :data:`NEAR` of each other. Sources are not compared: an event log's handovers and
an incident table's intake are about the same teams. The relation is computed on read,
never stored, so it follows the register as entries come and go.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from ._types import FrozenModel

__all__ = ["NEAR", "Related", "SliceWindow", "relate", "related_text"]

#: The largest gap between two windows that still counts as "about the same time".
NEAR = timedelta(days=7)
_PARTS = re.compile(r"\s*(?:<->|\+)\s*")


class Related(FrozenModel):
    """Another entry about the same thing: its id, what it is about, the value they share."""

    id: str
    what: str
    shared: str


class SliceWindow(NamedTuple):
    """What relating needs of one entry."""

    id: str
    what: str  # its KPI and kind, e.g. "backlog_open degradation"
    dimensions: Mapping[str, Any]
    start: datetime
    end: datetime


def relate(entries: Iterable[SliceWindow]) -> dict[str, list[Related]]:
    """Return each entry's related entries in the order given; entries without any are absent.

    ``entries`` come oldest first, as the register numbers them.

    Examples
    --------
    >>> d = datetime(2016, 4, 1)
    >>> late = d + 3 * NEAR
    >>> pair = {"team_pair": "Group 20 <-> Group 70"}
    >>> rows = [
    ...     SliceWindow("CIR-0001", "intake shift", {"group": "Group 70"}, d, d),
    ...     SliceWindow("CIR-0002", "handover", pair, d, d + NEAR),
    ...     SliceWindow("CIR-0003", "backlog", {"group": "Group 70"}, late, late),
    ...     SliceWindow("CIR-0004", "backlog", {"group": "Group 20"}, late, late),
    ... ]
    >>> for k, v in relate(rows).items():
    ...     print(k, [(r.id, r.what, r.shared) for r in v])
    CIR-0001 [('CIR-0002', 'handover', 'Group 70')]
    CIR-0002 [('CIR-0001', 'intake shift', 'Group 70')]
    """
    rows = list(entries)
    by_value: defaultdict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for value in _values(row.dimensions):
            by_value[value].append(i)
    found: defaultdict[int, dict[int, str]] = defaultdict(dict)
    for value, members in by_value.items():
        # Sorted by window start, an entry's near partners are the ones that start before
        # its end plus NEAR: a sweep finds them without comparing every pair.
        members.sort(key=lambda i: rows[i].start)
        for k, a in enumerate(members):
            reach = rows[a].end + NEAR
            for b in itertools.islice(members, k + 1, None):
                if rows[b].start > reach:
                    break
                found[a].setdefault(b, value)
                found[b].setdefault(a, value)
    return {
        rows[a].id: [
            Related(id=rows[b].id, what=rows[b].what, shared=value)
            for b, value in sorted(links.items())
        ]
        for a, links in sorted(found.items())
    }


def _values(dimensions: Mapping[str, Any]) -> set[str]:
    return {part for value in dimensions.values() for part in _PARTS.split(str(value)) if part}


def related_text(related: Iterable[Mapping[str, Any]]) -> str:
    """Say an entry's JSON ``related`` list in words, as ``entries show`` and syncs do.

    Examples
    --------
    >>> related_text([{"id": "CIR-0004", "what": "backlog_open degradation", "shared": "G 70"}])
    'CIR-0004 backlog_open degradation (G 70)'
    """
    return ", ".join(f"{r['id']} {r['what']} ({r['shared']})" for r in related)

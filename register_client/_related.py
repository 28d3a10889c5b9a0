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
from typing import Any

from ._types import FrozenModel

__all__ = ["NEAR", "Related", "SliceWindow", "relate"]

#: The largest gap between two windows that still counts as "about the same time".
NEAR = timedelta(days=7)
_PARTS = re.compile(r"\s*(?:<->|\+)\s*")


class Related(FrozenModel):
    """Another entry about the same thing: its id and the dimension value they share."""

    id: str
    shared: str


#: What relating needs of one entry: (id, dimensions, window start, window end).
SliceWindow = tuple[str, Mapping[str, Any], datetime, datetime]


def relate(entries: Iterable[SliceWindow]) -> dict[str, list[Related]]:
    """Return each entry's related entries in the order given; entries without any are absent.

    ``entries`` come oldest first, as the register numbers them.

    Examples
    --------
    >>> d = datetime(2016, 4, 1)
    >>> rows = [
    ...     ("CIR-0001", {"assignment_group": "Group 70"}, d, d),
    ...     ("CIR-0002", {"team_pair": "Group 20 <-> Group 70"}, d, d + NEAR),
    ...     ("CIR-0003", {"assignment_group": "Group 70"}, d + 3 * NEAR, d + 3 * NEAR),
    ...     ("CIR-0004", {"assignment_group": "Group 20"}, d + 3 * NEAR, d + 3 * NEAR),
    ... ]
    >>> {k: [(r.id, r.shared) for r in v] for k, v in relate(rows).items()}
    {'CIR-0001': [('CIR-0002', 'Group 70')], 'CIR-0002': [('CIR-0001', 'Group 70')]}
    """
    rows = list(entries)
    by_value: defaultdict[str, list[int]] = defaultdict(list)
    for i, (_, dimensions, _, _) in enumerate(rows):
        for value in _values(dimensions):
            by_value[value].append(i)
    found: defaultdict[int, dict[int, str]] = defaultdict(dict)
    for value, members in by_value.items():
        # Sorted by window start, an entry's near partners are the ones that start before
        # its end plus NEAR: a sweep finds them without comparing every pair.
        members.sort(key=lambda i: rows[i][2])
        for k, a in enumerate(members):
            reach = rows[a][3] + NEAR
            for b in itertools.islice(members, k + 1, None):
                if rows[b][2] > reach:
                    break
                found[a].setdefault(b, value)
                found[b].setdefault(a, value)
    return {
        rows[a][0]: [Related(id=rows[b][0], shared=value) for b, value in sorted(links.items())]
        for a, links in sorted(found.items())
    }


def _values(dimensions: Mapping[str, Any]) -> set[str]:
    return {part for value in dimensions.values() for part in _PARTS.split(str(value)) if part}

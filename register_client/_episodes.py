"""One entry per episode: detections of one slice and direction whose windows meet.

A spike that turns into a level shift, or a shift later seen as a trend, is one problem
for an owner. Findings on the same KPI slice (dataset, KPI, dimensions) and direction
whose windows overlap or touch (within one period) are one episode: a fingerprint seen
for the first time joins the episode's entry instead of opening another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from ._candidate import Candidate
from ._rows import chunks
from ._schema import entries
from ._types import as_utc

__all__ = ["EPISODE_STATUSES", "Episodes"]

#: An episode's entry may be open or decided against; a closed one is history, and a new
#: episode on its slice is a regression, which the lifecycle links.
EPISODE_STATUSES = ("new", "accepted", "in_progress", "monitoring", "rejected", "duplicate")


@dataclass
class Episodes:
    """The known episodes of some slices: ``slice key -> [[seq, direction, start, end]]``."""

    known: dict[str, list[list[Any]]] = field(default_factory=dict)

    def load(self, conn: Connection, slice_keys: Sequence[str]) -> list[int]:
        """Read the episodes of `slice_keys`; return their entries' sequence numbers."""
        seqs = []
        for chunk in chunks(slice_keys):
            query = select(
                entries.c.seq,
                entries.c.slice_key,
                entries.c.direction,
                entries.c.window_start,
                entries.c.window_end,
                entries.c.latest,
            ).where(entries.c.slice_key.in_(chunk), entries.c.status.in_(EPISODE_STATUSES))
            for r in conn.execute(query.order_by(entries.c.seq)):
                end = as_utc(r.window_end)
                latest_end = ((r.latest or {}).get("window") or {}).get("end")
                if latest_end:
                    end = max(end, as_utc(datetime.fromisoformat(latest_end)))
                self.add(r.slice_key, r.seq, r.direction, as_utc(r.window_start), end)
                seqs.append(r.seq)
        return seqs

    def add(self, slice_key: str, seq: int, direction: str, start: datetime, end: datetime) -> None:
        """Record an episode (a new entry's window)."""
        self.known.setdefault(slice_key, []).append([seq, direction, start, end])

    def extend(self, slice_key: str, seq: int, end: datetime) -> None:
        """Stretch entry `seq`'s episode to `end` (a later detection)."""
        for episode in self.known.get(slice_key, []):
            if episode[0] == seq:
                episode[3] = max(episode[3], end)

    def match(self, c: Candidate) -> int | None:
        """Return the entry of the episode `c` continues, newest first, if any."""
        gap = timedelta(days=7 if getattr(c.baseline, "grain", "D") == "W" else 1)
        for seq, direction, start, end in reversed(self.known.get(c.slice_key, [])):
            if (
                direction == c.direction
                and c.window.start <= end + gap
                and c.window.end >= start - gap
            ):
                return int(seq)
        return None

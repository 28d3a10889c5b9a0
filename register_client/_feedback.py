"""Feedback: ``noise`` rejections mute a (KPI, slice), and scans can ask what is muted."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text

from ._candidate import Candidate, slice_key
from ._entry import Mute
from ._errors import RegisterError
from ._plumbing import Plumbing
from ._read import mute_from_row
from ._schema import entries, mutes, upsert
from ._types import as_utc, iso

__all__ = ["FeedbackMixin", "active_mute", "is_noise"]


def is_noise(reason: str) -> bool:
    """Tell whether a rejection reason says "noise" (its first word).

    Examples
    --------
    >>> is_noise("Noise: weekend batch"), is_noise("noisy neighbour"), is_noise("not noise")
    (True, False, False)
    """
    words = reason.strip().lower().replace(":", " ").replace(",", " ").split()
    return bool(words) and words[0] == "noise"


def active_mute(conn: Connection, key: str, at: datetime) -> Mute | None:
    """Return the slice's mute if it still holds at `at`."""
    row = conn.execute(select(mutes).where(mutes.c.slice_key == key)).first()
    mute = None if row is None else mute_from_row(row)
    return mute if mute is not None and mute.active(at) else None


class FeedbackMixin(Plumbing):
    """Mutes from ``noise`` rejections, and the questions scans ask about them."""

    def _snoozed_until(self, clock: datetime) -> str | None:
        # Rejected and withdrawn entries share one snooze, on the scan clock mutes use.
        snooze = self.policy.rejected_snooze
        return None if snooze is None else iso(clock + snooze)

    def _mute_slice(self, conn: Connection, row: Any, reason: str, clock: datetime) -> Mute:
        step = self.policy.noise_threshold_step
        if conn.dialect.name == "postgresql":
            # Two noise rejections in one slice must stack, even when no mute row exists yet
            # to lock: serialise them on the slice key for this transaction.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": row.slice_key})
        previous = active_mute(conn, row.slice_key, clock)
        factor = step * (previous.threshold_factor if previous else 1.0)
        values = {
            "dataset": row.dataset,
            "kpi": row.kpi["name"],
            "dimensions": row.dimensions,
            "until": clock + self.policy.noise_mute,
            "threshold_factor": factor,
            "magnitude_floor": abs(row.magnitude) * factor if row.magnitude else None,
            "entry_seq": row.seq,
            "reason": reason.strip(),
            "count": (previous.count if previous else 0) + 1,
            "updated_at": self.now(),
        }
        conn.execute(
            upsert(conn, mutes)
            .values(slice_key=row.slice_key, created_at=self.now(), **values)
            .on_conflict_do_update(index_elements=["slice_key"], set_=values)
        )
        mute = active_mute(conn, row.slice_key, clock)
        assert mute is not None
        return mute

    def muted(
        self,
        key: str | Candidate | None = None,
        *,
        dataset: str | None = None,
        kpi: str | None = None,
        dimensions: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Mute | None:
        """Return the active mute on a slice, if any.

        Parameters
        ----------
        key : str or Candidate, optional
            A candidate, a fingerprint or a slice key.
        dataset, kpi, dimensions : optional
            The slice, instead of `key`.
        at : datetime, optional
            When to check: the scan's time. Default: the latest scan's time
            (:meth:`scan_clock`), the clock mutes are measured on.
        """

        def work(conn: Connection) -> Mute | None:
            when = as_utc(at) if at is not None else self.scan_clock(conn)
            if isinstance(key, Candidate):
                keys = [key.slice_key]
            elif key is not None:
                found = conn.execute(
                    select(entries.c.slice_key).where(entries.c.fingerprint == key).limit(1)
                ).scalar_one_or_none()
                keys = [found or key]
            elif dataset is not None and kpi is not None:
                keys = [slice_key(dataset, kpi, dimensions or {})]
            else:
                raise RegisterError("muted() needs a candidate, a fingerprint or dataset+kpi")
            return active_mute(conn, keys[0], when)

        return self._run(work)

    def feedback_for(self, dataset: str, *, at: datetime | None = None) -> builtins.list[Mute]:
        """Return the active mutes on a dataset's slices, for detectors to consult.

        Parameters
        ----------
        dataset : str
            The source's name.
        at : datetime, optional
            The scan's time; default the latest scan's time.
        """

        def work(conn: Connection) -> builtins.list[Mute]:
            when = as_utc(at) if at is not None else self.scan_clock(conn)
            rows = conn.execute(select(mutes).where(mutes.c.dataset == dataset)).all()
            return [m for m in map(mute_from_row, rows) if m.active(when)]

        return self._run(work)

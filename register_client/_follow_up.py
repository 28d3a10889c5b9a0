"""Follow-up (ITIL "did we get there?"): measurements, progress verdicts and regressions."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, update

from ._candidate import Candidate
from ._entry import Entry
from ._errors import InvalidTriage
from ._filing import file_batch
from ._lifecycle import FOLLOW_UP_STATUSES
from ._plumbing import Plumbing
from ._read import load_entries
from ._report import Outcome
from ._schema import entries, measurements, upsert
from ._triage import edit, read_row
from ._types import as_utc, iso, jsonable

__all__ = ["VERDICTS", "FollowUpMixin"]

VERDICTS = ("improving", "target_met", "no_change", "regressed", "insufficient_data")
"""The progress verdicts a re-measurement can reach."""


class FollowUpMixin(Plumbing):
    """Re-measurement of accepted entries against their baseline and target."""

    def follow_up(self, *, dataset: str | None = None) -> builtins.list[Entry]:
        """List the entries a scan re-measures: accepted, in progress or monitoring."""
        return self._run(
            lambda conn: load_entries(conn, statuses=FOLLOW_UP_STATUSES, dataset=dataset)
        )

    def add_measurement(
        self,
        entry_id: str,
        at: datetime,
        value: float | None,
        verdict: str,
        detail: dict[str, Any] | None = None,
    ) -> Entry:
        """Record a re-measurement of the entry's KPI slice; re-measuring `at` replaces it.

        Parameters
        ----------
        entry_id : str
            The entry.
        at : datetime
            The period measured (``--as-of`` in replays).
        value : float or None
            The KPI's value.
        verdict : str
            One of ``VERDICTS``.
        detail : dict, optional
            Against baseline, against target, test statistics, ...
        """
        if verdict not in VERDICTS:
            raise InvalidTriage(entry_id, "verdict", verdict, f"one of: {', '.join(VERDICTS)}")
        when = as_utc(at)
        payload = jsonable(detail or {})
        measured = None if value is None else float(value)

        def work(conn: Connection) -> Entry:
            row = read_row(conn, entry_id)
            values = {"value": measured, "verdict": verdict, "detail": payload}
            conn.execute(
                upsert(conn, measurements)
                .values(entry_seq=row.seq, at=when, **values)
                .on_conflict_do_update(index_elements=["entry_seq", "at"], set_=values)
            )
            return load_entries(conn, seqs=[row.seq])[0]

        return self._run(work)

    def set_progress(
        self,
        entry_id: str,
        verdict: str,
        *,
        at: datetime | None = None,
        detail: dict[str, Any] | None = None,
        by: str = "scan",
    ) -> Entry:
        """Set the entry's progress verdict; a change of verdict is audited."""
        if verdict not in VERDICTS:
            raise InvalidTriage(entry_id, "verdict", verdict, f"one of: {', '.join(VERDICTS)}")
        when = as_utc(at) if at is not None else self.now()
        payload = jsonable(detail or {})

        def work(conn: Connection) -> Entry:
            # Locked: the unaudited branch below must not undo a verdict committed meanwhile.
            row = read_row(conn, entry_id, for_update=True)
            values = {"progress": verdict, "progress_detail": payload, "progress_at": when}
            if row.progress != verdict:
                edit(
                    conn,
                    entry_id,
                    action="progress",
                    by=by,
                    now=self.now(),
                    changes=values,
                    detail={"from": row.progress, "to": verdict, "at": iso(when)},
                )
            else:
                conn.execute(update(entries).where(entries.c.seq == row.seq).values(**values))
            return load_entries(conn, seqs=[row.seq])[0]

        return self._run(work)

    def regressed(
        self,
        entry_id: str,
        *,
        at: datetime,
        value: float,
        detail: dict[str, Any] | None = None,
        by: str = "scan",
    ) -> Outcome:
        """Report that a closed entry's KPI slice is bad again, through the lifecycle.

        The entry is re-filed as a detection of its own fingerprint at `at`: a
        closed-successful entry gets a new entry linked to it (``regression_of``),
        an open one gets the evidence appended, a rejected one follows the snooze
        rule. Reporting the same `at` twice changes nothing.

        Parameters
        ----------
        entry_id : str
            The entry whose KPI regressed.
        at : datetime
            The period of the measurement that shows it.
        value : float
            The KPI's value then.
        detail : dict, optional
            Kept with the evidence (test statistics, ...).
        by : str, default "scan"
            Who reports it, for the audit trail.

        Returns
        -------
        Outcome
            ``linked`` with the new entry's id, ``updated``, ``suppressed`` or ``unchanged``.
        """
        when = as_utc(at)

        def work(conn: Connection) -> Outcome:
            row = read_row(conn, entry_id)
            entry = load_entries(conn, seqs=[row.seq])[0]
            candidate = _regression_candidate(entry, when, float(value), detail or {})
            return file_batch(
                conn, [candidate], scan_at=when, now=self.now(), by=by, policy=self.policy
            )[0]

        return self._run(work, retry_integrity=True)


def _regression_candidate(
    entry: Entry, at: datetime, value: float, detail: dict[str, Any]
) -> Candidate:
    base = entry.base_value
    title = entry.title if entry.title.startswith("Regression: ") else f"Regression: {entry.title}"
    return Candidate.model_validate(
        {
            "title": title,
            "description": (
                f"{entry.kpi.name} was {value:.4g} on {at.date().isoformat()} after "
                f"{entry.id} was closed {entry.closure_code or ''}; baseline median "
                f"{'n/a' if base is None else f'{base:.4g}'}. {entry.description}"
            ).strip(),
            "kind": entry.kind,
            "direction": entry.direction,
            "kpi": entry.kpi,
            "dimensions": entry.dimensions,
            "window": {"start": at, "end": at},
            "baseline": entry.baseline,
            "current": {"value": value},
            "target": entry.target,
            "priority": entry.priority,
            "priority_reason": entry.priority_reason,
            "owner": entry.owner,
            "source": entry.source,
            "evidence": {**jsonable(detail), "at": at, "value": value, "score": None},
            "score": entry.score,
            "magnitude": value - base if base is not None else entry.magnitude,
            "csf": entry.csf,
            "objective": entry.objective,
            "benefit": entry.benefits,
        }
    )

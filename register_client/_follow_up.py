"""Follow-up (ITIL "did we get there?"): measurements, progress verdicts, relapses, regressions.

A *relapse* reopens an entry that is still being followed up (accepted, in progress or
monitoring): its KPI slice had improved (a measurement judged ``improving`` or
``target_met``) and is now worse than its baseline again. The register records it once per
improvement as a ``relapse`` history event with the numbers, sets the progress to
``regressed``, and moves a ``monitoring`` entry back to ``in_progress`` (the fix did not
hold; an ``accepted`` or ``in_progress`` entry is open work already). Owners' decisions
stick: a rejected, duplicate or closed entry is never reopened by a relapse (a closed
entry's KPI that turns bad again files a new entry linked as ``regression_of``), and an
entry that relapsed is not reopened again until it has improved once more.
"""

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

__all__ = ["IMPROVED", "VERDICTS", "FollowUpMixin"]

VERDICTS = ("improving", "target_met", "no_change", "regressed", "insufficient_data")
"""The progress verdicts a re-measurement can reach."""

IMPROVED = ("improving", "target_met")
"""The verdicts after which a worse-than-baseline measurement is a relapse."""


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

    def relapsed(
        self,
        entry_id: str,
        *,
        at: datetime,
        value: float | None,
        detail: dict[str, Any] | None = None,
        by: str = "scan",
    ) -> Outcome:
        """Reopen a followed-up entry whose KPI slice relapsed past its baseline at `at`.

        Parameters
        ----------
        entry_id : str
            The entry.
        at : datetime
            The period of the measurement that shows the relapse (data time).
        value : float or None
            The KPI's level then.
        detail : dict, optional
            The numbers behind it (baseline level, shift, p-value, periods on each side).
        by : str, default "scan"
            Who reports it, for the audit trail.

        Returns
        -------
        Outcome
            ``updated`` when the entry was reopened; ``unchanged`` (with the reason) when
            its status is an owner's decision that stands, when it never improved before
            `at`, or when it already relapsed since it last improved.

        Examples
        --------
        >>> from datetime import date
        >>> from register_client import Candidate, connect
        >>> reg = connect("sqlite://")
        >>> _ = reg.file([Candidate.example()])
        >>> _ = reg.accept("CIR-0001", owner="ops")
        >>> _ = reg.add_measurement("CIR-0001", date(2024, 4, 1), 9.0, "improving")
        >>> reg.relapsed("CIR-0001", at=date(2024, 5, 1), value=15.0).action
        'updated'
        >>> reg.relapsed("CIR-0001", at=date(2024, 5, 2), value=16.0).reason
        'already relapsed on 2024-05-01 since it last improved (2024-04-01)'
        """
        when = as_utc(at)
        payload = jsonable(detail or {})

        def work(conn: Connection) -> Outcome:
            row = read_row(conn, entry_id, for_update=True)
            entry = load_entries(conn, seqs=[row.seq])[0]
            why = _no_relapse(entry, when)
            if why is None:
                value_ = None if value is None else float(value)
                numbers = {**payload, "at": iso(when), "value": value_}
                edit(
                    conn,
                    entry_id,
                    action="relapse",
                    by=by,
                    now=self.now(),
                    to_status="in_progress" if row.status == "monitoring" else None,
                    changes={
                        "progress": "regressed",
                        "progress_at": when,
                        # keep tonight's progress (its plot, ...), with the relapse's numbers
                        "progress_detail": {**(row.progress_detail or {}), **numbers},
                    },
                    detail=numbers,
                )
            return Outcome(
                action="unchanged" if why else "updated",
                entry_id=entry.id,
                fingerprint=entry.fingerprint,
                title=entry.title,
                reason=why or f"relapse on {when.date().isoformat()}: reopened",
            )

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


def _no_relapse(entry: Entry, when: datetime) -> str | None:
    """Say why a relapse at `when` changes nothing, or None when it reopens the entry."""
    if entry.status not in FOLLOW_UP_STATUSES:
        return f"{entry.status}: the decision stands, a relapse does not reopen it"
    improved = [m.at for m in entry.measurements if m.verdict in IMPROVED and m.at < when]
    if not improved:
        return "it has not improved since it was accepted: not a relapse"
    relapses = [
        as_utc(str(h.detail["at"]))
        for h in entry.history
        if h.action == "relapse" and "at" in h.detail
    ]
    if relapses and max(relapses) >= max(improved):
        return (
            f"already relapsed on {max(relapses).date().isoformat()} since it last improved "
            f"({max(improved).date().isoformat()})"
        )
    return None


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

"""What the register hands back: :class:`Entry` and its parts, and :class:`FileReport`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import Field

from ._kinds import Kind
from ._parts import Kpi, Target, Window
from ._related import Related
from ._types import FrozenModel, UtcDatetime, jsonable

__all__ = [
    "Entry",
    "EvidenceRecord",
    "HistoryEvent",
    "Measurement",
    "Mute",
    "format_id",
    "parse_id",
]

ID_PREFIX = "CIR-"
_ID = re.compile(r"^\s*(?:CIR-?)?0*(\d{1,12})\s*$", re.IGNORECASE)


def format_id(seq: int) -> str:
    """Format a register sequence number as an entry id.

    Examples
    --------
    >>> format_id(7), format_id(12345)
    ('CIR-0007', 'CIR-12345')
    """
    return f"{ID_PREFIX}{seq:04d}"


def parse_id(entry_id: str) -> int | None:
    """Return the sequence number behind an entry id, or ``None`` if it is not one.

    ``CIR-0007``, ``cir-7`` and ``7`` all name entry 7.

    Examples
    --------
    >>> parse_id("CIR-0007"), parse_id("cir-7"), parse_id("7"), parse_id("X-1")
    (7, 7, 7, None)
    """
    match = _ID.match(str(entry_id))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


class HistoryEvent(FrozenModel):
    """One audited change: who, when, what, and the status from and to.

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> event = reg.accept("CIR-0001", owner="ops", by="dana").history[-1]
    >>> event.by, event.action, event.from_status, event.to_status
    ('dana', 'accept', 'new', 'accepted')
    """

    at: UtcDatetime
    by: str
    action: str
    from_status: str | None = Field(default=None, serialization_alias="from")
    to_status: str | None = Field(default=None, serialization_alias="to")
    detail: dict[str, Any] = Field(default_factory=dict)


class EvidenceRecord(FrozenModel):
    """One detection attached to an entry (``suppressed`` ones were seen but not acted on).

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> [(e.at.date().isoformat(), e.value, e.suppressed) for e in reg.get("CIR-0001").evidence]
    [('2024-03-07', 14.0, False)]
    """

    at: UtcDatetime
    value: float | None
    score: float | None
    magnitude: float | None
    scan_at: UtcDatetime
    fingerprint: str
    suppressed: bool = False
    detail: dict[str, Any] = Field(default_factory=dict)


class Measurement(FrozenModel):
    """A follow-up measurement of an accepted entry's KPI slice.

    Examples
    --------
    >>> from datetime import date
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> entry = reg.add_measurement("CIR-0001", date(2024, 4, 1), 9.0, "improving")
    >>> entry.measurements[0].verdict
    'improving'
    """

    at: UtcDatetime
    value: float | None
    verdict: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Mute(FrozenModel):
    """Feedback from a ``noise`` rejection: a (KPI, slice) muted for a while.

    Detections on the slice file nothing until ``until`` unless their magnitude
    reaches ``magnitude_floor``. Detectors may also multiply their threshold by
    ``threshold_factor`` for the slice.

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> _ = reg.reject("CIR-0001", reason="noise: batch jobs")
    >>> mute = reg.muted(Candidate.example())
    >>> mute.entry_id, mute.threshold_factor, mute.magnitude_floor
    ('CIR-0001', 1.5, 9.0)
    """

    slice_key: str
    dataset: str
    kpi: str
    dimensions: dict[str, Any]
    until: UtcDatetime
    threshold_factor: float
    magnitude_floor: float | None
    entry_id: str
    reason: str
    count: int

    def active(self, at: datetime) -> bool:
        """Tell whether the mute still holds at `at`."""
        return at < self.until

    def describe(self) -> str:
        """Say what the mute does, in one line."""
        floor = (
            ""
            if self.magnitude_floor is None
            else f", floor |magnitude| {self.magnitude_floor:.4g}"
        )
        return (
            f"muted until {self.until.date().isoformat()} after 'noise' rejection of "
            f"{self.entry_id} (threshold x{self.threshold_factor:.3g}{floor})"
        )


class Entry(FrozenModel):
    """A Continual Improvement Register entry with its evidence, history and measurements.

    ``target`` is the agreed target when one was set on acceptance, otherwise the
    suggested one; ``base_value`` and ``target_value`` are ServiceNow CIM's fields.
    ``version`` counts triage edits (the optimistic lock) and supersession by a
    linked entry; appending evidence does not bump it.

    What was known at first detection is frozen: ``title``, ``description``, ``window``,
    ``baseline``, ``current``, ``magnitude``, ``score`` and the evidence plot
    (``evidence_plot``, also stored in the register when ``evidence_plot_stored``).
    Later detections update ``last_seen``, ``occurrences`` and ``latest`` (their window,
    value, score and kind); a change of kind is audited as ``reclassified``.

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> entry = reg.accept("CIR-0001", owner="ops", target=7.5)
    >>> entry.status, entry.base_value, entry.target_value, entry.version
    ('accepted', 8.0, 7.5, 2)
    >>> sorted(entry.to_json())[:6]
    ['base_value', 'baseline', 'benefit', 'benefits', 'closure_code', 'created_at']
    """

    id: str
    title: str
    description: str
    status: str
    closure_code: str | None
    kind: Kind
    direction: str
    priority: int
    priority_reason: str
    owner: str | None
    kpi: Kpi
    dimensions: dict[str, Any]
    window: Window
    baseline: dict[str, Any]
    current: dict[str, Any]
    target: Target | None
    suggested_target: Target | None
    base_value: float | None
    target_value: float | None
    benefits: dict[str, Any] | None
    csf: str | None
    objective: str | None
    score: float
    magnitude: float
    source: dict[str, Any]
    evidence_plot: str | None
    evidence_plot_stored: bool = False
    latest: dict[str, Any] | None = None
    fingerprint: str
    generation: int
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    occurrences: int
    duplicate_of: str | None
    linked_to: str | None
    link_kind: str | None
    progress: str | None
    progress_detail: dict[str, Any] | None
    progress_at: UtcDatetime | None
    feedback: dict[str, Any] | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int
    evidence: list[EvidenceRecord] = Field(default_factory=list)
    history: list[HistoryEvent] = Field(default_factory=list)
    measurements: list[Measurement] = Field(default_factory=list)
    #: Other entries about the same slice value at about the same time (computed on read).
    related: list[Related] = Field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """What an owner should know that the fields alone do not say: links, snoozes, mutes."""
        notes = []
        if self.duplicate_of:
            notes.append(f"duplicate of {self.duplicate_of}: later detections go there")
        if self.linked_to:
            kind = (self.link_kind or "linked_to").replace("_", " ")
            notes.append(f"{kind} {self.linked_to}")
        feedback = self.feedback or {}
        if self.status in ("rejected", "closed") and "snoozed_until" in feedback:
            until = feedback["snoozed_until"]
            when = "for good" if until is None else f"until {str(until)[:10]}"
            above = feedback.get("renotify_above")
            grow = f" unless |magnitude| reaches {above:.4g}" if above else ""
            notes.append(f"snoozed {when}{grow}: re-detections file no new entry")
        mute = feedback.get("mute")
        if mute:
            notes.append(f"feedback: (KPI, slice) {Mute.model_validate(mute).describe()}")
        kinds = [e for e in self.history if e.action == "reclassified"]
        if kinds:
            first = kinds[0].detail.get("kind_from")
            # The scan's night, not the wall clock (an older history row has only the latter).
            night = str(kinds[-1].detail.get("scan_at") or kinds[-1].at.isoformat())[:10]
            notes.append(
                f"re-detected as {self.kind.replace('_', ' ')} on "
                f"{night} (first filed as "
                f"{str(first).replace('_', ' ')}): one episode, one entry"
            )
        relapses = [e for e in self.history if e.action == "relapse"]
        if relapses:
            last = relapses[-1].detail
            notes.append(f"relapsed on {str(last.get('at'))[:10]}: {last.get('reason', '')}")
        suggestion = (self.progress_detail or {}).get("suggestion")
        if suggestion:
            notes.append(f"suggestion: {suggestion}")
        return notes

    def to_json(self) -> dict[str, Any]:
        """Return the entry as the README's "Entry JSON" contract, plus extra fields.

        Dates are ISO 8601 strings. ``history`` items carry ``from``/``to`` (and
        ``from_status``/``to_status``); ``notes`` says what the fields imply.
        """
        data = self.model_dump(mode="json", by_alias=True)
        data["measurements"] = [
            {**m["detail"], "at": m["at"], "value": m["value"], "verdict": m["verdict"]}
            for m in data["measurements"]
        ]
        for event in data["history"]:
            event["from_status"], event["to_status"] = event["from"], event["to"]
        data["benefit"] = data["benefits"]
        data["notes"] = self.notes
        result: dict[str, Any] = jsonable(data)
        return result

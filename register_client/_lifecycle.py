"""Lifecycle rules: allowed transitions and what a re-detection does to an entry.

Everything here is pure: no database, no clock. :func:`decide` is the dedup
rule table that filing applies to every candidate, after following ``duplicate``
entries to their primary.

=================================  ==================================================
The entry answering for the        A new detection (same fingerprint)
fingerprint is ...
=================================  ==================================================
(none)                             files a new entry, unless the slice is muted
new, accepted, in_progress,        appends the evidence, bumps ``last_seen`` and
monitoring (open)                  ``occurrences``: never a second entry
rejected                           is suppressed while snoozed (``rejected_snooze``
                                   after the rejection) unless its magnitude grew
                                   to ``renotify_ratio`` x the rejected one; then,
                                   or after the snooze, a new entry linked to it
                                   (``renotify_of``); the old one stays rejected
duplicate                          goes to the primary entry (rules apply there)
closed, successful                 a regression: new entry linked (``regression_of``)
closed, unsuccessful               a recurrence: new entry linked (``recurrence_of``)
closed, withdrawn                  as rejected
=================================  ==================================================

Detections no newer than the latest evidence of a rejected or closed entry are
old news and are suppressed. A muted slice (``noise`` feedback) suppresses new
and linked entries whose magnitude stays below the mute's floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ._types import as_utc

__all__ = [
    "CLOSURE_CODES",
    "OPEN_STATUSES",
    "STATUSES",
    "TRANSITIONS",
    "Decision",
    "Head",
    "Policy",
    "allowed",
    "decide",
    "snoozed_until",
]

STATUSES = ("new", "accepted", "rejected", "duplicate", "in_progress", "monitoring", "closed")
OPEN_STATUSES = frozenset({"new", "accepted", "in_progress", "monitoring"})
FOLLOW_UP_STATUSES = ("accepted", "in_progress", "monitoring")
CLOSURE_CODES = ("successful", "unsuccessful", "withdrawn")

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"accepted", "rejected", "duplicate", "closed"}),
    "accepted": frozenset({"in_progress", "monitoring", "rejected", "duplicate", "closed"}),
    "in_progress": frozenset({"accepted", "monitoring", "closed"}),
    "monitoring": frozenset({"in_progress", "closed"}),
    "rejected": frozenset({"new"}),
    "duplicate": frozenset({"new"}),
    "closed": frozenset(),
}
"""Status -> statuses it may move to. ``rejected``/``duplicate`` only reopen to ``new``."""


def allowed(from_status: str, to_status: str) -> bool:
    """Tell whether the lifecycle allows ``from_status -> to_status``.

    Examples
    --------
    >>> allowed("new", "accepted"), allowed("closed", "accepted")
    (True, False)
    """
    return to_status in TRANSITIONS.get(from_status, frozenset())


@dataclass(frozen=True)
class Policy:
    """Tunable lifecycle rules.

    Parameters
    ----------
    rejected_snooze : timedelta or None, default 90 days
        How long a rejected (or withdrawn) entry silences its fingerprint. ``None``
        silences it for good, unless the magnitude grows.
    renotify_ratio : float, default 1.5
        A detection whose absolute magnitude is at least this multiple of the
        rejected entry's breaks the snooze.
    noise_mute : timedelta, default 60 days
        How long a ``noise`` rejection mutes its (KPI, slice).
    noise_threshold_step : float, default 1.5
        Each ``noise`` rejection multiplies the slice's threshold factor by this.

    Examples
    --------
    >>> Policy().renotify_ratio
    1.5
    """

    rejected_snooze: timedelta | None = timedelta(days=90)
    renotify_ratio: float = 1.5
    noise_mute: timedelta = timedelta(days=60)
    noise_threshold_step: float = 1.5


@dataclass(frozen=True)
class Head:
    """The entry that answers for a fingerprint, as :func:`decide` needs it."""

    entry_id: str
    status: str
    closure_code: str | None
    snoozed_until: datetime | None
    magnitude: float
    last_evidence_at: datetime | None


@dataclass(frozen=True)
class Decision:
    """What filing does with one candidate.

    ``action`` is ``create`` (first entry), ``append`` (evidence on the head),
    ``link`` (new entry linked to the head, ``link_kind`` says why) or
    ``suppress``; ``reason`` says why, in words.
    """

    action: Literal["create", "append", "link", "suppress"]
    reason: str
    link_kind: str | None = None


def decide(
    head: Head | None,
    *,
    evidence_at: datetime,
    magnitude: float,
    scan_at: datetime,
    policy: Policy,
    mute_floor: float | None = None,
    mute_note: str = "",
) -> Decision:
    """Apply the dedup rules to one detection.

    Parameters
    ----------
    head : Head or None
        The entry answering for the fingerprint (duplicates already followed).
        Its ``snoozed_until`` (``None``: for good) matters once it is rejected.
    evidence_at : datetime
        When the detection happened, in data time.
    magnitude : float
        How large it is; compared in absolute value.
    scan_at : datetime
        The scan's time, which snoozes are measured against.
    policy : Policy
        The rules' parameters.
    mute_floor : float or None
        If the slice is muted, the magnitude a detection needs to get through.
    mute_note : str
        Why the slice is muted, for the reason.

    Returns
    -------
    Decision

    Examples
    --------
    >>> from datetime import datetime
    >>> t = datetime(2024, 3, 1)
    >>> decide(None, evidence_at=t, magnitude=2.0, scan_at=t, policy=Policy()).action
    'create'
    >>> h = Head("CIR-0001", "closed", "successful", t, 2.0, t)
    >>> d = decide(h, evidence_at=datetime(2024, 4, 1), magnitude=2.0, scan_at=t, policy=Policy())
    >>> d.action, d.link_kind
    ('link', 'regression_of')
    """
    muted = mute_floor is not None and abs(magnitude) < mute_floor
    if head is None:
        if muted:
            return Decision("suppress", f"slice muted: {mute_note}")
        return Decision("create", "first detection")
    if head.status in OPEN_STATUSES:
        return Decision("append", f"re-detected; evidence added to open entry {head.entry_id}")
    if head.last_evidence_at is not None and evidence_at <= head.last_evidence_at:
        return Decision(
            "suppress", f"not newer than the latest evidence of {head.entry_id} ({head.status})"
        )
    if head.status == "closed" and head.closure_code in ("successful", "unsuccessful"):
        kind = "regression_of" if head.closure_code == "successful" else "recurrence_of"
        if muted:
            return Decision("suppress", f"slice muted: {mute_note}")
        return Decision("link", f"{kind.split('_')[0]} after {head.entry_id} was closed", kind)
    # rejected, or closed as withdrawn
    grown = abs(magnitude) >= policy.renotify_ratio * abs(head.magnitude) > 0
    snoozed = head.snoozed_until is None or scan_at < head.snoozed_until
    label = "rejected" if head.status == "rejected" else "withdrawn"
    if snoozed and not grown:
        return Decision(
            "suppress",
            f"{head.entry_id} was {label}; snoozed and magnitude {abs(magnitude):.4g} "
            f"below {policy.renotify_ratio:g} x {abs(head.magnitude):.4g}",
        )
    if muted:
        return Decision("suppress", f"slice muted: {mute_note}")
    why = "magnitude grew" if grown else "snooze expired"
    return Decision("link", f"{why} since {head.entry_id} was {label}", "renotify_of")


def snoozed_until(
    feedback: dict[str, Any] | None, status_changed_at: datetime, policy: Policy
) -> datetime | None:
    """Return when a rejected or withdrawn entry stops silencing its fingerprint.

    The time recorded at rejection wins; entries without one (rejected before the
    register recorded it) count from their last status change. ``None`` means never.
    """
    feedback = feedback or {}
    if "snoozed_until" in feedback:
        until = feedback["snoozed_until"]
        return None if until is None else as_utc(until)
    if policy.rejected_snooze is None:
        return None
    return as_utc(status_changed_at) + policy.rejected_snooze

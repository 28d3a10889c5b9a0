"""The triage actions a signed-in person can take, shared by the forms and the JSON API.

Each action is one call of the register's triage API with the signed-in user as
``by``, so it lands in the audit trail under their name and obeys the same lifecycle
rules and validation as ``radar entries ...``. This module only turns form fields into
arguments and checks the role: who may act on which entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from register_client import (
    ConcurrentEditError,
    Entry,
    EntryNotFound,
    InvalidTransition,
    InvalidTriage,
    Register,
    RegisterError,
    User,
)

__all__ = ["ACTIONS", "Forbidden", "UnknownAction", "error_status", "perform"]

Fields = Mapping[str, str]


class Forbidden(RegisterError):
    """The signed-in user's role does not allow the action on this entry."""


class UnknownAction(RegisterError):
    """No action has that name."""


@dataclass(frozen=True)
class Action:
    """One triage action: its label, the form fields it reads, and the register call."""

    label: str
    fields: tuple[str, ...]
    call: Callable[[Register, str, Fields, str, int | None], Entry]


def _text(entry_id: str, fields: Fields, name: str, *, required: bool = False) -> str:
    value = str(fields.get(name) or "").strip()
    if required and not value:
        raise InvalidTriage(entry_id, name, value, f"{name} is required")
    return value


def _number(entry_id: str, fields: Fields, name: str) -> float | None:
    raw = _text(entry_id, fields, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidTriage(entry_id, name, raw, "expected a number") from None
    if not math.isfinite(value):
        raise InvalidTriage(entry_id, name, raw, "a target must be a finite number")
    return value


def _date(entry_id: str, fields: Fields, name: str) -> datetime | None:
    raw = _text(entry_id, fields, name)
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d")
    except ValueError:
        raise InvalidTriage(entry_id, name, raw, "expected a date YYYY-MM-DD") from None


def _accept(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    return reg.accept(
        eid,
        owner=_text(eid, f, "owner", required=True),
        target=_number(eid, f, "target"),
        target_by=_date(eid, f, "target_by"),
        by=by,
        expected_version=version,
    )


def _reject(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    reason = _text(eid, f, "reason", required=True)
    noise = str(f.get("noise") or "").lower() in ("on", "1", "true", "yes")
    if noise and not reason.lower().startswith("noise"):
        reason = f"noise: {reason}"  # the register's convention: a first word 'noise' mutes
    return reg.reject(eid, reason=reason, by=by, expected_version=version)


def _duplicate(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    of = _text(eid, f, "of", required=True)
    return reg.mark_duplicate(eid, of=of, by=by, expected_version=version)


def _assign(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    owner = _text(eid, f, "owner") or None
    return reg.assign(eid, owner=owner, by=by, expected_version=version)


def _target(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    value = _number(eid, f, "target")
    if value is None:
        raise InvalidTriage(eid, "target", "", "target is required")
    when = _date(eid, f, "target_by")
    return reg.set_target(eid, value, target_by=when, by=by, expected_version=version)


def _priority(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    raw = _text(eid, f, "priority", required=True)
    if not raw.isdigit():
        raise InvalidTriage(eid, "priority", raw, "expected an integer 1-5")
    reason = _text(eid, f, "reason")
    return reg.set_priority(eid, int(raw), reason=reason, by=by, expected_version=version)


def _close(reg: Register, eid: str, f: Fields, by: str, version: int | None) -> Entry:
    code = _text(eid, f, "code", required=True)
    return reg.close(eid, code=code, note=_text(eid, f, "note"), by=by, expected_version=version)


ACTIONS: dict[str, Action] = {
    "accept": Action("Accept", ("owner", "target", "target_by"), _accept),
    "reject": Action("Reject", ("reason", "noise"), _reject),
    "duplicate": Action("Mark duplicate", ("of",), _duplicate),
    "assign": Action("Assign", ("owner",), _assign),
    "target": Action("Set target", ("target", "target_by"), _target),
    "priority": Action("Set priority", ("priority", "reason"), _priority),
    "start": Action(
        "Start", ("note",), lambda r, e, f, by, v: r.start(e, by=by, note=_text(e, f, "note"))
    ),
    "monitor": Action(
        "Monitor", ("note",), lambda r, e, f, by, v: r.monitor(e, by=by, note=_text(e, f, "note"))
    ),
    "close": Action("Close", ("code", "note"), _close),
    "reopen": Action(
        "Reopen",
        ("reason",),
        lambda r, e, f, by, v: r.reopen(e, reason=_text(e, f, "reason", required=True), by=by),
    ),
    "comment": Action(
        "Comment",
        ("text",),
        lambda r, e, f, by, v: r.comment(e, _text(e, f, "text", required=True), by=by),
    ),
}
"""Action name (the last part of ``POST /entries/{id}/{name}``) -> what it does."""


def perform(register: Register, user: User, entry_id: str, name: str, fields: Fields) -> Entry:
    """Run action `name` on `entry_id` as `user`, if their role allows it.

    A ``version`` field, when present, is the entry version the person saw: if the
    entry changed since, nothing is written (:class:`ConcurrentEditError`).

    Raises
    ------
    UnknownAction, Forbidden
        For an action that does not exist or that the user may not take.
    RegisterError
        Whatever the register refuses, with its one-line message.
    """
    action = ACTIONS.get(name)
    if action is None:
        raise UnknownAction(f"no action {name!r}; one of: {', '.join(ACTIONS)}")
    entry = register.get(entry_id)
    if not user.may_act_on_entry(entry):
        routed = f"routed to {entry.owner!r}" if entry.owner else "unrouted"
        raise Forbidden(f"{user.name} ({user.role}) may not act on {entry.id}, {routed}")
    raw = str(fields.get("version") or "").strip()
    version = int(raw) if raw.isdigit() else None
    return action.call(register, entry.id, fields, user.name, version)


def error_status(exc: Exception) -> int:
    """Return the HTTP status for an error a triage action raised."""
    statuses: list[tuple[type[Exception], int]] = [
        (EntryNotFound, 404),
        (UnknownAction, 404),
        (Forbidden, 403),
        (InvalidTransition, 409),
        (ConcurrentEditError, 409),
    ]
    return next((code for cls, code in statuses if isinstance(exc, cls)), 400)

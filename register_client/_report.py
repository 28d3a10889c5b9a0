"""What filing reports: one :class:`Outcome` per candidate, grouped in a :class:`FileReport`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._types import FrozenModel, UtcDatetime

__all__ = ["FileReport", "Outcome"]


class Outcome(FrozenModel):
    """What filing did with one candidate.

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> outcome = connect("sqlite://").file([Candidate.example()]).created[0]
    >>> outcome.action, outcome.id, outcome.reason
    ('created', 'CIR-0001', 'first detection')
    """

    action: Literal["created", "updated", "linked", "suppressed", "unchanged"]
    entry_id: str | None
    fingerprint: str
    title: str
    reason: str
    linked_to: str | None = None

    @property
    def id(self) -> str | None:
        """The entry filed or updated (``None`` for a suppression with no entry)."""
        return self.entry_id


class FileReport(FrozenModel):
    """The result of one :meth:`Register.file` call.

    ``created`` holds new entries, ``linked`` ones among them that continue an
    older entry; ``updated`` open entries that got new evidence; ``suppressed``
    detections the lifecycle or feedback held back (with reasons); ``unchanged``
    detections already filed (a retried or repeated scan).

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> first = reg.file([Candidate.example()])
    >>> again = reg.file([Candidate.example()])
    >>> len(first.created), len(again.created), len(again.unchanged)
    (1, 0, 1)
    """

    scan_at: UtcDatetime
    created: list[Outcome] = Field(default_factory=list)
    updated: list[Outcome] = Field(default_factory=list)
    suppressed: list[Outcome] = Field(default_factory=list)
    unchanged: list[Outcome] = Field(default_factory=list)

    @property
    def linked(self) -> list[Outcome]:
        """The created entries that are linked to an older one."""
        return [o for o in self.created if o.action == "linked"]

    @property
    def outcomes(self) -> list[Outcome]:
        """Every outcome, in filing order within each group."""
        return [*self.created, *self.updated, *self.suppressed, *self.unchanged]

    def to_json(self) -> dict[str, Any]:
        """Return the report as plain JSON data, e.g. for a Prefect artifact."""
        result: dict[str, Any] = self.model_dump(mode="json")
        return result

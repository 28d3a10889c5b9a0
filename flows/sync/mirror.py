"""What the sync needs from an external tool (Jira, ServiceNow): the :class:`Mirror` protocol."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from flows.sync.content import Content

__all__ = ["Mirror", "Remote", "RemoteStatus"]


class Remote(NamedTuple):
    """An external record: its key (``CI-12``, a CIM number's sys_id) and internal id."""

    key: str
    id: str


class RemoteStatus(NamedTuple):
    """An external record's status, what it means for the register, and who set it.

    ``wanted`` is a register status (rejected, closed, in_progress, accepted) or
    ``None`` when the status asks nothing of the register (to do, new).
    """

    label: str
    wanted: str | None
    by: str
    assignee: str | None


class Mirror(Protocol):
    """An external tool that mirrors register entries."""

    target: str
    settle_seconds: float

    def find_all(self) -> dict[str, Remote]:
        """Return the records that search sees, by ``entry id/fingerprint``."""

    def find(self, content: Content) -> Remote | None:
        """Return the entry's record if search sees it."""

    def create(self, content: Content, idempotency_key: str) -> Remote:
        """Create the entry's record."""

    def update(self, key: str, content: Content) -> None:
        """Rewrite the record from the entry."""

    def comment(self, key: str, text: str, marker: str) -> None:
        """Add a comment (or work note) tagged with `marker`."""

    def has_comment(self, key: str, marker: str) -> bool:
        """Tell whether a comment tagged with `marker` exists."""

    def status(self, key: str) -> RemoteStatus:
        """Read the record's status back."""

    def close(self) -> None:
        """Release connections."""

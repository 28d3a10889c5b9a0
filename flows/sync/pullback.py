"""Status changes made in Jira or ServiceNow, applied as register triage actions.

Every action goes through the register's triage API, so the lifecycle rules and
the audit trail are the same as from the CLI or the web page; the audit names the
external user (``jira:Ana Lima``). A rejection snoozes the fingerprint exactly as
``radar entries reject`` does, so the next scan suppresses the finding.

================  ============================================================
remote means      register action, from the entry's current status
================  ============================================================
rejected          reject (new, accepted)
accepted          accept (new), owner = the assignee or the external user
in_progress       accept if new, then start
monitoring        accept if new, then monitor
closed            accept if new, then close as successful
================  ============================================================

A change the lifecycle refuses (the entry was closed meanwhile) is reported as a
conflict and left for a person: the register is the ledger.
"""

from __future__ import annotations

from flows.sync.mirror import RemoteStatus
from register_client import Entry, InvalidTransition, Register

__all__ = ["apply_status"]


def apply_status(
    register: Register, entry: Entry, remote: RemoteStatus, target: str, key: str
) -> str | None:
    """Apply one remote status to the entry; return what was done, or ``None``.

    Returns
    -------
    str or None
        ``"accepted"``, ``"rejected"``, ... for an applied change, ``"conflict: ..."``
        when the lifecycle refuses it, ``None`` when nothing needs doing.
    """
    wanted = remote.wanted
    if wanted is None or wanted == entry.status:
        return None
    by = f"{target}:{remote.by}"
    note = f"{remote.label} in {target} {key}"
    owner = entry.owner or remote.assignee or remote.by
    status = entry.status
    done: list[str] = []
    try:
        if wanted == "rejected":
            register.reject(entry.id, reason=f"{note} by {remote.by}", by=by)
            return "rejected"
        if status == "new":
            register.accept(entry.id, owner=owner, by=by)
            status = "accepted"
            done.append("accepted")
        if wanted == "in_progress" and status == "accepted":
            register.start(entry.id, by=by, note=note)
            done.append("in_progress")
        elif wanted == "monitoring" and status in ("accepted", "in_progress"):
            register.monitor(entry.id, by=by, note=note)
            done.append("monitoring")
        elif wanted == "closed":
            register.close(entry.id, code="successful", note=note, by=by)
            done.append("closed")
    except InvalidTransition as exc:
        return f"conflict: {exc}"
    return ", ".join(done) or None

"""The Continual Improvement Register (CIR): file findings once, triage them, follow them up.

Contract
--------
* :func:`connect` opens a register on SQLite (embedded default) or PostgreSQL
  (psycopg 3) and applies the Alembic migrations shipped in this package.
* :meth:`Register.file` files a scan's :class:`Candidate` objects in one
  transaction, exactly once: the :func:`fingerprint` (dataset, KPI, slice, kind,
  direction; never values or dates) and the evidence time are idempotency keys,
  and the lifecycle rules decide what a re-detection does.
* Triage methods move entries through new, accepted, in_progress, monitoring,
  rejected, duplicate and closed, refusing invalid transitions and auditing
  every change; :meth:`Entry.to_json` is the README's "Entry JSON" contract.
* :class:`SyncOutbox` is the ledger side of external syncs (Jira, ServiceNow):
  intents recorded before each external call, links to the external records,
  one lock per target.
* Local users (:meth:`Register.add_user`, :meth:`Register.authenticate`) carry a
  role (viewer, owner, admin) that says which entries they may act on.
* Every failure is a :class:`RegisterError` with a one-line message.

It imports nothing from Prefect, Great Expectations or scikit-learn.

Examples
--------
>>> reg = connect("sqlite://")
>>> report = reg.file([Candidate.example()])
>>> entry = reg.get(report.created[0].entry_id)
>>> entry.id, entry.status, entry.to_json()["kpi"]["better"]
('CIR-0001', 'new', 'lower')
"""

from ._benefit import benefit_text
from ._candidate import Candidate, fingerprint, slice_key
from ._entry import Entry, EvidenceRecord, HistoryEvent, Measurement, Mute
from ._errors import (
    ConcurrentEditError,
    EntryError,
    EntryNotFound,
    FilingError,
    InvalidTransition,
    InvalidTriage,
    InvalidURL,
    MigrationError,
    RegisterError,
    RegisterNotFound,
    RegisterUnavailable,
)
from ._feedback import is_noise
from ._follow_up import IMPROVED, VERDICTS
from ._kinds import KINDS, Kind
from ._lifecycle import CLOSURE_CODES, FOLLOW_UP_STATUSES, STATUSES, TRANSITIONS, Policy
from ._outbox import SyncBusy, SyncIntent, SyncLink, SyncOutbox
from ._parts import (
    Baseline,
    Current,
    DetectorInfo,
    Evidence,
    GateInfo,
    Kpi,
    Source,
    Target,
    Window,
    value_text,
)
from ._register import Register, connect
from ._related import Related, related_text
from ._report import FileReport, Outcome
from ._users import ROLES, SignInPolicy, SignInRefused, User, UserError

__all__ = [
    "CLOSURE_CODES",
    "FOLLOW_UP_STATUSES",
    "IMPROVED",
    "KINDS",
    "ROLES",
    "STATUSES",
    "TRANSITIONS",
    "VERDICTS",
    "Baseline",
    "Candidate",
    "ConcurrentEditError",
    "Current",
    "DetectorInfo",
    "Entry",
    "EntryError",
    "EntryNotFound",
    "Evidence",
    "EvidenceRecord",
    "FileReport",
    "FilingError",
    "GateInfo",
    "HistoryEvent",
    "InvalidTransition",
    "InvalidTriage",
    "InvalidURL",
    "Kind",
    "Kpi",
    "Measurement",
    "MigrationError",
    "Mute",
    "Outcome",
    "Policy",
    "Register",
    "RegisterError",
    "RegisterNotFound",
    "RegisterUnavailable",
    "Related",
    "SignInPolicy",
    "SignInRefused",
    "Source",
    "SyncBusy",
    "SyncIntent",
    "SyncLink",
    "SyncOutbox",
    "Target",
    "User",
    "UserError",
    "Window",
    "benefit_text",
    "connect",
    "fingerprint",
    "is_noise",
    "related_text",
    "slice_key",
    "value_text",
]

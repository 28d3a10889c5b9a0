"""The :class:`Register`: connect, file candidates, list and read entries."""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from ._candidate import Candidate, validate_candidates
from ._engine import (
    backend_name,
    make_engine,
    migrate,
    parse_url,
    require_register,
    unavailable,
)
from ._entry import Entry
from ._errors import EntryNotFound, RegisterError
from ._filing import file_batch
from ._follow_up import FollowUpMixin
from ._gate_history import GateHistoryMixin
from ._lifecycle import STATUSES, Policy
from ._plots import PlotsMixin
from ._read import load_entries
from ._report import FileReport, Outcome
from ._schema import entries
from ._triage import read_row
from ._triage_api import TriageMixin
from ._types import as_utc
from ._users import UsersMixin

__all__ = ["Register", "connect"]

T = TypeVar("T")
log = logging.getLogger("register_client")
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available


def _transient(exc: DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(orig)


class Register(TriageMixin, FollowUpMixin, GateHistoryMixin, PlotsMixin, UsersMixin):
    """A Continual Improvement Register on SQLite or PostgreSQL.

    Build it with :func:`connect`. Every method runs in one transaction and
    either completes or changes nothing.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The database, as made by :func:`connect`.
    policy : Policy, optional
        Lifecycle parameters (snooze, re-notify ratio, noise mutes).
    clock : callable, optional
        Returns "now"; tests pass a fixed clock.
    retries : int, default 5
        Attempts, with exponential backoff, after a deadlock or serialisation failure.

    Examples
    --------
    >>> reg = connect("sqlite://")
    >>> report = reg.file([Candidate.example()])
    >>> [o.entry_id for o in report.created]
    ['CIR-0001']
    >>> reg.file([Candidate.example()]).unchanged[0].reason
    'detection already filed'
    >>> reg.accept("CIR-0001", owner="ops-lead", target=8.0).status
    'accepted'
    """

    def __init__(
        self,
        engine: Engine,
        *,
        policy: Policy | None = None,
        clock: Callable[[], datetime] | None = None,
        retries: int = 5,
    ) -> None:
        self.engine = engine
        self.policy = policy or Policy()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._retries = retries

    # -- plumbing -------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Register({self.url!r})"

    @property
    def url(self) -> str:
        """The register's URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def now(self) -> datetime:
        """Return the register's notion of now (aware UTC)."""
        return as_utc(self._clock())

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest revision; safe to repeat and to race."""
        migrate(self.engine, self.url)

    def dispose(self) -> None:
        """Release the register's database connections."""
        self.engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def _run(self, work: Callable[[Connection], T], *, retry_integrity: bool = False) -> T:
        delay = 0.05
        for attempt in range(self._retries + 1):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except RegisterError:
                raise
            except DBAPIError as exc:
                # A unique-key race is retried once (the rerun sees the winner's rows);
                # a constraint that fails twice is a real error, not a race.
                raced = retry_integrity and isinstance(exc, IntegrityError) and attempt == 0
                again = _transient(exc) or raced
                if again and attempt < self._retries:
                    log.info("register: retrying after %s", str(exc.orig).splitlines()[0])
                    time.sleep(delay)
                    delay *= 2
                    continue
                if exc.connection_invalidated or type(exc.orig).__name__ == "OperationalError":
                    raise unavailable(self.engine.url, exc) from exc
                reason = str(exc.orig).splitlines()[0]
                raise RegisterError(
                    f"register at {backend_name(self.engine.url)}: {reason}"
                ) from exc
            except SQLAlchemyError as exc:
                reason = str(exc).splitlines()[0]
                raise RegisterError(
                    f"register at {backend_name(self.engine.url)}: {reason}"
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def scan_clock(self, conn: Connection) -> datetime:
        """Return the time that snoozes and mutes start from: the latest scan, or now.

        Using the latest scan time rather than the wall clock keeps snoozes
        meaningful in replays (``radar scan --from/--to``), whose scans run in
        the past.
        """
        latest: datetime | None = conn.execute(select(func.max(entries.c.last_seen))).scalar_one()
        now = self.now()
        return now if latest is None else min(now, as_utc(latest))

    # -- filing ---------------------------------------------------------------------------
    def file(
        self,
        candidates: Iterable[Candidate | Mapping[str, Any]],
        *,
        scan_at: datetime | None = None,
        by: str = "scan",
    ) -> FileReport:
        """File a scan's candidates in one transaction, exactly once.

        Re-filing a detection already filed changes nothing; a new detection of an
        open entry's fingerprint appends evidence; the lifecycle rules
        (:mod:`register_client._lifecycle`) decide the rest.

        Parameters
        ----------
        candidates : iterable of Candidate or mapping
            The scan's candidates, in any order; mappings are validated first.
        scan_at : datetime, optional
            The scan's time (``--as-of`` in replays); default now.
        by : str, default "scan"
            Who files, for the audit trail (e.g. the flow run id).

        Returns
        -------
        FileReport

        Raises
        ------
        FilingError
            If a mapping is not a valid candidate; nothing is filed.
        """
        at = as_utc(scan_at) if scan_at is not None else self.now()
        # A global order over fingerprints (then evidence time) is what keeps two
        # concurrent scans from deadlocking on each other's locks.
        batch = sorted(
            validate_candidates(candidates), key=lambda c: (c.fingerprint, c.evidence.at)
        )

        def work(conn: Connection) -> list[Outcome]:
            return file_batch(conn, batch, scan_at=at, now=self.now(), by=by, policy=self.policy)

        outcomes = self._run(work, retry_integrity=True)
        groups: dict[str, list[Outcome]] = {
            "created": [],
            "updated": [],
            "suppressed": [],
            "unchanged": [],
        }
        for o in outcomes:
            groups["created" if o.action == "linked" else o.action].append(o)
        return FileReport(scan_at=at, **groups)

    # -- reading --------------------------------------------------------------------------
    def list(
        self, status: str | Iterable[str] | None = None, *, dataset: str | None = None
    ) -> builtins.list[Entry]:
        """List entries, oldest first.

        Parameters
        ----------
        status : str or iterable of str, optional
            Only these statuses, e.g. ``("accepted", "in_progress", "monitoring")``
            or ``"accepted,in_progress"`` (as a command line gives it).
        dataset : str, optional
            Only entries of this dataset.

        Raises
        ------
        RegisterError
            For an unknown status, naming it and the valid ones.
        """
        statuses = None
        if status is not None:
            names = status.split(",") if isinstance(status, str) else list(status)
            statuses = [s.strip() for s in names if s.strip()]
            unknown = [s for s in statuses if s not in STATUSES]
            if unknown:
                raise RegisterError(f"unknown status {unknown[0]!r}; one of: {', '.join(STATUSES)}")
        return self._run(lambda conn: load_entries(conn, statuses=statuses, dataset=dataset))

    def get(self, entry_id: str) -> Entry:
        """Return one entry with its evidence, history and measurements.

        Raises
        ------
        EntryNotFound
            Naming the id, if no entry has it.
        """

        def work(conn: Connection) -> Entry:
            row = read_row(conn, entry_id)
            found = load_entries(conn, seqs=[row.seq])
            if not found:  # pragma: no cover - read_row just saw it
                raise EntryNotFound(entry_id)
            return found[0]

        return self._run(work)


def connect(
    url: str = "sqlite:///.radar/register.db",
    *,
    policy: Policy | None = None,
    connect_timeout: float = 5.0,
    lock_timeout: float = 60.0,
    clock: Callable[[], datetime] | None = None,
    migrate: bool = True,
    create: bool = True,
) -> Register:
    """Open a register, creating or upgrading its schema.

    Read-only callers (``radar entries``, ``web``, ``report``, ``sync``) pass
    ``create=False``: a mistyped path then raises :class:`RegisterNotFound` instead
    of silently making an empty register.

    Parameters
    ----------
    url : str, default "sqlite:///.radar/register.db"
        ``sqlite:///PATH`` (the parent directory is created) or
        ``postgresql://USER@HOST:PORT/DB`` (driven by psycopg 3).
    policy : Policy, optional
        Lifecycle parameters.
    connect_timeout : float, default 5.0
        Seconds before an unreachable server is reported.
    lock_timeout : float, default 60.0
        Seconds a PostgreSQL statement waits behind another writer's row lock
        before the transaction is retried (then reported).
    clock : callable, optional
        Returns "now"; for tests.
    migrate : bool, default True
        Apply the Alembic migrations (idempotent, safe when processes race).
    create : bool, default True
        Create the register if there is none; with False a missing SQLite file,
        PostgreSQL database or schema raises :class:`RegisterNotFound`.

    Returns
    -------
    Register

    Raises
    ------
    InvalidURL
        For a malformed or unsupported URL.
    RegisterUnavailable
        If the database cannot be reached, naming the host.
    RegisterNotFound
        With ``create=False``, if there is no register at the URL (naming the path).
    MigrationError
        If the schema cannot be brought up to date.

    Examples
    --------
    >>> connect("sqlite://").list()
    []
    >>> connect("sqlite:///no/such/dir/register.db", create=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    register_client._errors.RegisterNotFound: no register at /.../no/such/dir/register.db: ...
    """
    parsed = parse_url(url)
    engine = make_engine(
        parsed, connect_timeout=connect_timeout, lock_timeout=lock_timeout, create=create
    )
    if not create:
        try:
            require_register(parsed, engine)
        except RegisterError:
            engine.dispose()
            raise
    register = Register(engine, policy=policy, clock=clock)
    if migrate:
        try:
            register.migrate()
        except RegisterError:
            engine.dispose()
            raise
    return register

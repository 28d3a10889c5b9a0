"""The register's errors: one rooted tree, each error carrying what was asked.

::

    RegisterError             anything the register refuses or cannot do
    ├── InvalidURL            malformed or unsupported register URL    .url
    ├── RegisterUnavailable   the database cannot be reached           .url .host
    ├── RegisterNotFound      no register there, and none may be made  .url .location
    ├── MigrationError        the schema cannot be brought up to date  .url
    ├── FilingError           a candidate cannot be filed              .candidate
    ├── UserError             a user cannot be created                 .name
    ├── SignInRefused         wrong name or password, or throttled     .retry_after
    └── EntryError            an operation on one entry failed         .entry_id
        ├── EntryNotFound        no entry has that id
        ├── InvalidTransition    the lifecycle forbids it          .from_status .to_status
        ├── InvalidTriage        a triage argument is wrong        .field .value
        └── ConcurrentEditError  someone changed the entry first   .expected .actual

Messages are one line and name the entry, URL or candidate, so a command line
can print ``str(error)`` as is. ``retryable`` says whether trying again later can
help (an unreachable database, a lost race), for a flow's retry condition.
Nothing is half-written when an error is raised: every write runs in one
transaction that is rolled back.

Examples
--------
>>> err = EntryNotFound("CIR-0042")
>>> isinstance(err, RegisterError), err.entry_id, err.retryable
(True, 'CIR-0042', False)
>>> str(InvalidTransition("CIR-0001", "closed", "accepted"))
"entry CIR-0001: cannot go from 'closed' to 'accepted'"
"""

from __future__ import annotations

__all__ = [
    "ConcurrentEditError",
    "EntryError",
    "EntryNotFound",
    "FilingError",
    "InvalidTransition",
    "InvalidTriage",
    "InvalidURL",
    "MigrationError",
    "RegisterError",
    "RegisterNotFound",
    "RegisterUnavailable",
]


class RegisterError(Exception):
    """Root of every error the register raises.

    Parameters
    ----------
    message : str
        One line that names what was asked.
    """

    retryable: bool = False
    """Whether the same call may succeed later; validation and lifecycle errors never do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidURL(RegisterError):
    """The register URL is malformed or names an unsupported database.

    Parameters
    ----------
    url : str
        The URL as given (passwords masked).
    reason : str
        What is wrong with it.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"invalid register URL {url!r}: {reason}")
        self.url = url
        self.reason = reason


class RegisterUnavailable(RegisterError):
    """The database behind the register cannot be reached.

    Parameters
    ----------
    url : str
        The URL as given (passwords masked).
    host : str
        ``host:port/db`` for a server, or the file path for SQLite.
    reason : str
        The driver's reason, reduced to one line.
    """

    retryable = True

    def __init__(self, url: str, host: str, reason: str) -> None:
        super().__init__(f"register unavailable at {host}: {reason}")
        self.url = url
        self.host = host
        self.reason = reason


class RegisterNotFound(RegisterError):
    """No register exists at the URL, and the caller may not create one.

    Read commands open a register with ``connect(url, create=False)``: a mistyped path
    or another working directory must be an error, not an empty register.

    Parameters
    ----------
    url : str
        The URL as given (passwords masked).
    location : str
        The resolved file path for SQLite, ``host:port/db`` for a server.
    reason : str
        What is missing: the file, the database, or the register's tables.
    """

    def __init__(self, url: str, location: str, reason: str) -> None:
        super().__init__(
            f"no register at {location}: {reason} "
            "(check --register / RADAR_REGISTER_URL and the working directory; "
            "`radar register init` or `radar scan` creates one)"
        )
        self.url = url
        self.location = location
        self.reason = reason


class MigrationError(RegisterError):
    """The register's schema could not be created or upgraded.

    Parameters
    ----------
    url : str
        The URL as given (passwords masked).
    reason : str
        What went wrong.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot migrate register {url}: {reason}")
        self.url = url
        self.reason = reason


class FilingError(RegisterError):
    """A candidate could not be filed (the batch is not filed either).

    Parameters
    ----------
    candidate : str
        Which candidate: its fingerprint, or its position and title.
    reason : str
        Why it could not be filed.
    """

    def __init__(self, candidate: str, reason: str) -> None:
        super().__init__(f"cannot file candidate {candidate}: {reason}")
        self.candidate = candidate
        self.reason = reason


class EntryError(RegisterError):
    """An operation on one entry failed.

    Parameters
    ----------
    entry_id : str
        The entry asked for, e.g. ``"CIR-0001"``.
    message : str
        One line naming the entry.
    """

    def __init__(self, entry_id: str, message: str) -> None:
        super().__init__(message)
        self.entry_id = entry_id


class EntryNotFound(EntryError):
    """No entry has the id asked for.

    Parameters
    ----------
    entry_id : str
        The id asked for.
    """

    def __init__(self, entry_id: str) -> None:
        super().__init__(entry_id, f"no register entry with id {entry_id!r}")


class InvalidTransition(EntryError):
    """The lifecycle does not allow the requested status change.

    Parameters
    ----------
    entry_id : str
        The entry.
    from_status : str
        Its current status.
    to_status : str
        The status asked for.
    hint : str, optional
        What is allowed instead.
    """

    def __init__(self, entry_id: str, from_status: str, to_status: str, hint: str = "") -> None:
        message = f"entry {entry_id}: cannot go from {from_status!r} to {to_status!r}"
        super().__init__(entry_id, f"{message} ({hint})" if hint else message)
        self.from_status = from_status
        self.to_status = to_status


class InvalidTriage(EntryError):
    """A triage argument is wrong: unknown closure code, priority outside 1-5, ...

    Parameters
    ----------
    entry_id : str
        The entry.
    field : str
        The argument at fault.
    value : object
        The value received.
    allowed : str
        What would have been accepted.
    """

    def __init__(self, entry_id: str, field: str, value: object, allowed: str) -> None:
        super().__init__(entry_id, f"entry {entry_id}: {field}={value!r} is invalid; {allowed}")
        self.field = field
        self.value = value


class ConcurrentEditError(EntryError):
    """Someone else changed the entry between reading and writing it.

    Parameters
    ----------
    entry_id : str
        The entry.
    expected : int
        The version the caller read.
    actual : int or None
        The version found when writing.
    """

    retryable = True

    def __init__(self, entry_id: str, expected: int, actual: int | None) -> None:
        super().__init__(
            entry_id,
            f"entry {entry_id} was changed concurrently (expected version {expected}, "
            f"found {actual}); reload it and try again",
        )
        self.expected = expected
        self.actual = actual

"""Local users of the register: argon2-hashed passwords, roles, and throttled sign-ins.

A user has a role:

* ``viewer`` reads entries;
* ``owner`` also acts on entries routed to them, by name or by one of their groups
  (the routing rules' owners, e.g. ``resolver-group-manager``), and on unrouted ones;
* ``admin`` acts on every entry and manages users.

Failed sign-ins are counted per name and per client address in the register, so a
throttle holds across the web server's processes: after ``max_failures`` failures
within ``window`` the key is locked for ``lockout``, and a correct password is refused
as well until then. An unknown name fails and counts exactly like a wrong password.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field
from sqlalchemy import JSON, Column, Connection, Integer, String, Table, delete, insert, select
from sqlalchemy import update as sql_update

from ._entry import Entry
from ._errors import RegisterError
from ._plumbing import Plumbing
from ._schema import UtcDateTime, metadata
from ._types import FrozenModel, UtcDatetime

__all__ = [
    "ROLES",
    "SignInPolicy",
    "SignInRefused",
    "User",
    "UserError",
    "UsersMixin",
    "sign_in_failures",
    "users",
]

ROLES = ("viewer", "owner", "admin")
Role = Literal["viewer", "owner", "admin"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_MIN_PASSWORD = 8
_hasher = PasswordHasher()

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("groups", JSON, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime),
)


class UserError(RegisterError):
    """A user cannot be created or changed: bad name, role, password, or a clash.

    Parameters
    ----------
    name : str
        The user asked for.
    reason : str
        What is wrong.
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"user {name!r}: {reason}")
        self.name = name


class SignInRefused(RegisterError):
    """A sign-in failed: wrong name or password, or too many failures lately.

    The message never says whether the name exists. ``retry_after`` is the number of
    seconds a throttled key stays locked (0 when not throttled).
    """

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignInPolicy:
    """How failed sign-ins are throttled.

    Examples
    --------
    >>> SignInPolicy().max_failures
    5
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


class User(FrozenModel):
    """A signed-in person: name, role and the routing groups they answer for.

    Examples
    --------
    >>> owner = User(name="ana", role="owner", groups=["service-desk-lead"])
    >>> owner.may_act_on("service-desk-lead"), owner.may_act_on("other"), owner.may_act_on(None)
    (True, False, True)
    >>> User(name="vic", role="viewer").may_act_on("vic")
    False
    """

    name: str
    role: Role
    groups: list[str] = Field(default_factory=list)
    created_at: UtcDatetime | None = None

    @property
    def can_write(self) -> bool:
        """Whether the role acts on entries at all."""
        return self.role in ("owner", "admin")

    def may_act_on(self, owner: str | None) -> bool:
        """Tell whether this user may act on an entry routed to `owner` (``None``: unrouted)."""
        if self.role == "admin":
            return True
        if self.role != "owner":
            return False
        return owner is None or owner == self.name or owner in self.groups

    def may_act_on_entry(self, entry: Entry) -> bool:
        """Tell whether this user may act on `entry`."""
        return self.may_act_on(entry.owner)


def _check_new(name: str, role: str, password: str, groups: Sequence[str]) -> None:
    if not _NAME.match(name or ""):
        raise UserError(name, "a name is 1-64 letters, digits or . _ @ -, starting alphanumeric")
    if role not in ROLES:
        raise UserError(name, f"role {role!r} is invalid; one of: {', '.join(ROLES)}")
    if len(password) < _MIN_PASSWORD:
        raise UserError(name, f"the password needs at least {_MIN_PASSWORD} characters")
    if any(not g.strip() for g in groups):
        raise UserError(name, "a group name cannot be empty")


class UsersMixin(Plumbing):
    """Users and sign-in for :class:`~register_client.Register`."""

    def add_user(self, name: str, *, role: str, password: str, groups: Sequence[str] = ()) -> User:
        """Create a local user with an argon2-hashed password.

        Raises
        ------
        UserError
            For a bad name, role or password, or a name already taken.
        """
        _check_new(name, role, password, groups)
        digest = _hasher.hash(password)
        now = self.now()

        values = {"name": name, "role": role, "groups": [g.strip() for g in groups]}

        def work(conn: Connection) -> User:
            if conn.execute(select(users.c.name).where(users.c.name == name)).first():
                raise UserError(name, "already exists")
            conn.execute(
                insert(users).values(**values, password_hash=digest, created_at=now, updated_at=now)
            )
            return User.model_validate({**values, "created_at": now})

        return self._run(work)

    def get_user(self, name: str) -> User | None:
        """Return the user called `name`, or ``None``."""
        return self._run(lambda conn: _user(conn, name))

    def list_users(self) -> list[User]:
        """Return every user, by name."""

        def work(conn: Connection) -> list[User]:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
            return [_from_row(row) for row in rows]

        return self._run(work)

    def authenticate(
        self,
        name: str,
        password: str,
        *,
        client: str | None = None,
        policy: SignInPolicy | None = None,
    ) -> User:
        """Check a name and password; count failures and throttle repeated ones.

        Parameters
        ----------
        name, password : str
            As typed.
        client : str, optional
            The client's address: failures also count against it.
        policy : SignInPolicy, optional
            The throttle's limits.

        Raises
        ------
        SignInRefused
            On a wrong name or password, or while the name or client is locked.
        """
        policy = policy or SignInPolicy()
        keys = [f"name:{name.strip().lower()}"] + ([f"client:{client}"] if client else [])
        now = self.now()

        def locked(conn: Connection) -> int:
            rows = conn.execute(
                select(sign_in_failures.c.locked_until).where(sign_in_failures.c.key.in_(keys))
            ).all()
            until = [r.locked_until for r in rows if r.locked_until and r.locked_until > now]
            return int((max(until) - now).total_seconds()) + 1 if until else 0

        def work(conn: Connection) -> User | int:
            wait = locked(conn)
            if wait:
                return wait
            row = conn.execute(select(users).where(users.c.name == name)).first()
            if row is not None and _verify(row.password_hash, password):
                conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(keys)))
                return _from_row(row)
            for key in keys:
                _count_failure(conn, key, now, policy)
            return 0

        outcome = self._run(work)
        if isinstance(outcome, User):
            return outcome
        if outcome:
            raise SignInRefused(
                f"too many failed sign-ins; try again in {outcome} s", retry_after=outcome
            )
        raise SignInRefused("wrong name or password")


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(conn: Connection, key: str, now: datetime, policy: SignInPolicy) -> None:
    row = conn.execute(select(sign_in_failures).where(sign_in_failures.c.key == key)).first()
    if row is None or now - row.first_at > policy.window:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
        values: dict[str, Any] = {"key": key, "failures": 1, "first_at": now}
        values["locked_until"] = now + policy.lockout if policy.max_failures <= 1 else None
        conn.execute(insert(sign_in_failures).values(**values))
        return
    failures = row.failures + 1
    lock = now + policy.lockout if failures >= policy.max_failures else row.locked_until
    conn.execute(
        sql_update(sign_in_failures)
        .where(sign_in_failures.c.key == key)
        .values(failures=failures, locked_until=lock)
    )


def _from_row(row: Any) -> User:
    return User(name=row.name, role=row.role, groups=list(row.groups), created_at=row.created_at)


def _user(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return None if row is None else _from_row(row)

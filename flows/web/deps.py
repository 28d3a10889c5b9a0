"""What every route depends on: the register, the signed-in user, and the CSRF check.

The app opens the register once; routes reach it through :func:`get_register`, the
same register API the CLI calls, so the page and the CLI share every rule. A session
is a signed cookie holding the user's name, when they signed in, and a CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated

from fastapi import Depends, Request

from register_client import Register, User, connect

__all__ = [
    "CsrfError",
    "CurrentUser",
    "SignInRequired",
    "check_csrf",
    "csrf_token",
    "get_register",
    "open_existing",
    "require_user",
    "start_session",
]


class SignInRequired(Exception):
    """No valid session: pages redirect to ``/login``, the API answers 401."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason or "sign in first")
        self.reason = reason


class CsrfError(Exception):
    """A form arrived without the session's CSRF token, or with another one."""


def open_existing(url: str) -> Register:
    """Open a register that must already exist; never create one.

    Its schema is brought up to date (new tables such as ``users``), but a missing
    SQLite file or an empty PostgreSQL database is one error naming where it looked.
    """
    return connect(url, create=False)


def get_register(request: Request) -> Register:
    """Return the app's register (the one dependency every route uses)."""
    register: Register = request.app.state.register
    return register


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating one if the session has none."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: str | None) -> None:
    """Raise :class:`CsrfError` unless `given` is the session's CSRF token."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise CsrfError("the form's CSRF token is missing or does not match this session")


def start_session(request: Request, user: User) -> None:
    """Sign `user` in: a fresh session (new CSRF token) with the time it started."""
    request.session.clear()
    request.session.update({"user": user.name, "at": int(time.time())})
    csrf_token(request)


def require_user(request: Request, register: Annotated[Register, Depends(get_register)]) -> User:
    """Return the signed-in user, read afresh from the register (a role change holds at once).

    Raises
    ------
    SignInRequired
        Without a session, after it expired, or if the user no longer exists.
    """
    name = request.session.get("user")
    if not isinstance(name, str):
        raise SignInRequired()
    started = request.session.get("at")
    ttl: int = request.app.state.session_ttl
    if not isinstance(started, int) or time.time() - started >= ttl:
        request.session.clear()
        raise SignInRequired("your session expired; sign in again")
    user = register.get_user(name)
    if user is None:
        request.session.clear()
        raise SignInRequired("that user no longer exists")
    return user


CurrentUser = Annotated[User, Depends(require_user)]

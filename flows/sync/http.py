"""HTTP for syncs: credentials from the environment, retries, and one-line errors.

* 429 waits for ``Retry-After`` (seconds or an HTTP date), capped, then retries.
* 5xx and connection failures back off exponentially, a bounded number of times.
* 401 and 403 raise one :class:`SyncAuthError` that names the target and the
  environment variables to check; the secret itself never appears anywhere.
* Other 4xx raise :class:`SyncError` with the server's own field errors.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

__all__ = [
    "Credentials",
    "RetryPolicy",
    "SyncAuthError",
    "SyncError",
    "SyncUncertain",
    "credentials",
    "request",
]

log = logging.getLogger("flows.sync")


class SyncError(RuntimeError):
    """A sync failed; the message is one line naming the target and what failed."""


class SyncAuthError(SyncError):
    """The target refused the credentials (401/403), or they are missing."""


class SyncUncertain(SyncError):
    """A write may or may not have happened (the connection broke after sending it)."""


@dataclass(frozen=True)
class Credentials:
    """An auth for httpx plus the names of the variables it came from (for messages)."""

    auth: httpx.Auth | None
    headers: dict[str, str]
    variables: tuple[str, ...]


_VARIABLES = {
    "jira": (("RADAR_JIRA_USER", "RADAR_JIRA_TOKEN"),),
    "servicenow": (
        ("RADAR_SERVICENOW_USER", "RADAR_SERVICENOW_PASSWORD"),
        ("RADAR_SERVICENOW_TOKEN",),
    ),
}


def credentials(target: str) -> Credentials:
    """Read the target's credentials from the environment.

    Jira Cloud takes basic auth with an account e-mail and an API token;
    ServiceNow takes a user and password, or a bearer (OAuth) token.

    Raises
    ------
    SyncAuthError
        Naming the variables to set, if none of the accepted sets is complete.
    """
    env = {k: os.environ.get(k, "") for group in _VARIABLES[target] for k in group}
    for group in _VARIABLES[target]:
        if all(env[k] for k in group):
            if len(group) == 2:
                return Credentials(httpx.BasicAuth(env[group[0]], env[group[1]]), {}, group)
            return Credentials(None, {"Authorization": f"Bearer {env[group[0]]}"}, group)
    options = " or ".join("+".join(group) for group in _VARIABLES[target])
    missing = [k for group in _VARIABLES[target] for k in group if not env[k]]
    raise SyncAuthError(f"{target}: no credentials; set {options} (missing: {', '.join(missing)})")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: attempts in all, backoff base and cap, longest Retry-After honoured."""

    attempts: int = 6
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 120.0


def _retry_after(response: httpx.Response, policy: RetryPolicy) -> float:
    value = response.headers.get("Retry-After", "")
    delay: float | None = None
    if value.strip().isdigit():
        delay = float(value)
    elif value:
        when = email.utils.parsedate_to_datetime(value)
        if when is not None:
            delay = (when - datetime.now(UTC)).total_seconds()
    return min(max(delay if delay is not None else policy.backoff, 0.0), policy.max_retry_after)


def _reason(response: httpx.Response) -> str:
    """Return the server's own explanation, from Jira's or ServiceNow's error shape."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
    if not isinstance(body, dict):
        return str(body)[:200]
    parts = [str(m) for m in body.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    error = body.get("error")
    if isinstance(error, dict):
        parts += [str(error.get(k)) for k in ("message", "detail") if error.get(k)]
    return "; ".join(parts)[:300]


def request(
    client: httpx.Client,
    target: str,
    creds: Credentials,
    method: str,
    path: str,
    *,
    policy: RetryPolicy = RetryPolicy(),
    ok: tuple[int, ...] = (200, 201, 204),
    idempotent: bool = True,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request with the retry rules; return the response if its status is in `ok`.

    Parameters
    ----------
    idempotent : bool, default True
        False for creates: only 429 and 503 (not processed) are retried; another 5xx,
        or a connection that breaks after sending, raises :class:`SyncUncertain`,
        since the write may have happened.

    Raises
    ------
    SyncAuthError
        On 401/403, naming the target and the credential variables.
    SyncError
        On another error status, or when the retries run out.
    """
    last = ""
    for attempt in range(policy.attempts):
        delay = min(policy.backoff * 2**attempt, policy.max_backoff) * (0.5 + random.random() / 2)
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            if sent and not idempotent:
                raise SyncUncertain(f"{target}: {method} {path}: {type(exc).__name__}") from None
            last = f"{type(exc).__name__}: {exc}".splitlines()[0]
        else:
            status = response.status_code
            if status in ok:
                return response
            if status in (401, 403):
                names = " / ".join(creds.variables)
                what = "rejected" if status == 401 else "lack permission for"
                raise SyncAuthError(
                    f"{target}: {status} on {method} {path}: the server {what} the credentials "
                    f"from {names}; check them"
                )
            if status == 429:
                delay = _retry_after(response, policy)
                last = f"429 Too Many Requests (Retry-After {delay:g}s)"
            elif status >= 500 and (idempotent or status == 503):
                last = f"{status} {_reason(response)}".strip()
            elif status >= 500:
                raise SyncUncertain(f"{target}: {method} {path} -> {status}; it may have happened")
            else:
                raise SyncError(f"{target}: {method} {path} -> {status} {_reason(response)}")
        if attempt + 1 < policy.attempts:
            log.info("%s: %s %s: %s; retrying in %.1fs", target, method, path, last, delay)
            time.sleep(delay)
    raise SyncError(f"{target}: {method} {path}: gave up after {policy.attempts} tries ({last})")

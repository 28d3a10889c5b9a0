"""Retry register calls through an outage: exponential backoff for a configured time.

Only errors the register marks ``retryable`` (an unreachable database, a lost race) are
retried; a broken rule or a bad URL fails at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from register_client import RegisterError

__all__ = ["with_register_retry"]

T = TypeVar("T")
_log = logging.getLogger("radar.runs")


def with_register_retry(
    call: Callable[[], T],
    *,
    seconds: float,
    what: str,
    first_delay: float = 1.0,
    max_delay: float = 30.0,
) -> T:
    """Return ``call()``, retrying retryable register errors for up to ``seconds``.

    Parameters
    ----------
    call : callable
        The register call, without arguments.
    seconds : float
        How long to keep trying from the first failure; 0 tries once.
    what : str
        What is being done, for the log line of each retry.
    first_delay, max_delay : float
        The first wait, doubled after each failure up to ``max_delay``.

    Raises
    ------
    RegisterError
        The last error, once the time is up or at once if it is not retryable.

    Examples
    --------
    >>> with_register_retry(lambda: 42, seconds=0, what="answer")
    42
    """
    deadline = time.monotonic() + seconds
    delay = first_delay
    while True:
        try:
            return call()
        except RegisterError as exc:
            left = deadline - time.monotonic()
            if not exc.retryable or left <= 0:
                raise
            wait = min(delay, left, max_delay)
            _log.warning("%s: %s; retrying in %.0f s (%.0f s left)", what, exc, wait, left)
            time.sleep(wait)
            delay = min(delay * 2, max_delay)

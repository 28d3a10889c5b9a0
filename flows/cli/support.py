"""What every ``radar`` sub-command shares: one-line errors, ``--debug``, JSON on stdout.

Errors are one line on stderr with exit code 1; under ``radar --debug`` the original
exception propagates with its traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

__all__ = ["emit_json", "fail", "one_line_errors", "quiet_libraries", "set_debug"]

_state = {"debug": False}


def set_debug(debug: bool) -> None:
    """Record the root ``--debug`` flag."""
    _state["debug"] = debug


def _describe(exc: BaseException) -> str:
    """One line for an error, naming its kind only when the message alone is unclear."""
    from flows.errors import RadarError
    from register_client import RegisterError

    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    # The two error trees, and the OS's own errors, already say what went wrong.
    if isinstance(exc, RadarError | RegisterError | OSError | ValueError):
        return line
    return f"{type(exc).__name__}: {line}"


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one error line on stderr and exit; re-raise the active error under ``--debug``."""
    if _state["debug"] and sys.exc_info()[0] is not None:
        raise
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn any error inside the block into one line on stderr and a non-zero exit."""
    try:
        yield
    except typer.Exit:
        raise
    except Exception as exc:
        fail(_describe(exc))


def emit_json(data: Any) -> None:
    """Print JSON alone on stdout."""
    typer.echo(json.dumps(data, indent=2, default=str))


class _DropRunErrors(logging.Filter):
    """Drop Prefect's failure logs: the CLI reports each failure as one line itself.

    The run's final state (in the Prefect UI and API) still carries the exception.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR


def quiet_libraries(debug: bool = False) -> None:
    """Keep failure logs off the terminal unless ``--debug``; the CLI reports them itself."""
    if not debug:
        for name in ("prefect.flow_runs", "prefect.task_runs"):
            logging.getLogger(name).addFilter(_DropRunErrors())

"""One scan at a time per (config, register): a file lock under ``<home>/locks/``.

Two scans of the same config into the same register would compute the same candidates
and race on the same outbox; the second waits for the first and says so. Scans of other
configs, or into other registers, run side by side (their files are kept apart by run
ids and by the register's own transactions).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["masked_url", "run_key", "scan_lock"]

_log = logging.getLogger("radar.runs")


def masked_url(url: str) -> str:
    """Return ``url`` with its password hidden and a SQLite path made absolute."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "(unparsable register URL)"
    database = parsed.database or ""
    if parsed.drivername.startswith("sqlite") and database not in ("", ":memory:"):
        parsed = parsed.set(database=str(Path(database).expanduser().resolve()))
    return parsed.render_as_string(hide_password=True)


def run_key(config_path: Path, register_url: str) -> str:
    """Return the short key of a (config, register) pair; passwords never enter it.

    Examples
    --------
    >>> run_key(Path("a.yaml"), "sqlite:///r.db") == run_key(Path("./a.yaml"), "sqlite:///r.db")
    True
    """
    identity = f"{Path(config_path).resolve()}\n{masked_url(register_url)}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


@contextmanager
def scan_lock(home: Path, config_path: Path, register_url: str) -> Iterator[Path]:
    """Hold the (config, register) lock for the block; yield the pair's run folder.

    If another scan holds it, log one ``waiting for ...`` line naming that scan, then
    wait. The lock is the kernel's (``flock``), so a killed scan releases it at once.
    """
    key = run_key(config_path, register_url)
    locks = home / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / f"{key}.lock"
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8").strip() or "another scan"
            _log.warning(
                "waiting for %s, a scan of %s into %s, to finish",
                holder,
                Path(config_path).name,
                masked_url(register_url),
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} (since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)")
        handle.flush()
        try:
            yield home / "runs" / key
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)

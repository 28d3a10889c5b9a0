"""Process entry points for the register's concurrency tests (importable under spawn)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from register_client import Candidate, connect

START = datetime(2024, 1, 1, tzinfo=UTC)


def make_candidate(i: int, *, night: int = 0, magnitude: float = 5.0) -> Candidate:
    """Candidate `i` (its own slice) as detected on `night`."""
    at = START + timedelta(days=night)
    return Candidate.example(
        title=f"finding {i}",
        dimensions={"group": f"G{i:04d}"},
        evidence={"at": at, "value": 10.0 + night, "score": 0.9},
        magnitude=magnitude,
    )


def scan(url: str, n: int, nights: list[int], seed: int, barrier: Any = None) -> dict[str, int]:
    """File `n` candidates for each night, in a shuffled order, and count the outcomes."""
    reg = connect(url)
    counts = {"created": 0, "updated": 0, "suppressed": 0, "unchanged": 0}
    rng = random.Random(seed)
    if barrier is not None:
        barrier.wait(timeout=60)
    for night in nights:
        batch = [make_candidate(i, night=night) for i in range(n)]
        rng.shuffle(batch)
        report = reg.file(batch, scan_at=START + timedelta(days=night, hours=6))
        for key in counts:
            counts[key] += len(getattr(report, key))
    reg.dispose()
    return counts


def big_scan(url: str, n: int, started: Any) -> None:
    """File one large batch and stop inside its transaction, for the parent to kill.

    The pause comes right after the first evidence rows are written, so the kill always
    lands mid-write, however fast the machine is.
    """
    reg = connect(url)
    batch = [make_candidate(i, night=0) for i in range(n)]

    def pause_mid_write(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT") and "evidence" in statement:
            started.set()
            time.sleep(600)  # killed here

    event.listen(reg.engine, "after_cursor_execute", pause_mid_write)
    reg.file(batch, scan_at=START + timedelta(hours=6))


def accept(url: str, entry_id: str, owner: str, version: int, barrier: Any) -> str:
    """Accept `entry_id` as `owner` from a stale read, reporting success or the error."""
    reg = connect(url)
    barrier.wait(timeout=60)
    try:
        reg.accept(entry_id, owner=owner, expected_version=version)
        return "ok"
    except Exception as exc:  # the parent asserts on the type name
        return type(exc).__name__
    finally:
        reg.dispose()


def just_connect(url: str, barrier: Any) -> str:
    """Connect (and so migrate) at the same moment as other processes."""
    barrier.wait(timeout=60)
    try:
        connect(url).dispose()
        return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def triage_all(url: str, n: int, barrier: Any = None) -> list[str]:
    """Accept and comment on entries CIR-0001..n while scans file into them."""
    reg = connect(url)
    if barrier is not None:
        barrier.wait(timeout=60)
    failures = []
    for i in range(1, n + 1):
        try:
            reg.accept(f"CIR-{i:04d}", owner=f"owner-{i}", by="triager")
            reg.comment(f"CIR-{i:04d}", "looking into it", by="triager")
        except Exception as exc:  # the parent asserts there are none
            failures.append(f"{type(exc).__name__}: {exc}")
    reg.dispose()
    return failures


def scan_nights(url: str, n: int, nights: list[int], barrier: Any = None) -> dict[str, int]:
    """`scan`, with the signature the barrier runner expects."""
    return scan(url, n, nights, seed=7, barrier=barrier)


def reject_noise(url: str, entry_id: str, barrier: Any) -> str:
    """Reject `entry_id` as noise at the same moment as other processes."""
    reg = connect(url)
    barrier.wait(timeout=60)
    try:
        reg.reject(entry_id, reason="noise: seasonal peak", by="proc")
        return "ok"
    finally:
        reg.dispose()

"""Exactly-once under real concurrency: separate processes, real SQLite and PostgreSQL.

Processes start from a fork server (``forkserver``) that has imported the
register once, so they start fast and share nothing (no engine, no connection)
with the test process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
import register_workers as w
from sqlalchemy import text

from register_client import Candidate, connect
from register_client._engine import _head

CTX = mp.get_context("forkserver")
CTX.set_forkserver_preload(["register_client", "register_workers"])


def _run_together(fn: Any, argsets: list[tuple[Any, ...]]) -> list[Any]:
    """Run `fn` in one process per argument set, released at the same moment by a barrier."""
    with CTX.Manager() as manager:
        barrier = manager.Barrier(len(argsets))
        with ProcessPoolExecutor(len(argsets), mp_context=CTX) as pool:
            futures = [pool.submit(fn, *args, barrier) for args in argsets]
            return [f.result(timeout=120) for f in futures]


def _counts(url: str) -> dict[str, int]:
    reg = connect(url)
    with reg.engine.connect() as conn:
        one = lambda sql: int(conn.execute(text(sql)).scalar_one())  # noqa: E731
        counts = {
            "entries": one("SELECT count(*) FROM entries"),
            "distinct_fingerprints": one("SELECT count(DISTINCT fingerprint) FROM entries"),
            "fingerprints": one("SELECT count(*) FROM fingerprints"),
            "evidence": one("SELECT count(*) FROM evidence"),
            "occurrences": one("SELECT coalesce(sum(occurrences), 0) FROM entries"),
            "history": one("SELECT count(*) FROM history"),
        }
    reg.dispose()
    return counts


def test_concurrent_scans_file_no_duplicates(backend_url: str) -> None:
    connect(backend_url).dispose()
    n, nights, procs = 60, [0, 1, 2], 3
    results = _run_together(w.scan, [(backend_url, n, nights, seed) for seed in range(procs)])
    total = {k: sum(r[k] for r in results) for k in results[0]}
    assert total["created"] == n  # each finding created by exactly one of the scans
    assert total["updated"] == n * (len(nights) - 1)
    assert total["unchanged"] == n * len(nights) * (procs - 1)
    assert total["suppressed"] == 0
    assert _counts(backend_url) == {
        "entries": n,
        "distinct_fingerprints": n,
        "fingerprints": n,
        "evidence": n * len(nights),
        "occurrences": n * len(nights),
        "history": n,
    }


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_scan_killed_mid_write_then_rerun_is_consistent(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'r.db'}"
    else:
        url = request.getfixturevalue("pg_url") + "&application_name=radar-kill-test"
    n = 1500
    # Some findings are already in the register from an earlier night.
    w.scan(url, 50, [1], seed=0)
    before = _counts(url)
    started = CTX.Event()
    proc = CTX.Process(target=w.big_scan, args=(url, n, started))
    proc.start()
    assert started.wait(60)
    if backend == "postgres":
        _wait_for_open_transaction(url)
    os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
    proc.join(30)
    assert proc.exitcode == -signal.SIGKILL, "the scan finished before it could be killed"
    assert _counts(url) == before  # the killed transaction left nothing behind

    rerun = w.scan(url, n, [0], seed=1)
    assert rerun == {"created": n - 50, "updated": 50, "suppressed": 0, "unchanged": 0}
    again = w.scan(url, n, [0], seed=2)
    assert again == {"created": 0, "updated": 0, "suppressed": 0, "unchanged": n}
    after = _counts(url)
    assert after["entries"] == after["distinct_fingerprints"] == after["fingerprints"] == n
    assert after["evidence"] == after["occurrences"] == n + 50


def _wait_for_open_transaction(url: str) -> None:
    """Block until the scan's backend is inside its filing transaction."""
    reg = connect(url)
    deadline = time.monotonic() + 30
    with reg.engine.connect() as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'radar-kill-test' AND xact_start IS NOT NULL "
                    "AND query ILIKE '%evidence%'"
                )
            ).scalar_one()
            conn.rollback()
            if busy:
                break
            time.sleep(0.02)
    reg.dispose()


@pytest.mark.postgres
def test_concurrent_edits_of_one_entry_across_processes(pg_url: str) -> None:
    w.scan(pg_url, 1, [0], seed=0)
    version = connect(pg_url).get("CIR-0001").version
    outcomes = _run_together(
        w.accept, [(pg_url, "CIR-0001", owner, version) for owner in ("ann", "ben", "cat")]
    )
    assert sorted(outcomes) == ["ConcurrentEditError", "ConcurrentEditError", "ok"]
    entry = connect(pg_url).get("CIR-0001")
    assert entry.status == "accepted" and entry.version == version + 1
    assert [h.action for h in entry.history] == ["filed", "accept"]


def test_triage_while_scans_file_loses_nothing(backend_url: str) -> None:
    n, nights = 20, list(range(1, 9))
    w.scan(backend_url, n, [0], seed=0)
    with CTX.Manager() as manager:
        barrier = manager.Barrier(2)
        with ProcessPoolExecutor(2, mp_context=CTX) as pool:
            scans = pool.submit(w.scan_nights, backend_url, n, nights, barrier)
            triage = pool.submit(w.triage_all, backend_url, n, barrier)
            assert triage.result(timeout=120) == []
            assert scans.result(timeout=120)["updated"] == n * len(nights)
    reg = connect(backend_url)
    for entry in reg.list():
        assert entry.status == "accepted" and entry.owner is not None
        assert entry.occurrences == 1 + len(nights) and entry.version == 3
        assert [h.action for h in entry.history] == ["filed", "accept", "comment"]
    reg.dispose()


@pytest.mark.postgres
def test_racing_first_connects_migrate_once(pg_url: str) -> None:
    outcomes = _run_together(w.just_connect, [(pg_url,)] * 4)
    assert outcomes == ["ok"] * 4
    reg = connect(pg_url)
    with reg.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [_head()]
    reg.dispose()


def test_noise_rejections_in_one_slice_stack_across_processes(backend_url: str) -> None:
    # Two entries of one (KPI, slice), differing by kind: two fingerprints, one mute.
    slice_ = {"group": "G0001"}
    evidence = {"at": w.START, "value": 10.0, "score": 0.9}
    found = [
        Candidate.example(kind=kind, dimensions=slice_, evidence=evidence)
        for kind in ("spike", "level_shift")
    ]
    report = connect(backend_url).file(found, scan_at=w.START)
    ids = [o.entry_id for o in report.created]
    assert _run_together(w.reject_noise, [(backend_url, i) for i in ids]) == ["ok", "ok"]
    mute = connect(backend_url).muted(found[0])
    assert mute is not None
    assert mute.count == 2 and mute.threshold_factor == pytest.approx(1.5 * 1.5)

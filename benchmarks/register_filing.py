"""How fast the register files, re-files and reads, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/register_filing.py [N] [PROCESSES]

Uses a throwaway SQLite file and a throwaway PostgreSQL schema in database
``test`` at 127.0.0.1:5432 (skipped when unreachable). Prints one line per step.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from register_client import Candidate, RegisterUnavailable, connect

PG = "postgresql://postgres@127.0.0.1:5432/test"
START = datetime(2024, 1, 1, tzinfo=UTC)


def candidate(i: int, night: int) -> Candidate:
    return Candidate.example(
        title=f"finding {i}",
        dimensions={"group": f"G{i:05d}"},
        evidence={"at": START + timedelta(days=night), "value": 10.0 + night, "score": 0.9},
    )


def scan(url: str, n: int, night: int) -> float:
    batch = [candidate(i, night) for i in range(n)]
    reg = connect(url)
    t = time.perf_counter()
    reg.file(batch, scan_at=START + timedelta(days=night, hours=6))
    reg.dispose()
    return time.perf_counter() - t


def bench(label: str, url: str, n: int, procs: int) -> None:
    def step(name: str, seconds: float, count: int) -> None:
        print(f"{label:<8} {name:<34} {seconds:7.2f} s  {1000 * seconds / count:6.2f} ms/candidate")

    step(f"file {n} new", scan(url, n, 0), n)
    step(f"re-file {n} (unchanged)", scan(url, n, 0), n)
    step(f"file {n} re-detections (append)", scan(url, n, 1), n)
    reg = connect(url)
    t = time.perf_counter()
    entries = reg.list()
    step(f"list {len(entries)} entries", time.perf_counter() - t, len(entries))
    reg.dispose()
    ctx = mp.get_context("forkserver")
    t = time.perf_counter()
    with ctx.Pool(procs) as pool:
        pool.starmap(scan, [(url, n, 2)] * procs)
    wall = time.perf_counter() - t
    reg = connect(url)
    count = len(reg.list())
    reg.dispose()
    step(f"{procs} concurrent scans of {n}", wall, n * procs)
    assert count == n, f"{count} entries after concurrent scans, expected {n}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    procs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{Path(tmp) / 'register.db'}", n, procs)
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            bench("postgres", f"{PG}?options=-csearch_path%3D{schema}", n, procs)
        finally:
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    except (psycopg.OperationalError, RegisterUnavailable) as exc:
        print(f"postgres skipped: {str(exc).splitlines()[0]}")


if __name__ == "__main__":
    main()

"""Fixtures for the register: fresh SQLite files and throwaway PostgreSQL databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from register_client import Register, connect

PG_SERVER = os.environ.get("RADAR_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
#: The newest shipped migration: the chain is linear, so every migrated register is here.
NEWEST_REVISION = sorted(
    p.name[:4]
    for p in (Path(__file__).resolve().parents[2] / "register_client/migrations/versions").glob(
        "[0-9]*.py"
    )
)[-1]
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _admin_dsn() -> str:
    return f"{PG_SERVER}/postgres"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server, or a skip naming why it cannot be used.

    With ``RADAR_REQUIRE_PG=1`` (CI) an unreachable server fails the tests instead.
    """
    psycopg = pytest.importorskip("psycopg")
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL unreachable at {PG_SERVER}: {str(exc).strip().splitlines()[0]}"
        if os.environ.get("RADAR_REQUIRE_PG", "") not in ("", "0"):
            pytest.fail(f"{reason} (RADAR_REQUIRE_PG is set)")
        pytest.skip(reason)
    return PG_SERVER


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[str]:
    """One throwaway database for the session, dropped at the end."""
    import psycopg

    name = f"radar_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg_server}/{name}"
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A schema of its own in the session database, dropped afterwards.

    The register URL selects it with ``options=-csearch_path=...``, so each test
    migrates and fills an empty register, isolated and repeatable.
    """
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{pg_database}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def register_sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite register file."""
    return f"sqlite:///{tmp_path / 'reg' / 'register.db'}"


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh register URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


class Clock:
    """A settable clock, so snoozes and audit times are deterministic."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 6, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def reg(backend_url: str, clock: Clock) -> Iterator[Register]:
    """A register on each backend, with a fixed clock."""
    register = connect(backend_url, clock=clock)
    try:
        yield register
    finally:
        register.dispose()

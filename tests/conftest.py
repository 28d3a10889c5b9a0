"""Shared fixtures: the Prefect harness, temporary registers, throwaway PostgreSQL databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "examples" / "demo.yaml"
#: The newest shipped migration: the chain is linear, so every migrated register is here.
NEWEST_REVISION = sorted(
    p.name[:4] for p in (ROOT / "register_client/migrations/versions").glob("[0-9]*.py")
)[-1]


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for the whole session, heartbeats off (~0.2 s per flow run)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=90),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite register in a temporary directory."""
    return f"sqlite:///{tmp_path / 'register.db'}"


@pytest.fixture
def radar_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RADAR_HOME (data docs, gate results, evidence) at a temporary directory."""
    home = tmp_path / ".radar"
    monkeypatch.setenv("RADAR_HOME", str(home))
    return home


@pytest.fixture
def shared_data() -> Path:
    """The shared real data folder, or skip when RADAR_DATA_DIR is not set."""
    data_dir = os.environ.get("RADAR_DATA_DIR")
    if not data_dir or not Path(data_dir).is_dir():
        pytest.skip("RADAR_DATA_DIR is not set to the shared data folder")
    return Path(data_dir)


# -- PostgreSQL for the register, the sync outbox and SQL sources -------------------------

PG_SERVER = os.environ.get("RADAR_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


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

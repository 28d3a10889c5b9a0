"""The shipped Alembic migrations build exactly the schema the code expects."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from register_client import connect
from register_client._schema import metadata
from tests.conftest import NEWEST_REVISION


def test_migrated_schema_matches_the_models(backend_url: str) -> None:
    reg = connect(backend_url)
    with reg.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
        assert diff == []
        names = set(inspect(conn).get_table_names())
    assert {
        "entries",
        "users",
        "sign_in_failures",
        "fingerprints",
        "evidence",
        "history",
        "measurements",
        "mutes",
        "alembic_version",
    } <= names
    reg.dispose()


def test_connect_and_migrate_are_idempotent(backend_url: str) -> None:
    first = connect(backend_url)
    first.file([])
    second = connect(backend_url)
    second.migrate()
    with second.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == [NEWEST_REVISION]
    first.dispose()
    second.dispose()


def test_connect_without_migrating_leaves_the_database_alone(register_sqlite_url: str) -> None:
    reg = connect(register_sqlite_url, migrate=False)
    with reg.engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    reg.migrate()
    assert reg.list() == []
    reg.dispose()


def test_postgres_sessions_never_wait_forever_for_a_lock(backend_url: str) -> None:
    reg = connect(backend_url)
    with reg.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "1min"
            # the URL's own options (the test schema) are kept
            assert conn.execute(text("SHOW search_path")).scalar_one().startswith("t_")
    reg.dispose()

"""``radar sync`` never creates a register, on either backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from flows.sync.run import existing_register


def test_a_missing_sqlite_register_is_an_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "register.db"
    with pytest.raises(FileNotFoundError, match=f"no register at {path}"):
        existing_register(f"sqlite:///{path}")
    assert not path.parent.exists()


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_not_turned_into_a_register(pg_url: str) -> None:
    with pytest.raises(FileNotFoundError, match=r"no register at .*radar_test_"):
        existing_register(pg_url)
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()

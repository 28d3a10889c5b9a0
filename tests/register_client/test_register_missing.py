"""Opening a register that does not exist: readers get RegisterNotFound, nothing is created."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from register_client import RegisterNotFound, RegisterUnavailable, connect


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'typo' / 'register.db'}"
    with pytest.raises(RegisterNotFound) as caught:
        connect(url, create=False)
    assert str(tmp_path / "typo" / "register.db") in str(caught.value)
    assert caught.value.location == str((tmp_path / "typo" / "register.db").resolve())
    assert not (tmp_path / "typo").exists()
    assert not caught.value.retryable


def test_relative_sqlite_path_is_named_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RegisterNotFound, match=str(tmp_path / ".radar" / "register.db")):
        connect("sqlite:///.radar/register.db", create=False)
    assert not (tmp_path / ".radar").exists()


def test_a_file_without_register_tables_is_not_a_register(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(RegisterNotFound, match="no register tables"):
        connect(f"sqlite:///{path}", create=False)
    (tmp_path / "junk.db").write_text("not a database at all, but long enough " * 20)
    with pytest.raises(RegisterNotFound, match="not a register database"):
        connect(f"sqlite:///{tmp_path / 'junk.db'}", create=False)


def test_an_existing_register_opens_for_reading(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    connect(url).dispose()
    reg = connect(url, create=False)
    assert reg.list() == []
    reg.dispose()


@pytest.mark.postgres
def test_missing_postgres_database_names_host_and_masks_password(pg_server: str) -> None:
    name = f"radar_missing_{uuid.uuid4().hex[:8]}"
    url = pg_server.replace("postgres@", "postgres:s3cret-pw@") + f"/{name}"
    with pytest.raises(RegisterNotFound) as caught:
        connect(url, create=False)
    text = str(caught.value)
    assert name in text and "does not exist" in text and "s3cret-pw" not in text
    assert "s3cret-pw" not in caught.value.url


@pytest.mark.postgres
def test_empty_postgres_schema_is_not_a_register(pg_url: str) -> None:
    with pytest.raises(RegisterNotFound, match="no register tables"):
        connect(pg_url, create=False)
    connect(pg_url).dispose()  # a scan creates it; then readers open it
    assert connect(pg_url, create=False).list() == []


def test_unreachable_server_is_unavailable_not_missing() -> None:
    with pytest.raises(RegisterUnavailable):
        connect("postgresql://postgres@127.0.0.1:9/radar", create=False, connect_timeout=1)

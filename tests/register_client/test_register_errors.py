"""Bad input: each gets one clear line naming what was asked, and nothing is half-written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from register_client import (
    Candidate,
    FilingError,
    InvalidURL,
    Register,
    RegisterError,
    RegisterUnavailable,
    connect,
)
from register_client._errors import EntryError


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("", "SCHEME://"),
        ("not a url", "SCHEME://"),
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("postgresql://u@h:notaport/db", "invalid register URL"),
        ("postgresql://u@h:5432", "no database name"),
        ("sqlite://somehost/x.db", "no host"),
    ],
)
def test_malformed_urls(url: str, needle: str) -> None:
    with pytest.raises(InvalidURL) as info:
        connect(url)
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert info.value.url.startswith(url[:5])


def test_passwords_are_not_shown() -> None:
    with pytest.raises(InvalidURL) as info:
        connect("oracle://scott:tiger@db/x")
    assert "tiger" not in str(info.value)


def test_unreachable_server_is_one_line_naming_the_host() -> None:
    start = time.monotonic()
    with pytest.raises(RegisterUnavailable) as info:
        connect("postgresql://postgres:secret@127.0.0.1:1/radar", connect_timeout=1)
    message = str(info.value)
    assert message.startswith("register unavailable at 127.0.0.1:1/radar: ")
    assert "\n" not in message and "secret" not in message
    assert info.value.host == "127.0.0.1:1/radar"
    assert time.monotonic() - start < 10


def test_connect_timeout_is_short() -> None:
    start = time.monotonic()
    with pytest.raises(RegisterUnavailable, match=r"10\.255\.255\.1:5432"):
        connect("postgresql://u@10.255.255.1:5432/db", connect_timeout=1)
    assert time.monotonic() - start < 10


def test_sqlite_path_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(RegisterUnavailable, match="register unavailable at"):
        connect(f"sqlite:///{blocker}/sub/register.db")


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a/b/register.db"
    connect(url).dispose()
    assert (tmp_path / "a" / "b" / "register.db").exists()


def test_unknown_status_is_refused(register_sqlite_url: str) -> None:
    with pytest.raises(RegisterError, match="unknown status 'open'"):
        connect(register_sqlite_url).list("open")


def test_error_tree_is_rooted() -> None:
    import register_client

    errors = [
        getattr(register_client, n)
        for n in register_client.__all__
        if isinstance(getattr(register_client, n), type)
        and issubclass(getattr(register_client, n), Exception)
    ]
    assert all(issubclass(e, RegisterError) for e in errors)
    assert len(errors) >= 9
    assert issubclass(register_client.EntryNotFound, EntryError)


def _install_trap(reg: Register) -> None:
    """Make the database itself refuse one entry, mid-transaction (a real trigger, no mocks)."""
    with reg.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER trap BEFORE INSERT ON entries WHEN NEW.title = 'boom' "
                    "BEGIN SELECT RAISE(ABORT, 'trap sprung'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION trap() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.title = 'boom' THEN RAISE EXCEPTION 'trap sprung'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER trap BEFORE INSERT ON entries "
                    "FOR EACH ROW EXECUTE FUNCTION trap()"
                )
            )


def _remove_trap(reg: Register) -> None:
    with reg.engine.begin() as conn:
        conn.execute(
            text(
                "DROP TRIGGER trap"
                if conn.dialect.name == "sqlite"
                else "DROP TRIGGER trap ON entries"
            )
        )


def test_a_batch_that_fails_midway_writes_nothing(backend_url: str) -> None:
    reg = connect(backend_url)
    early = {"at": "2024-03-01", "value": 12.0, "score": 0.8}
    reg.file([Candidate.example(dimensions={"priority": "P0"}, evidence=early)])
    before = reg.get("CIR-0001")
    _install_trap(reg)
    batch = [Candidate.example(dimensions={"priority": f"P{i}"}) for i in range(4)]
    batch.append(Candidate.example(dimensions={"priority": "P9"}, title="boom"))
    with pytest.raises(RegisterError, match="trap sprung") as info:
        reg.file(batch)
    assert "\n" not in str(info.value)
    assert [e.id for e in reg.list()] == ["CIR-0001"]
    assert reg.get("CIR-0001") == before  # not even the evidence append on P0 survived
    with reg.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM fingerprints")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM evidence")).scalar_one() == 1
    _remove_trap(reg)
    report = reg.file(batch)
    assert len(report.created) == 4 and len(report.updated) == 1
    reg.dispose()


def test_an_invalid_mapping_fails_the_batch_by_position_and_field(register_sqlite_url: str) -> None:
    reg = connect(register_sqlite_url)
    good = Candidate.example().model_dump()
    bad = {**good, "title": "broken", "score": 3.0}
    with pytest.raises(FilingError) as info:
        reg.file([good, bad])
    assert str(info.value) == (
        "cannot file candidate #1 ('broken'): score: Input should be less than or equal to 1"
    )
    assert reg.list() == []
    assert len(reg.file([good]).created) == 1
    reg.dispose()


@pytest.mark.postgres
def test_missing_database_and_unknown_role_are_unavailable(pg_server: str) -> None:
    host = pg_server.rsplit("@", 1)[1]
    with pytest.raises(RegisterUnavailable) as info:
        connect(f"{pg_server}/radar_no_such_db")
    expected = 'database "radar_no_such_db" does not exist'
    assert str(info.value) == f"register unavailable at {host}/radar_no_such_db: {expected}"
    with pytest.raises(RegisterUnavailable, match='role "radar_nobody" does not exist'):
        connect(f"postgresql://radar_nobody@{host}/postgres")


def test_unresolvable_host_is_unavailable() -> None:
    with pytest.raises(RegisterUnavailable, match=r"at no-such-host\.invalid:5432/db: "):
        connect("postgresql://u@no-such-host.invalid:5432/db", connect_timeout=2)


def test_only_transient_errors_are_retryable() -> None:
    from register_client import ConcurrentEditError, EntryNotFound, InvalidTransition

    assert RegisterUnavailable("u", "h", "r").retryable
    assert ConcurrentEditError("CIR-0001", 1, 2).retryable
    assert not EntryNotFound("CIR-0001").retryable
    assert not InvalidTransition("CIR-0001", "new", "closed").retryable
    assert not InvalidURL("x", "y").retryable and not FilingError("#0", "bad").retryable

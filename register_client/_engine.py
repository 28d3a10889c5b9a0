"""Register URLs, engines and migrations: the backend-specific part of the register.

Only two backends exist: SQLite (embedded, the default) and PostgreSQL through
psycopg 3. ``postgresql://``, ``postgres://`` and ``postgresql+psycopg://`` are
all accepted and mapped to psycopg 3.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ._errors import InvalidURL, MigrationError, RegisterNotFound, RegisterUnavailable

__all__ = ["backend_name", "make_engine", "migrate", "parse_url", "require_register", "unavailable"]

_MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every process of the register.
_MIGRATION_LOCK = 0x52414441  # "RADA"
_PG_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg3"}
_NO_DATABASE = "3D000"  # PostgreSQL's invalid_catalog_name: the database does not exist


def parse_url(url: str) -> URL:
    """Validate a register URL and map it to the SQLAlchemy driver the register uses.

    Parameters
    ----------
    url : str
        ``sqlite:///relative/path.db``, ``sqlite:////abs/path.db``, ``sqlite://``
        (in memory) or ``postgresql://user@host:port/db``.

    Returns
    -------
    sqlalchemy.URL
        With the ``postgresql+psycopg`` driver for PostgreSQL.

    Raises
    ------
    InvalidURL
        Naming the URL and what is wrong with it.

    Examples
    --------
    >>> parse_url("postgresql://postgres@127.0.0.1:5432/test").drivername
    'postgresql+psycopg'
    >>> parse_url("mysql://x/y")
    Traceback (most recent call last):
    ...
    register_client._errors.InvalidURL: invalid register URL 'mysql://x/y': unsupported \
scheme 'mysql'; use sqlite:///PATH or postgresql://USER@HOST:PORT/DB
    """
    from sqlalchemy.engine import make_url

    if not isinstance(url, str) or not re.match(r"^[A-Za-z][\w+.-]*://", url):
        raise InvalidURL(str(url), "expected SCHEME://..., e.g. sqlite:///.radar/register.db")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise InvalidURL(url, str(exc).splitlines()[0]) from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        if parsed.host or parsed.username:
            raise InvalidURL(shown, "SQLite URLs have no host; use sqlite:///PATH")
        return parsed.set(drivername="sqlite")
    if parsed.drivername in _PG_DRIVERS:
        if not parsed.database:
            raise InvalidURL(shown, "no database name; use postgresql://USER@HOST:PORT/DB")
        try:
            _ = parsed.port
        except ValueError:  # pragma: no cover - make_url already rejects bad ports
            raise InvalidURL(shown, "bad port") from None
        return parsed.set(drivername="postgresql+psycopg")
    scheme = parsed.drivername
    raise InvalidURL(
        shown,
        f"unsupported scheme {scheme!r}; use sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
    )


def backend_name(url: URL) -> str:
    """Return where the register lives, for messages: ``host:port/db`` or the file path."""
    if url.drivername == "sqlite":
        return url.database or ":memory:"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def unavailable(url: URL, exc: BaseException) -> RegisterUnavailable:
    """Turn a driver error into one clear :class:`RegisterUnavailable`."""
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    reason = lines[0] if lines else type(orig).__name__
    # psycopg prefixes "connection failed: connection to server at ... failed:"; keep the cause.
    reason = re.sub(r"^connection failed: ", "", reason)
    reason = re.sub(r'^connection to server at "[^"]*"( \([^)]*\))?, port \d+ failed: ', "", reason)
    reason = re.sub(r"^FATAL:\s+", "", reason)
    return RegisterUnavailable(url.render_as_string(hide_password=True), backend_name(url), reason)


def _sqlite_engine(url: URL, create: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:")
    if not in_memory and create:
        try:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            shown = url.render_as_string(hide_password=True)
            raise RegisterUnavailable(shown, database, exc.strerror or str(exc)) from None
    kwargs: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite, so BEGIN IMMEDIATE below is what runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers queue up front instead of failing on a lock upgrade mid-transaction.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(
    url: URL, *, connect_timeout: float = 5.0, lock_timeout: float = 60.0, create: bool = True
) -> Engine:
    """Create the engine for a parsed register URL.

    Parameters
    ----------
    url : sqlalchemy.URL
        As returned by :func:`parse_url`.
    connect_timeout : float, default 5.0
        Seconds before a PostgreSQL connection attempt gives up.
    lock_timeout : float, default 60.0
        Seconds a statement waits for a row lock (another scan's filing) before it
        fails and the transaction is retried; SQLite waits 30 s for its write lock.
    create : bool, default True
        Create a SQLite file's folder; without it nothing is made on disk.

    Returns
    -------
    sqlalchemy.Engine
    """
    if url.drivername == "sqlite":
        return _sqlite_engine(url, create)
    options = url.query.get("options", "")
    connect_args = {
        "connect_timeout": max(1, round(connect_timeout)),
        "application_name": url.query.get("application_name", "radar-register"),
        # Never wait forever behind a stuck transaction; keep the URL's own options.
        "options": f"{options} -c lock_timeout={max(1, round(lock_timeout * 1000))}".strip(),
    }
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_size=2)


def require_register(url: URL, engine: Engine) -> None:
    """Check that a register already exists at ``url``, creating nothing on the way.

    SQLite is checked on disk first (opening a missing file would create it), then
    read-only; PostgreSQL is asked for the database and its ``alembic_version`` table.

    Raises
    ------
    RegisterNotFound
        Naming the resolved file path or ``host:port/db``, if there is no register.
    RegisterUnavailable
        If the server cannot be reached.
    """
    shown = url.render_as_string(hide_password=True)
    database = url.database or ""
    if url.drivername == "sqlite":
        if database in ("", ":memory:"):
            return  # an in-memory register exists for as long as its engine does
        path = Path(database).expanduser().resolve()
        if not path.is_file():
            raise RegisterNotFound(shown, str(path), "the file does not exist")
        try:
            with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
                found = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
                ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise RegisterNotFound(shown, str(path), f"not a register database ({exc})") from None
        if found is None:
            raise RegisterNotFound(shown, str(path), "the file holds no register tables")
        return
    try:
        with engine.connect() as conn:
            found = inspect(conn).has_table("alembic_version")
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _NO_DATABASE or "does not exist" in str(exc.orig):
            raise RegisterNotFound(
                shown, backend_name(url), "the database does not exist"
            ) from None
        raise unavailable(url, exc) from None
    if not found:
        raise RegisterNotFound(shown, backend_name(url), "the database holds no register tables")


def migrate(engine: Engine, shown_url: str) -> None:
    """Bring the schema up to the newest Alembic revision, once, even with racing processes.

    On PostgreSQL a transaction-scoped advisory lock serialises concurrent
    ``connect()`` calls; on SQLite ``BEGIN IMMEDIATE`` does. DDL is transactional
    on both, so a failed migration leaves nothing behind.

    Raises
    ------
    RegisterUnavailable
        If the database cannot be reached.
    MigrationError
        If the schema cannot be brought up to date.
    """
    config = _config()
    try:
        conn = engine.connect()
    except DBAPIError as exc:
        raise unavailable(engine.url, exc) from None
    try:
        with conn:
            with conn.begin():
                if _current(conn) == _head():
                    return  # the common case: one cheap query, no lock, no Alembic machinery
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise unavailable(engine.url, exc) from None
        raise MigrationError(shown_url, str(exc.orig).splitlines()[0]) from None
    except SQLAlchemyError as exc:
        raise MigrationError(shown_url, str(exc).splitlines()[0]) from None


@functools.cache
def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@functools.cache
def _head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def _current(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    versions: list[str] = list(
        conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    )
    return versions[0] if len(versions) == 1 else None

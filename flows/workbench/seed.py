"""Seed a throwaway register with a copy of a real one, reading the real one only.

The copy goes through the register's public surface (:func:`register_client.connect` for
the target, with its migrations) and SQLAlchemy reflection: tables and columns are matched
by name, rows copied in primary-key order. The source connection is read-only at the
driver level: SQLite's ``mode=ro``, PostgreSQL's ``default_transaction_read_only``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from register_client import RegisterError, connect

__all__ = ["seed_register", "shown_url"]

_PG = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg3"}


def seed_register(source_url: str, target_url: str) -> int | None:
    """Copy every entry of a register, with its evidence, history and mutes, into another.

    The source is opened read-only; the target is created (schema migrated) if needed and
    should be empty. Tables and columns are matched by name, so a source one migration
    behind still copies.

    Returns
    -------
    int or None
        The number of entries copied; None for a SQLite file that does not exist (then
        nothing is created, neither the file nor its folder).
    """
    source = _read_only_engine(source_url)
    if source is None:
        return None
    target = connect(target_url)
    try:
        theirs, ours = MetaData(), MetaData()
        theirs.reflect(bind=source)
        ours.reflect(bind=target.engine)
        copied = 0
        with source.connect() as src, target.engine.begin() as dst:
            if dst.dialect.name == "sqlite":
                dst.execute(text("PRAGMA defer_foreign_keys=ON"))  # entries link to entries
            for table in ours.sorted_tables:
                if table.name == "alembic_version" or table.name not in theirs.tables:
                    continue
                mine = theirs.tables[table.name]
                columns = [c for c in mine.columns if c.name in table.columns]
                order = list(mine.primary_key.columns)
                rows = [dict(r._mapping) for r in src.execute(select(*columns).order_by(*order))]
                if rows:
                    dst.execute(table.insert(), rows)
                if table.name == "entries":
                    copied = len(rows)
        return copied
    except RegisterError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RegisterError(f"cannot copy register {shown_url(source_url)}: {reason}") from exc
    finally:
        source.dispose()
        target.dispose()


def _read_only_engine(url: str) -> Engine | None:
    """Open a register for reading only, or None for a SQLite register that does not exist."""
    try:
        parsed = make_url(url)
    except Exception:
        raise RegisterError(f"invalid register URL {url!r}") from None
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).expanduser().is_file():
            return None
        uri = f"{Path(database).expanduser().resolve().as_uri()}?mode=ro"
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    if parsed.drivername in _PG:
        given = parsed.query.get("options", "")  # e.g. -csearch_path=... in the URL
        options = " ".join([*(given if isinstance(given, tuple) else [given]),
                            "-c default_transaction_read_only=on"]).strip()  # fmt: skip
        return create_engine(
            parsed.set(drivername="postgresql+psycopg").difference_update_query(["options"]),
            connect_args={"options": options, "connect_timeout": 5},
        )
    raise RegisterError(
        f"unsupported register URL {shown_url(url)}; use sqlite:/// or postgresql://"
    )


def shown_url(url: str) -> str:
    """Return a register URL with its password hidden, for messages and reports."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url

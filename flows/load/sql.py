"""Read a ``format: sql`` source: a table or a read-only query, through SQLAlchemy, in chunks.

Only the mapped columns are selected and an optional ``date_filter`` is pushed down
as a ``WHERE`` on the database, so a large table is never copied whole. Date and
time columns keep the types the database gives them; every other column is read
as text, as the CSV reader does, so the same parsing rules apply after.

Every failure is one :class:`~flows.sources.SourceError`-style line naming the
source; the URL is shown with its password hidden and the password is scrubbed
from driver messages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from flows.config.model import SourceSpec
from flows.load.records import SourceError

__all__ = ["SqlSourceError", "read_sql_source", "shown_url"]

_READ_ONLY = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_WRITES = re.compile(
    r"\b(insert|update|delete|merge|drop|alter|create|truncate|grant|revoke|copy|call)\b",
    re.IGNORECASE,
)


# Belt and braces: the query is checked to be a SELECT, and the session refuses writes too.
_READ_ONLY_SESSION = {"postgresql": "SET TRANSACTION READ ONLY", "sqlite": "PRAGMA query_only = ON"}


class SqlSourceError(SourceError):
    """An SQL source cannot be read; the message names the source, never the password."""


def shown_url(url: str) -> str:
    """Return the URL with its password hidden (or as given, if it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _fail(source: SourceSpec, parsed: URL | None, what: str, exc: BaseException) -> SqlSourceError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    line = reason[0] if reason else type(exc).__name__
    if parsed is not None and parsed.password:
        line = line.replace(str(parsed.password), "***")
    where = shown_url(source.url or "")
    return SqlSourceError(f"source {source.name!r} ({where}): {what}: {line}")


def _quote(conn: Connection, name: str) -> str:
    preparer = conn.dialect.identifier_preparer
    return ".".join(preparer.quote(part) for part in name.split("."))


def _relation(conn: Connection, source: SourceSpec) -> str:
    """Return the FROM clause: the table (checked to exist) or the query as a subquery."""
    if source.table is not None:
        schema, _, table = source.table.rpartition(".")
        if not inspect(conn).has_table(table, schema=schema or None):
            raise SqlSourceError(
                f"source {source.name!r} ({shown_url(source.url or '')}): "
                f"table {source.table!r} not found"
            )
        return _quote(conn, source.table)
    query = (source.query or "").strip().rstrip(";")
    if not _READ_ONLY.match(query) or ";" in query or _WRITES.search(query):
        raise SqlSourceError(
            f"source {source.name!r}: query must be one read-only SELECT (or WITH) statement"
        )
    return f"({query}) AS radar_source"


def _needed(source: SourceSpec) -> list[str]:
    cols = list(source.columns.values())
    if source.audit_log is not None:
        spec = source.audit_log
        cols += [spec.key, *spec.order_by, *spec.max_columns]
    return list(dict.fromkeys(cols))


def _select(conn: Connection, source: SourceSpec) -> tuple[str, dict[str, Any]]:
    relation = _relation(conn, source)
    present = list(conn.execute(text(f"SELECT * FROM {relation} WHERE 1 = 0")).keys())
    missing = [c for c in _needed(source) if c not in present]
    if missing:
        raise SqlSourceError(
            f"source {source.name!r} ({shown_url(source.url or '')}): "
            f"{source.table or 'query'} lacks column(s) {missing}; found {sorted(present)[:12]}"
        )
    columns = ", ".join(_quote(conn, c) for c in _needed(source))
    sql = f"SELECT {columns} FROM {relation}"
    params: dict[str, Any] = {}
    flt = source.date_filter
    if flt is not None:
        column = _quote(conn, source.columns[flt.column])
        clauses = []
        if flt.start is not None:
            clauses.append(f"{column} >= :radar_start")
            params["radar_start"] = pd.Timestamp(flt.start).to_pydatetime()
        if flt.end is not None:
            clauses.append(f"{column} < :radar_end")
            params["radar_end"] = pd.Timestamp(flt.end + timedelta(days=1)).to_pydatetime()
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
    return sql, params


def _as_text(chunk: pd.DataFrame) -> pd.DataFrame:
    """Keep dates as dates (naive UTC), read everything else as text, like the CSV reader."""
    out = {}
    for name, column in chunk.items():
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            out[name] = column.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = column
        else:
            values = column.astype("string")
            # integers stored as floats (a NULL in the column) print as "3.0"; undo that
            if pd.api.types.is_float_dtype(column.dtype):
                whole = column.notna() & (column % 1 == 0)
                values = values.where(~whole, column[whole].astype("Int64").astype("string"))
            out[name] = values
    return pd.DataFrame(out)


def _chunks(
    conn: Connection, sql: str, params: dict[str, Any], size: int
) -> Iterator[pd.DataFrame]:
    streaming = conn.execution_options(stream_results=True)
    yield from pd.read_sql_query(text(sql), streaming, params=params, chunksize=size)


def read_sql_source(source: SourceSpec) -> tuple[pd.DataFrame, str]:
    """Read an SQL source's mapped columns in chunks; return the frame and its data hash.

    Raises
    ------
    SqlSourceError
        For a malformed URL, an unreachable database, a missing table or column,
        a query that is not read-only, or a query that fails.
    """
    parsed: URL | None = None
    try:
        parsed = make_url(source.url or "")
        engine = create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise _fail(source, parsed, "invalid SQLAlchemy URL", exc) from None
    digest = hashlib.sha256()
    frames = []
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _fail(source, parsed, "cannot connect", exc) from None
    try:
        with conn:
            if conn.dialect.name in _READ_ONLY_SESSION:
                conn.execute(text(_READ_ONLY_SESSION[conn.dialect.name]))
            sql, params = _select(conn, source)
            for chunk in _chunks(conn, sql, params, source.chunksize):
                frame = _as_text(chunk)
                digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
                frames.append(frame)
    except SQLAlchemyError as exc:
        raise _fail(source, parsed, "query failed", exc) from None
    finally:
        engine.dispose()
    if not frames:
        return pd.DataFrame(columns=_needed(source), dtype="string"), digest.hexdigest()
    return pd.concat(frames, ignore_index=True), digest.hexdigest()

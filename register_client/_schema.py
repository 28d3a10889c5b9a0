"""The register's tables (SQLAlchemy Core), shared by the store and the migration check.

Exactly-once filing rests on two unique constraints:

* ``fingerprints.fingerprint`` is the primary key of the *lineage head* table: one
  row per fingerprint, pointing at the entry that currently answers for it. Every
  filing first upserts and then row-locks this row, so concurrent scans that see
  the same finding queue up behind one another instead of both creating an entry.
* ``evidence (fingerprint, at)`` makes a detection an idempotency key: a retried
  or repeated scan that reports the same detection changes nothing.

``entries (fingerprint, generation)`` backs both: a fingerprint's second entry (a
re-notified rejection, a regression) has generation 2, and two writers can never
both create the same generation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql, sqlite

from ._types import as_utc

__all__ = [
    "entries",
    "evidence",
    "evidence_plots",
    "fingerprints",
    "gate_results",
    "history",
    "measurements",
    "metadata",
    "mutes",
    "sync_intents",
    "sync_links",
    "sync_locks",
    "upsert",
]


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def upsert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """Return an ``INSERT`` into `table` that takes ``ON CONFLICT`` on `conn`'s backend."""
    # Core's generic insert has no ON CONFLICT; both dialects' inserts spell it alike.
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ENTRY = "entries.seq"

entries = Table(
    "entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(32), nullable=False, index=True),
    Column("generation", Integer, nullable=False),
    Column("slice_key", String(32), nullable=False, index=True),
    Column("dataset", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("closure_code", String(16)),
    Column("priority", Integer, nullable=False),
    Column("priority_reason", Text, nullable=False),
    Column("owner", String(200)),
    Column("kpi", JSON, nullable=False),
    Column("dimensions", JSON, nullable=False),
    Column("window_start", UtcDateTime, nullable=False),
    Column("window_end", UtcDateTime, nullable=False),
    Column("baseline", JSON, nullable=False),
    Column("current", JSON, nullable=False),
    Column("suggested_target", JSON),
    Column("target", JSON),
    Column("base_value", Float),
    Column("target_value", Float),
    Column("benefits", JSON),
    Column("csf", Text),
    Column("objective", Text),
    Column("score", Float, nullable=False),
    Column("magnitude", Float, nullable=False),
    Column("source", JSON, nullable=False),
    Column("evidence_plot", Text),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("occurrences", Integer, nullable=False),
    Column("duplicate_of", Integer, ForeignKey(_ENTRY)),
    Column("linked_to", Integer, ForeignKey(_ENTRY)),
    Column("link_kind", String(32)),
    Column("progress", String(32)),
    Column("progress_detail", JSON),
    Column("progress_at", UtcDateTime),
    Column("feedback", JSON),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("status_changed_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("latest", JSON),
    UniqueConstraint("fingerprint", "generation", name="uq_entries_fingerprint_generation"),
    sqlite_autoincrement=True,
)

fingerprints = Table(
    "fingerprints",
    metadata,
    Column("fingerprint", String(32), primary_key=True),
    Column("head_seq", Integer, ForeignKey(_ENTRY)),
    Column("generation", Integer, nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_seq", Integer, ForeignKey(_ENTRY), nullable=False, index=True),
    Column("fingerprint", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("value", Float),
    Column("score", Float),
    Column("magnitude", Float),
    Column("scan_at", UtcDateTime, nullable=False),
    Column("suppressed", Boolean, nullable=False),
    Column("detail", JSON, nullable=False),
    UniqueConstraint("fingerprint", "at", name="uq_evidence_fingerprint_at"),
)

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_seq", Integer, ForeignKey(_ENTRY), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16)),
    Column("detail", JSON, nullable=False),
)

measurements = Table(
    "measurements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_seq", Integer, ForeignKey(_ENTRY), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("value", Float),
    Column("verdict", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
    UniqueConstraint("entry_seq", "at", name="uq_measurements_entry_seq_at"),
)

mutes = Table(
    "mutes",
    metadata,
    Column("slice_key", String(32), primary_key=True),
    Column("dataset", String(200), nullable=False, index=True),
    Column("kpi", String(200), nullable=False),
    Column("dimensions", JSON, nullable=False),
    Column("until", UtcDateTime, nullable=False),
    Column("threshold_factor", Float, nullable=False),
    Column("magnitude_floor", Float),
    Column("entry_seq", Integer, ForeignKey(_ENTRY), nullable=False),
    Column("reason", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

gate_results = Table(
    "gate_results",
    metadata,
    Column("validation_id", String(64), primary_key=True),
    Column("source", String(200), nullable=False, index=True),
    Column("as_of", String(10), nullable=False),
    Column("evaluated_at", UtcDateTime, nullable=False),
    Column("document", JSON, nullable=False),
)

# -- the outbox for external syncs (Jira, ServiceNow): see _outbox.py ----------------------

sync_links = Table(
    "sync_links",
    metadata,
    Column("target", String(40), primary_key=True),
    Column("entry_seq", Integer, ForeignKey(_ENTRY), primary_key=True),
    Column("fingerprint", String(32), nullable=False, index=True),
    Column("external_key", String(200)),
    Column("external_id", String(200)),
    Column("pushed_hash", String(64)),
    Column("pushed_verdict", String(32)),
    Column("remote_status", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

sync_intents = Table(
    "sync_intents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(40), nullable=False),
    Column("entry_seq", Integer, ForeignKey(_ENTRY), nullable=False, index=True),
    Column("op", String(16), nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("payload_hash", String(64)),
    Column("state", String(16), nullable=False),
    Column("external_key", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)

sync_locks = Table(
    "sync_locks",
    metadata,
    Column("target", String(40), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# The frozen evidence plot of each entry, kept with the register: on a shared PostgreSQL
# register a plot must not live only on the disk of the worker that drew it.
evidence_plots = Table(
    "evidence_plots",
    metadata,
    Column("entry_seq", Integer, ForeignKey(_ENTRY), primary_key=True),
    Column("media_type", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

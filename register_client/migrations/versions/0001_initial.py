"""Create the register: entries, lineage heads, evidence, history, measurements, mutes.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _entry_fk(name: str, nullable: bool = True) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey("entries.seq"), nullable=nullable)


def upgrade() -> None:
    """Create every table of the first schema."""
    op.create_table(
        "entries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(32), nullable=False, index=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("slice_key", sa.String(32), nullable=False, index=True),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("closure_code", sa.String(16)),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("priority_reason", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("kpi", sa.JSON, nullable=False),
        sa.Column("dimensions", sa.JSON, nullable=False),
        sa.Column("window_start", _TS, nullable=False),
        sa.Column("window_end", _TS, nullable=False),
        sa.Column("baseline", sa.JSON, nullable=False),
        sa.Column("current", sa.JSON, nullable=False),
        sa.Column("suggested_target", sa.JSON),
        sa.Column("target", sa.JSON),
        sa.Column("base_value", sa.Float),
        sa.Column("target_value", sa.Float),
        sa.Column("benefits", sa.JSON),
        sa.Column("csf", sa.Text),
        sa.Column("objective", sa.Text),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("magnitude", sa.Float, nullable=False),
        sa.Column("source", sa.JSON, nullable=False),
        sa.Column("evidence_plot", sa.Text),
        sa.Column("first_seen", _TS, nullable=False),
        sa.Column("last_seen", _TS, nullable=False),
        sa.Column("occurrences", sa.Integer, nullable=False),
        _entry_fk("duplicate_of"),
        _entry_fk("linked_to"),
        sa.Column("link_kind", sa.String(32)),
        sa.Column("progress", sa.String(32)),
        sa.Column("progress_detail", sa.JSON),
        sa.Column("progress_at", _TS),
        sa.Column("feedback", sa.JSON),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("status_changed_at", _TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("fingerprint", "generation", name="uq_entries_fingerprint_generation"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "fingerprints",
        sa.Column("fingerprint", sa.String(32), primary_key=True),
        _entry_fk("head_seq"),
        sa.Column("generation", sa.Integer, nullable=False),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _entry_fk("entry_seq", nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("magnitude", sa.Float),
        sa.Column("scan_at", _TS, nullable=False),
        sa.Column("suppressed", sa.Boolean, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.UniqueConstraint("fingerprint", "at", name="uq_evidence_fingerprint_at"),
    )
    op.create_index("ix_evidence_entry_seq", "evidence", ["entry_seq"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _entry_fk("entry_seq", nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16)),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_history_entry_seq", "history", ["entry_seq"])
    op.create_table(
        "measurements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _entry_fk("entry_seq", nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.UniqueConstraint("entry_seq", "at", name="uq_measurements_entry_seq_at"),
    )
    op.create_index("ix_measurements_entry_seq", "measurements", ["entry_seq"])
    op.create_table(
        "mutes",
        sa.Column("slice_key", sa.String(32), primary_key=True),
        sa.Column("dataset", sa.String(200), nullable=False, index=True),
        sa.Column("kpi", sa.String(200), nullable=False),
        sa.Column("dimensions", sa.JSON, nullable=False),
        sa.Column("until", _TS, nullable=False),
        sa.Column("threshold_factor", sa.Float, nullable=False),
        sa.Column("magnitude_floor", sa.Float),
        _entry_fk("entry_seq", nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in ("mutes", "measurements", "history", "evidence", "fingerprints", "entries"):
        op.drop_table(table)

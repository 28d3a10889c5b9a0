"""Add the outbox for external syncs: links to Jira/ServiceNow records, intents, locks.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create sync_links, sync_intents and sync_locks."""
    op.create_table(
        "sync_links",
        sa.Column("target", sa.String(40), primary_key=True),
        sa.Column("entry_seq", sa.Integer, sa.ForeignKey("entries.seq"), primary_key=True),
        sa.Column("fingerprint", sa.String(32), nullable=False, index=True),
        sa.Column("external_key", sa.String(200)),
        sa.Column("external_id", sa.String(200)),
        sa.Column("pushed_hash", sa.String(64)),
        sa.Column("pushed_verdict", sa.String(32)),
        sa.Column("remote_status", sa.String(200)),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "sync_intents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(40), nullable=False),
        sa.Column("entry_seq", sa.Integer, sa.ForeignKey("entries.seq"), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("payload_hash", sa.String(64)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("external_key", sa.String(200)),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("finished_at", _TS),
    )
    op.create_index("ix_sync_intents_entry_seq", "sync_intents", ["entry_seq"])
    op.create_table(
        "sync_locks",
        sa.Column("target", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
    )


def downgrade() -> None:
    """Drop the outbox tables."""
    for table in ("sync_locks", "sync_intents", "sync_links"):
        op.drop_table(table)

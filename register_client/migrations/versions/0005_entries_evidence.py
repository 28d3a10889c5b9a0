"""Entries keep a frozen snapshot and a living status; evidence plots live in the register.

Adds ``entries.latest`` (what later nights learn: last window, value, kind) and the
``evidence_plots`` table (each entry's frozen PNG, so a shared register needs no shared
disk).

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``entries.latest`` and create ``evidence_plots``."""
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("latest", sa.JSON))
    op.create_table(
        "evidence_plots",
        sa.Column("entry_seq", sa.Integer, sa.ForeignKey("entries.seq"), primary_key=True),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop ``evidence_plots`` and ``entries.latest``."""
    op.drop_table("evidence_plots")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("latest")

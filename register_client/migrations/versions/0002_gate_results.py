"""Keep the quality gate's results in the register, so shared registers share streaks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the gate_results table."""
    op.create_table(
        "gate_results",
        sa.Column("validation_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    """Drop the gate_results table."""
    op.drop_table("gate_results")

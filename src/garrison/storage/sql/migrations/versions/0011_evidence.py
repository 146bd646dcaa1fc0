"""Evidence attached to incidents, and the chain-of-custody log of every access.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the evidence tables."""
    op.create_table(
        "evidence",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("size", sa.BigInteger),
        sa.Column("path", sa.String(256)),
        sa.Column("algorithm", sa.String(16)),
        sa.Column("key_id", sa.String(64)),
        sa.Column("event_id", sa.String(32)),
        sa.Column("description", sa.Text),
        sa.Column("added_by", sa.String(256), nullable=False),
        sa.Column("added_at", sa.BigInteger, nullable=False),
        sa.Index("ix_evidence_incident", "incident_id"),
    )
    op.create_table(
        "evidence_custody",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("evidence_id", sa.String(32), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Index("ix_evidence_custody_evidence", "evidence_id", "id"),
    )


def downgrade() -> None:
    """Drop the evidence tables."""
    op.drop_table("evidence_custody")
    op.drop_table("evidence")

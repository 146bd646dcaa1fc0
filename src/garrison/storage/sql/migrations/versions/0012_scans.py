"""Baseline scans: targets with schedules, scans with their scores, and every finding.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the scan tables."""
    op.create_table(
        "scan_targets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("schedule", sa.String(128)),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("next_run", sa.BigInteger),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "scans",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("target_id", sa.BigInteger),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("finished_at", sa.BigInteger, nullable=False),
        sa.Column("check_ids", sa.Text, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("scores", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Index("ix_scans_target", "target", "id"),
    )
    op.create_table(
        "scan_findings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.BigInteger, nullable=False),
        sa.Column("check_id", sa.String(96), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("expected", sa.Text),
        sa.Column("actual", sa.Text),
        sa.Column("frameworks", sa.Text, nullable=False),
        sa.Index("ix_scan_findings_scan", "scan_id", "status"),
    )


def downgrade() -> None:
    """Drop the scan tables."""
    op.drop_table("scan_findings")
    op.drop_table("scans")
    op.drop_table("scan_targets")

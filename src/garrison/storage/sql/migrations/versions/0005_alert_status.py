"""Alert triage: who changed an alert's status, when, why, and the verdict.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("resolution", sa.String(32)),
    ("status_reason", sa.Text()),
    ("status_by", sa.String(256)),
    ("status_at", sa.BigInteger()),
)


def upgrade() -> None:
    """Add the triage columns."""
    with op.batch_alter_table("alerts") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind))


def downgrade() -> None:
    """Drop the triage columns."""
    with op.batch_alter_table("alerts") as batch:
        for name, _kind in _COLUMNS:
            batch.drop_column(name)

"""Pending sessions: the password was right, the MFA code is still to come.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the session stage (``full`` or ``mfa``)."""
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("stage", sa.String(8), nullable=False, server_default="full"))


def downgrade() -> None:
    """Drop the session stage."""
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("stage")

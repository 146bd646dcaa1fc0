"""Users, password history, login failures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the account tables."""
    op.create_table(
        "users",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(256)),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("password_changed_at", sa.BigInteger, nullable=False),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("totp_confirmed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("totp_last_step", sa.BigInteger),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("locked_until", sa.BigInteger),
        sa.Column("language", sa.String(8), nullable=False, server_default="zh-CN"),
        sa.Column("timezone", sa.String(64)),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("last_login_at", sa.BigInteger),
    )
    op.create_table(
        "password_history",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_password_history_user", "password_history", ["user_id", "created_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_failures_user_ts", "login_failures", ["user_name", "ts"])


def downgrade() -> None:
    """Drop the account tables."""
    for table in ("login_failures", "password_history", "users"):
        op.drop_table(table)

"""Alerts, suppressions, correlation state, login baseline, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the detection tables."""
    op.create_table(
        "alerts",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(256), nullable=False),
        sa.Column("title", sa.String(512), nullable=False),
        sa.Column("level", sa.String(16)),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("author", sa.String(512)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("grouping", sa.Text, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("first_seen", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
        sa.Column("event_ids", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("suppression_id", sa.BigInteger),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_alerts_fingerprint", "alerts", ["fingerprint", "id"])
    op.create_index("ix_alerts_last_seen", "alerts", ["last_seen"])
    op.create_index("ix_alerts_status_last_seen", "alerts", ["status", "last_seen"])
    op.create_table(
        "suppressions",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.String(256)),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("until", sa.BigInteger),
        sa.Column("removed_by", sa.String(256)),
        sa.Column("removed_at", sa.BigInteger),
        sa.Column("hits", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_hit", sa.BigInteger),
    )
    op.create_table(
        "correlation_matches",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("rule_key", sa.String(256), nullable=False),
        sa.Column("group_hash", sa.String(64), nullable=False),
        sa.Column("grouping", sa.Text, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("value", sa.Text),
    )
    op.create_index(
        "ix_correlation_matches_group", "correlation_matches", ["rule_key", "group_hash"]
    )
    op.create_index("ix_correlation_matches_ts", "correlation_matches", ["rule_key", "ts"])
    op.create_table(
        "detection_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("batch_seq", sa.BigInteger, nullable=False),
        sa.Column("max_ts", sa.BigInteger),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "login_baseline",
        sa.Column("user_name", sa.String(256), primary_key=True),
        sa.Column("source_ip", sa.String(64), primary_key=True),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_ts", "audit_log", ["ts"])


def downgrade() -> None:
    """Drop the detection tables."""
    for table in (
        "audit_log",
        "login_baseline",
        "detection_state",
        "correlation_matches",
        "suppressions",
        "alerts",
    ):
        op.drop_table(table)

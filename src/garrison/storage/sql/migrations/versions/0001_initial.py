"""Initial schema: events, batches and their hash chain, checkpoints, archives, sources.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the first version of every table."""
    op.create_table(
        "events",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32)),
        sa.Column("category", sa.String(64)),
        sa.Column("action", sa.String(128)),
        sa.Column("outcome", sa.String(16)),
        sa.Column("source_ip", sa.String(64)),
        sa.Column("destination_ip", sa.String(64)),
        sa.Column("user_name", sa.String(256)),
        sa.Column("host_name", sa.String(256)),
        sa.Column("batch_seq", sa.BigInteger, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("original", sa.Text, nullable=False),
    )
    op.create_index("ix_events_ts", "events", ["ts"])
    op.create_index("ix_events_source_ip_ts", "events", ["source_ip", "ts"])
    op.create_index("ix_events_user_name_ts", "events", ["user_name", "ts"])
    op.create_index("ix_events_host_name_ts", "events", ["host_name", "ts"])
    op.create_index("ix_events_batch_seq", "events", ["batch_seq"])
    op.create_table(
        "batches",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("min_ts", sa.BigInteger),
        sa.Column("max_ts", sa.BigInteger),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("archive", sa.String(1024)),
    )
    op.create_index("ix_batches_max_ts", "batches", ["max_ts"])
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("key", sa.String(1024), primary_key=True),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("device", sa.BigInteger, nullable=False),
        sa.Column("inode", sa.BigInteger, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "archives",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path", sa.String(1024), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("batch_count", sa.Integer, nullable=False),
        sa.Column("min_ts", sa.BigInteger),
        sa.Column("max_ts", sa.BigInteger),
    )
    op.create_table(
        "ingest_sources",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("default_format", sa.String(32)),
        sa.Column("host_name", sa.String(256)),
    )


def downgrade() -> None:
    """Drop everything."""
    for table in ("ingest_sources", "archives", "checkpoints", "chain_head", "batches", "events"):
        op.drop_table(table)

"""Response automation: playbook runs, their steps, approvals with decisions, and IP blocks.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the response tables."""
    op.create_table(
        "playbook_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("playbook", sa.String(128), nullable=False),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(128)),
        sa.Column("dedupe", sa.String(300), unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.BigInteger),
        sa.Column("finished_at", sa.BigInteger),
        sa.Column("wake_at", sa.BigInteger),
        sa.Column("owner", sa.String(64)),
        sa.Column("lease_until", sa.BigInteger),
        sa.Column("error", sa.Text),
        sa.Index("ix_playbook_runs_status", "status", "wake_at"),
        sa.Index("ix_playbook_runs_playbook", "playbook", "status"),
    )
    op.create_table(
        "playbook_steps",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.BigInteger, nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("item", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("action", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("args", sa.Text),
        sa.Column("output", sa.Text),
        sa.Column("effects", sa.Text),
        sa.Column("undo", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("started_at", sa.BigInteger),
        sa.Column("finished_at", sa.BigInteger),
        sa.UniqueConstraint("run_id", "step", "item", name="uq_playbook_steps_item"),
    )
    op.create_table(
        "playbook_approvals",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.BigInteger, nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("required", sa.Integer, nullable=False),
        sa.Column("approvers", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("on_timeout", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.BigInteger, nullable=False),
        sa.Column("due_at", sa.BigInteger, nullable=False),
        sa.Column("decided_at", sa.BigInteger),
        sa.UniqueConstraint("run_id", "step", name="uq_playbook_approvals_step"),
        sa.Index("ix_playbook_approvals_status", "status", "due_at"),
    )
    op.create_table(
        "playbook_decisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("approval_id", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("decided_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("approval_id", "actor", name="uq_playbook_decisions_actor"),
    )
    op.create_table(
        "response_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "response_blocks",
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("expires_at", sa.BigInteger),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("run_id", sa.BigInteger),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Index("ix_response_blocks_expiry", "expires_at"),
    )


def downgrade() -> None:
    """Drop the response tables."""
    op.drop_table("response_blocks")
    op.drop_table("response_cursors")
    op.drop_table("playbook_decisions")
    op.drop_table("playbook_approvals")
    op.drop_table("playbook_steps")
    op.drop_table("playbook_runs")

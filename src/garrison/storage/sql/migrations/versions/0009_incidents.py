"""Incidents: assets, incidents, their alerts, SLA deadlines, tasks, timeline, responders.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the incident tables."""
    op.create_table(
        "assets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False, unique=True),
        sa.Column("kind", sa.String(64)),
        sa.Column("importance", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(256)),
        sa.Column("addresses", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(512), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("subcategory", sa.String(64)),
        sa.Column("grade", sa.String(4), nullable=False),
        sa.Column("computed_grade", sa.String(4), nullable=False),
        sa.Column("grade_reason", sa.Text),
        sa.Column("importance", sa.String(16), nullable=False),
        sa.Column("loss", sa.String(32), nullable=False),
        sa.Column("impact", sa.String(32), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("entities", sa.Text, nullable=False),
        sa.Column("assets", sa.Text, nullable=False),
        sa.Column("milestones", sa.Text, nullable=False),
        sa.Column("first_event_at", sa.BigInteger),
        sa.Column("summary", sa.Text),
        sa.Column("root_cause", sa.Text),
        sa.Column("losses", sa.Text),
        sa.Column("improvements", sa.Text),
        sa.Column("opened_by", sa.String(256), nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Index("ix_incidents_phase", "phase"),
    )
    op.create_table(
        "incident_alerts",
        sa.Column("alert_id", sa.BigInteger, primary_key=True),
        sa.Column("incident_id", sa.BigInteger, nullable=False),
        sa.Column("attached_at", sa.BigInteger, nullable=False),
        sa.Column("attached_by", sa.String(256), nullable=False),
        sa.Index("ix_incident_alerts_incident", "incident_id"),
    )
    op.create_table(
        "incident_deadlines",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("start", sa.BigInteger, nullable=False),
        sa.Column("due", sa.BigInteger, nullable=False),
        sa.Column("warn_at", sa.BigInteger, nullable=False),
        sa.Column("met_at", sa.BigInteger),
        sa.Column("warned_at", sa.BigInteger),
        sa.Column("breached_at", sa.BigInteger),
        sa.UniqueConstraint("incident_id", "kind", name="uq_incident_deadline_kind"),
        sa.Index("ix_incident_deadlines_due", "due"),
    )
    op.create_table(
        "incident_tasks",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.BigInteger, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("title_zh", sa.String(500), nullable=False),
        sa.Column("title_en", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("due", sa.BigInteger, nullable=False),
        sa.Column("done_at", sa.BigInteger),
        sa.Column("done_by", sa.String(256)),
        sa.Index("ix_incident_tasks_incident", "incident_id"),
    )
    op.create_table(
        "incident_timeline",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.BigInteger, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Index("ix_incident_timeline_incident", "incident_id", "at"),
    )
    op.create_table(
        "responders",
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("user_name", sa.String(64), primary_key=True),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "incident_cursor",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("alert_id", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop the incident tables."""
    for table in (
        "incident_cursor",
        "responders",
        "incident_timeline",
        "incident_tasks",
        "incident_deadlines",
        "incident_alerts",
        "incidents",
        "assets",
    ):
        op.drop_table(table)

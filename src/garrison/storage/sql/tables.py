"""Table definitions (SQLAlchemy Core).

Times are stored as integer microseconds since the UNIX epoch (UTC) on every backend: range
scans on integers are fast everywhere and no driver converts them differently. Event fields are
stored as the exact JSON text that was hashed, so integrity checks re-hash what is stored.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

events = sa.Table(
    "events",
    metadata,
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
    sa.Index("ix_events_ts", "ts"),
    sa.Index("ix_events_source_ip_ts", "source_ip", "ts"),
    sa.Index("ix_events_user_name_ts", "user_name", "ts"),
    sa.Index("ix_events_host_name_ts", "host_name", "ts"),
    sa.Index("ix_events_batch_seq", "batch_seq"),
)

batches = sa.Table(
    "batches",
    metadata,
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
    sa.Index("ix_batches_max_ts", "max_ts"),
)

chain_head = sa.Table(
    "chain_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("key", sa.String(1024), primary_key=True),
    sa.Column("stream", sa.String(32), nullable=False),
    sa.Column("device", sa.BigInteger, nullable=False),
    sa.Column("inode", sa.BigInteger, nullable=False),
    sa.Column("offset", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

archives = sa.Table(
    "archives",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("path", sa.String(1024), nullable=False, unique=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("event_count", sa.Integer, nullable=False),
    sa.Column("batch_count", sa.Integer, nullable=False),
    sa.Column("min_ts", sa.BigInteger),
    sa.Column("max_ts", sa.BigInteger),
)

ingest_sources = sa.Table(
    "ingest_sources",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("default_format", sa.String(32)),
    sa.Column("host_name", sa.String(256)),
)

#: Autoincrementing 64-bit keys (SQLite only autoincrements ``INTEGER PRIMARY KEY``).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
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
    sa.Column("resolution", sa.String(32)),
    sa.Column("status_reason", sa.Text),
    sa.Column("status_by", sa.String(256)),
    sa.Column("status_at", sa.BigInteger),
    sa.Index("ix_alerts_fingerprint", "fingerprint", "id"),
    sa.Index("ix_alerts_last_seen", "last_seen"),
    sa.Index("ix_alerts_status_last_seen", "status", "last_seen"),
)

suppressions = sa.Table(
    "suppressions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("rule_id", sa.String(256)),
    sa.Column("conditions", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(256), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("until", sa.BigInteger),
    sa.Column("removed_by", sa.String(256)),
    sa.Column("removed_at", sa.BigInteger),
    sa.Column("hits", sa.BigInteger, nullable=False, default=0),
    sa.Column("last_hit", sa.BigInteger),
)

correlation_matches = sa.Table(
    "correlation_matches",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("rule_key", sa.String(256), nullable=False),
    sa.Column("group_hash", sa.String(64), nullable=False),
    sa.Column("grouping", sa.Text, nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("value", sa.Text),
    sa.Index("ix_correlation_matches_group", "rule_key", "group_hash"),
    sa.Index("ix_correlation_matches_ts", "rule_key", "ts"),
)

detection_state = sa.Table(
    "detection_state",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("batch_seq", sa.BigInteger, nullable=False),
    sa.Column("max_ts", sa.BigInteger),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

login_baseline = sa.Table(
    "login_baseline",
    metadata,
    sa.Column("user_name", sa.String(256), primary_key=True),
    sa.Column("source_ip", sa.String(64), primary_key=True),
    sa.Column("last_seen", sa.BigInteger, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(512), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_log_ts", "ts"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(256)),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("password_changed_at", sa.BigInteger, nullable=False),
    sa.Column("totp_secret", sa.String(64)),
    sa.Column("totp_confirmed", sa.Boolean, nullable=False, default=False),
    sa.Column("totp_last_step", sa.BigInteger),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("locked_until", sa.BigInteger),
    sa.Column("language", sa.String(8), nullable=False, default="zh-CN"),
    sa.Column("timezone", sa.String(64)),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_login_at", sa.BigInteger),
)

password_history = sa.Table(
    "password_history",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Index("ix_password_history_user", "user_id", "created_at"),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Index("ix_login_failures_user_ts", "user_name", "ts"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(256), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger),
    sa.Column("revoked_at", sa.BigInteger),
    sa.Column("last_used_at", sa.BigInteger),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_seen", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("stage", sa.String(8), nullable=False, server_default="full"),
    sa.Index("ix_sessions_user", "user_name"),
)

rule_settings = sa.Table(
    "rule_settings",
    metadata,
    sa.Column("rule_id", sa.String(256), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("changed_by", sa.String(256), nullable=False),
    sa.Column("changed_at", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(256), nullable=False, unique=True),
    sa.Column("kind", sa.String(64)),
    sa.Column("importance", sa.String(16), nullable=False),
    sa.Column("owner", sa.String(256)),
    sa.Column("addresses", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

incidents = sa.Table(
    "incidents",
    metadata,
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

incident_alerts = sa.Table(
    "incident_alerts",
    metadata,
    sa.Column("alert_id", sa.BigInteger, primary_key=True),
    sa.Column("incident_id", sa.BigInteger, nullable=False),
    sa.Column("attached_at", sa.BigInteger, nullable=False),
    sa.Column("attached_by", sa.String(256), nullable=False),
    sa.Index("ix_incident_alerts_incident", "incident_id"),
)

incident_deadlines = sa.Table(
    "incident_deadlines",
    metadata,
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

incident_tasks = sa.Table(
    "incident_tasks",
    metadata,
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

incident_timeline = sa.Table(
    "incident_timeline",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.BigInteger, nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("ix_incident_timeline_incident", "incident_id", "at"),
)

responders = sa.Table(
    "responders",
    metadata,
    sa.Column("role", sa.String(16), primary_key=True),
    sa.Column("user_name", sa.String(64), primary_key=True),
    sa.Column("added_at", sa.BigInteger, nullable=False),
)

incident_cursor = sa.Table(
    "incident_cursor",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("alert_id", sa.BigInteger, nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("incident_id", sa.BigInteger),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("finished_at", sa.BigInteger),
    sa.Column("result", sa.Text),
    sa.Index("ix_notifications_status", "status", "id"),
)

evidence = sa.Table(
    "evidence",
    metadata,
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

evidence_custody = sa.Table(
    "evidence_custody",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("evidence_id", sa.String(32), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Index("ix_evidence_custody_evidence", "evidence_id", "id"),
)

scan_targets = sa.Table(
    "scan_targets",
    metadata,
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

scans = sa.Table(
    "scans",
    metadata,
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

scan_findings = sa.Table(
    "scan_findings",
    metadata,
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

playbook_runs = sa.Table(
    "playbook_runs",
    metadata,
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

playbook_steps = sa.Table(
    "playbook_steps",
    metadata,
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

playbook_approvals = sa.Table(
    "playbook_approvals",
    metadata,
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

playbook_decisions = sa.Table(
    "playbook_decisions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("approval_id", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("decision", sa.String(8), nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("decided_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("approval_id", "actor", name="uq_playbook_decisions_actor"),
)

response_cursors = sa.Table(
    "response_cursors",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

response_blocks = sa.Table(
    "response_blocks",
    metadata,
    sa.Column("address", sa.String(64), primary_key=True),
    sa.Column("backend", sa.String(16), nullable=False),
    sa.Column("expires_at", sa.BigInteger),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("run_id", sa.BigInteger),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Index("ix_response_blocks_expiry", "expires_at"),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("cron", sa.String(128), nullable=False),
    sa.Column("args", sa.Text, nullable=False),
    sa.Column("timezone", sa.String(64)),
    sa.Column("missed", sa.String(8), nullable=False),
    sa.Column("catch_up", sa.Integer, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("next_run", sa.BigInteger),
    sa.Column("last_slot", sa.BigInteger),
    sa.Column("created_by", sa.String(256), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Index("ix_jobs_due", "enabled", "next_run"),
)

job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("job", sa.String(64), nullable=False),
    sa.Column("slot", sa.BigInteger, nullable=False),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("finished_at", sa.BigInteger),
    sa.Column("duration", sa.BigInteger),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("holder", sa.String(128), nullable=False),
    sa.Column("summary", sa.Text),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("job", "slot", name="uq_job_runs_slot"),
    sa.Index("ix_job_runs_status", "status", "holder"),
    sa.Index("ix_job_runs_started", "started_at"),
)

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(128), nullable=False),
    sa.Column("acquired_at", sa.BigInteger, nullable=False),
    sa.Column("until", sa.BigInteger, nullable=False),
)

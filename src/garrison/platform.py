"""The composition root: builds storage, clock and services from settings.

The CLI and the HTTP server talk to :class:`Platform` only; they never import SQLAlchemy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from garrison.alerts.live import LiveDetector, StepReport
from garrison.core.clock import Clock, SystemClock
from garrison.core.errors import InputError, UsageError
from garrison.core.timezones import resolve_zone
from garrison.detect.ruleset import DetectionSet
from garrison.events.model import Event
from garrison.evidence import EvidenceStore, Keyring
from garrison.incidents.model import Incident
from garrison.incidents.report import report_data
from garrison.incidents.tasks import ROLES, load_templates
from garrison.ingest.options import IngestOptions
from garrison.notify import Notifier
from garrison.notify import load_config as load_notify_config
from garrison.reports import render_html, render_pdf
from garrison.rulebook import Rulebook
from garrison.search.request import SearchRequest
from garrison.settings import Settings
from garrison.storage.sql import audit, incident_merge, integrity, outbox, retention, stats
from garrison.storage.sql import engine as sql_engine
from garrison.storage.sql.alerts import AlertRepository
from garrison.storage.sql.assets import AssetStore
from garrison.storage.sql.detection import SqlDetectionStore
from garrison.storage.sql.detection import lag as detection_lag
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.evidence import EvidenceLedger
from garrison.storage.sql.incident_automation import AutomationReport, IncidentAutomation
from garrison.storage.sql.incident_clocks import ClockEvent
from garrison.storage.sql.incident_clocks import sweep as sweep_clocks
from garrison.storage.sql.incidents import IncidentStore
from garrison.storage.sql.jobs import JobStore
from garrison.storage.sql.responders import ResponderStore
from garrison.storage.sql.rule_settings import RuleSettings
from garrison.storage.sql.scans import ScanStore
from garrison.storage.sql.search import events_by_id, search_events
from garrison.storage.sql.sessions import SessionStore
from garrison.storage.sql.sources import SourceRegistry
from garrison.storage.sql.tokens import TokenStore
from garrison.storage.sql.users import UserStore


def _with_responders(notify: Mapping[str, Any], members: Mapping[str, list[str]]) -> dict[str, Any]:
    """The ``[notify]`` table with the response roles' members added to its roles.

    Members without contact details in ``people`` are left out: they cannot be reached.
    """
    raw = dict(notify)
    known = set(raw.get("people") or {})
    roles = {k: list(v) for k, v in (raw.get("roles") or {}).items()}
    for role, names in members.items():
        roles[role] = sorted(set(roles.get(role, [])) | {n for n in names if n in known})
    raw["roles"] = roles
    return raw


@dataclass
class Platform:
    """Everything a command needs, wired from one :class:`Settings`."""

    settings: Settings
    clock: Clock
    store: SqlEventStore
    sources: SourceRegistry
    alerts: AlertRepository
    users: UserStore
    tokens: TokenStore
    sessions: SessionStore
    rule_settings: RuleSettings
    incidents: IncidentStore
    assets: AssetStore
    responders: ResponderStore
    scans: ScanStore
    jobs: JobStore
    _detector: LiveDetector | None = None
    _notifier: Notifier | None = None
    _notifier_revision: tuple[tuple[str, str], ...] = ()
    _evidence: EvidenceLedger | None = None
    _rules_signature: tuple[Any, ...] = ()

    @classmethod
    def open(
        cls, settings: Settings, clock: Clock | None = None, *, migrate: bool = True
    ) -> Platform:
        """Connect to the database, creating or upgrading the schema unless ``migrate`` is off.

        Raises:
            StorageError: If the database is unreachable.
        """
        settings.home.mkdir(parents=True, exist_ok=True)
        if settings.notify:
            # A broken [notify] table fails at start-up, not at the first incident.
            load_notify_config(_with_responders(settings.notify, {r: [] for r in ROLES}))
        engine = sql_engine.make_engine(settings.resolved_database_url)
        if migrate:
            sql_engine.upgrade(engine)
        clock = clock or SystemClock()
        return cls(
            settings=settings,
            clock=clock,
            store=SqlEventStore(engine, clock),
            sources=SourceRegistry(engine, clock),
            alerts=AlertRepository(engine, clock),
            users=UserStore(
                engine,
                clock,
                passwords=settings.auth.password_policy(),
                lockout=settings.auth.lockout_policy(),
                mfa_roles=frozenset(settings.auth.mfa_roles),
            ),
            tokens=TokenStore(engine, clock),
            sessions=SessionStore(engine, clock),
            rule_settings=RuleSettings(engine, clock),
            incidents=IncidentStore(
                engine,
                clock,
                sla=settings.incidents.sla_policy(),
                templates=load_templates(settings.incidents.task_templates),
            ),
            assets=AssetStore(engine, clock),
            responders=ResponderStore(engine, clock),
            scans=ScanStore(engine, clock),
            jobs=JobStore(engine, clock, zone=resolve_zone(settings.timezone)),
        )

    @property
    def archive_root(self) -> Path:
        """Folder that holds retention archives."""
        return self.settings.home / "archive"

    def close(self) -> None:
        """Release database connections and the notifier's HTTP client."""
        if self._notifier is not None:
            self._notifier.close()
        self.store.engine.dispose()

    def ingest_options(
        self,
        *,
        format: str | None = None,
        timezone: str | None = None,
        year: int | None = None,
        encoding: str = "utf-8",
        field_map: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> IngestOptions:
        """Build ingest options from flags, falling back to settings."""
        return IngestOptions(
            format=format,
            tz=resolve_zone(timezone or self.settings.timezone),
            year=year,
            encoding=encoding,
            field_map=dict(field_map or {}),
            extra=dict(extra or {}),
            batch_size=self.settings.batch_size,
        )

    def search(self, request: SearchRequest, *, tz: tzinfo | None = None) -> list[Event]:
        """Run a search (see ``docs/search.md``); ``tz`` reads zone-less times in the query."""
        return search_events(
            self.store.engine,
            request,
            now=self.clock.now(),
            tz=tz or resolve_zone(self.settings.timezone),
        )

    def events_by_id(self, ids: list[str]) -> list[Event]:
        """Stored events by id (an alert's matched events), oldest first."""
        return events_by_id(self.store.engine, ids)

    def overview(self, span: str = "24h") -> stats.Overview:
        """Counts for the console's overview over the last ``span`` (24h, 7d or 30d)."""
        since, until, buckets = stats.choose_range(self.clock.now(), span)
        return stats.overview(self.store.engine, since, until, buckets=buckets)

    def verify(self, progress: Callable[[int, int], None] | None = None) -> integrity.VerifyReport:
        """Check the whole hash chain and the archives."""
        return integrity.verify(self.store.engine, self.archive_root, progress)

    def run_retention(
        self,
        days: int | None = None,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> retention.RetentionReport:
        """Archive and delete events older than the retention window."""
        return retention.run_retention(
            self.store.engine,
            self.archive_root,
            self.clock,
            days or self.settings.retention_days,
            dry_run=dry_run,
            progress=progress,
        )

    def restore_archive(self, path: Path) -> retention.RestoreReport:
        """Re-import one archive file."""
        return retention.restore_archive(self.store, path, self.archive_root)

    def status(self) -> dict[str, Any]:
        """Database URL (password hidden), schema revision and event count."""
        engine = self.store.engine
        return {
            "database": engine.url.render_as_string(hide_password=True),
            "revision": sql_engine.current_revision(engine),
            "latest_revision": sql_engine.head_revision(),
            "events": self.store.count(),
            "data_dir": str(self.settings.home.resolve()),
        }

    @property
    def rulebook(self) -> Rulebook:
        """The rules: built-in, configured, uploaded, and which are switched off."""
        return Rulebook(self.settings, self.rule_settings)

    def detection_set(self) -> DetectionSet:
        """The rules live detection uses (see :class:`~garrison.rulebook.Rulebook`)."""
        return self.rulebook.build()

    def detector(self) -> LiveDetector:
        """The live detector, built once (rules are loaded and compiled on first use).

        Raises:
            UsageError: If no rule can be used.
        """
        signature = self.rulebook.signature()
        if self._detector is None or signature != self._rules_signature:
            self._rules_signature = signature
            detection = self.detection_set()
            if not detection.rules:
                raise UsageError(
                    "no usable detection rule", hint="check them with 'garrison rules lint'"
                )
            cfg = self.settings.detection
            self._detector = LiveDetector(
                detection,
                SqlDetectionStore(self.store.engine, self.clock),
                self.clock,
                calendar=cfg.calendar(self.settings.timezone),
                baseline_window=cfg.baseline_window,
                group_window=timedelta(minutes=cfg.group_minutes),
                lateness=timedelta(seconds=cfg.lateness_seconds),
                max_events=cfg.max_events,
            )
        return self._detector

    def detect(self, progress: Callable[[StepReport], None] | None = None) -> StepReport:
        """Detect on every stored event not yet detected on; return the totals."""
        total = StepReport()
        for step in self.detector().run():
            total.add(step)
            if progress is not None:
                progress(step)
        return total

    def incident_step(self) -> tuple[AutomationReport, list[ClockEvent]]:
        """One pass of the incident worker: alerts into incidents, then the SLA sweep.

        Returns:
            What automation did, and the clock warnings and breaches claimed by this pass
            (to be notified).
        """
        report = AutomationReport()
        if self.settings.incidents.enabled:
            automation = IncidentAutomation(
                self.store.engine,
                self.clock,
                self.incidents,
                self.settings.incidents.open_policy(),
                window=timedelta(hours=self.settings.incidents.attach_hours),
            )
            report = automation.step()
        clocks = sweep_clocks(self.store.engine, self.clock)
        self.send_notifications()
        return report, clocks

    def merge_incidents(self, target: int, source: int, *, actor: str, reason: str) -> Incident:
        """Merge open incident ``source`` into ``target`` (see ``incident_merge``)."""
        return incident_merge.merge(self.incidents, target, source, actor=actor, reason=reason)

    def split_incident(
        self, incident_id: int, alert_ids: list[int], *, title: str, actor: str, reason: str
    ) -> Incident:
        """Move alerts out of an incident into a new one (see ``incident_merge``)."""
        return incident_merge.split(
            self.incidents, incident_id, alert_ids, title=title, actor=actor, reason=reason
        )

    @property
    def evidence(self) -> EvidenceLedger:
        """Evidence of incidents, sealed under ``<home>/evidence`` with the configured cipher."""
        if self._evidence is None:
            algorithm = self.settings.evidence_algorithm
            keyring = Keyring.open(self.settings.home, clock=self.clock, algorithm=algorithm)
            keyring.ensure_current(algorithm, clock=self.clock)
            files = EvidenceStore(self.settings.home / "evidence", keyring)
            self._evidence = EvidenceLedger(self.store.engine, self.clock, files)
        return self._evidence

    def notifier(self) -> Notifier | None:
        """The notifier of the ``[notify]`` settings (``None`` when nothing is configured).

        The response roles (``command``, ``technical``, ``communication``) get the members
        kept in the database besides those of the settings; the notifier is rebuilt when the
        membership changes. Members without contact details in ``[notify] people`` are left
        out (they cannot be reached).
        """
        if not self.settings.notify:
            return None
        revision = self.responders.revision()
        if self._notifier is None or revision != self._notifier_revision:
            raw = _with_responders(self.settings.notify, self.responders.members())
            if self._notifier is not None:
                self._notifier.close()
            self._notifier = Notifier(load_notify_config(raw), clock=self.clock, sleep=time.sleep)
            self._notifier_revision = revision
        return self._notifier

    def send_notifications(self) -> int:
        """Send what the outbox holds; return how many notifications were handled."""
        items = outbox.pending(self.store.engine)
        if not items:
            return 0  # most passes: no need to look at the settings or the responders
        notifier = self.notifier()
        for item in items:
            values = dict(item.values)
            people = [str(p) for p in values.pop("$people", [])]
            roles = values.pop("$roles", None)
            try:
                deliveries = (
                    notifier.notify(
                        item.event,
                        values,
                        people=people,
                        roles=[str(r) for r in roles] if isinstance(roles, list) else None,
                    )
                    if notifier
                    else []
                )
            except InputError as exc:
                # Bad values or unknown people: no retry can fix it; record and move on.
                outbox.finish(
                    self.store.engine,
                    self.clock,
                    item,
                    ok=False,
                    result=[{"error": exc.message}],
                    final=True,
                )
                continue
            outbox.finish(
                self.store.engine,
                self.clock,
                item,
                ok=all(d.ok for d in deliveries),
                result=[
                    {
                        "channel": d.channel,
                        "ok": d.ok,
                        "status": d.status,
                        "attempts": d.attempts,
                        "error": d.error,
                        "recipients": list(d.recipients),
                    }
                    for d in deliveries
                ],
            )
        return len(items)

    def incident_report(self, incident_id: int, *, language: str, fmt: str) -> bytes:
        """The post-incident report of an incident as ``pdf`` or ``html`` bytes.

        Times are shown in the settings' zone; personal data is masked.
        """
        data = report_data(
            self.incidents.get(incident_id),
            self.incidents.timeline(incident_id),
            self.assets.list(),
            now=self.clock.now(),
            language=language,
        )
        zone = resolve_zone(self.settings.timezone)
        if fmt == "pdf":
            return render_pdf(data, language, zone)
        if fmt == "html":
            return render_html(data, language, zone).encode("utf-8")
        raise InputError(f"unknown report format {fmt!r}", hint="pdf or html")

    def detection_lag(self) -> int:
        """Stored batches live detection has not looked at yet."""
        return detection_lag(self.store.engine)

    def audit_verify(self) -> audit.AuditReport:
        """Check the audit trail's hash chain."""
        return audit.verify(self.store.engine)

    def audit_entries(
        self,
        *,
        limit: int = 100,
        action: str | None = None,
        target: str | None = None,
        actor: str | None = None,
        before: int | None = None,
    ) -> list[audit.AuditEntry]:
        """The newest audit entries (filters as in :func:`audit.entries`)."""
        return audit.entries(
            self.store.engine,
            limit=limit,
            action=action,
            target=target,
            actor=actor,
            before=before,
        )

    def audit_export(
        self,
        fmt: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
    ) -> Iterator[bytes]:
        """The audit trail as ``csv`` or ``ndjson`` chunks, oldest first.

        Raises:
            InputError: On another format.
        """
        writers = {"csv": audit.to_csv, "ndjson": audit.to_ndjson}
        if fmt not in writers:
            raise InputError(f"unknown export format {fmt!r}", hint="csv or ndjson")
        entries = audit.iter_entries(self.store.engine, since=since, until=until, action=action)
        return writers[fmt](entries)

    def now(self) -> datetime:
        """Current time from the platform clock."""
        return self.clock.now()

"""Baseline scans in the database: targets and their schedules, scans, findings, history.

A scan is written once, whole, with its findings and scores, in one transaction: history is
never edited. High-severity failures new since the previous scan of the same target become
alerts through the one alert writer (``detection.save_alert``), so they reach triage,
incidents and notifications like any detection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.alerts.live import fingerprint
from garrison.alerts.model import AlertMeta
from garrison.checks.base import Status
from garrison.checks.scan import Finding, Scan
from garrison.checks.targets import ScanTarget
from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.correlate.episodes import Episode
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros
from garrison.storage.sql.detection import save_alert

#: Rule ids of alerts raised by failed checks.
CHECK_RULE_PREFIX = "garrison.check."


@dataclass(frozen=True, slots=True)
class StoredScan:
    """A stored scan without its findings (lists and history).

    Attributes:
        id: Its id.
        target: What was scanned.
        kind: host, web or config.
        target_id: The scan target it ran for, if any.
        started: Start (UTC).
        finished: End (UTC).
        check_ids: The checks that ran.
        counts: Results by status.
        scores: Framework id -> score summary (see ``checks.scoring``).
        created_by: Who or what ran it (``user:li.na``, ``scheduler``).
    """

    id: int
    target: str
    kind: str
    target_id: int | None
    started: datetime
    finished: datetime
    check_ids: tuple[str, ...]
    counts: dict[str, int]
    scores: dict[str, Any]
    created_by: str

    def to_json(self) -> dict[str, Any]:
        """The API form."""
        return {
            "id": self.id,
            "target": self.target,
            "kind": self.kind,
            "target_id": self.target_id,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "checks": len(self.check_ids),
            "counts": self.counts,
            "scores": self.scores,
            "created_by": self.created_by,
        }


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A stored finding with its ids."""

    id: int
    scan_id: int
    finding: Finding


def _scan(row: Any) -> StoredScan:
    return StoredScan(
        id=int(row.id),
        target=row.target,
        kind=row.kind,
        target_id=row.target_id,
        started=from_micros(row.started_at),
        finished=from_micros(row.finished_at),
        check_ids=tuple(orjson.loads(row.check_ids)),
        counts=orjson.loads(row.counts),
        scores=orjson.loads(row.scores),
        created_by=row.created_by,
    )


def _finding(row: Any, target: str) -> StoredFinding:
    return StoredFinding(
        id=int(row.id),
        scan_id=int(row.scan_id),
        finding=Finding(
            check_id=row.check_id,
            status=Status(row.status),
            severity=row.severity,
            target=target,
            resource=row.resource,
            message=row.message,
            line=row.line,
            expected=row.expected,
            actual=row.actual,
            frameworks={k: tuple(v) for k, v in orjson.loads(row.frameworks).items()},
        ),
    )


def _target(row: Any) -> ScanTarget:
    return ScanTarget(
        name=row.name,
        kind=row.kind,
        address=row.address,
        options=orjson.loads(row.options),
        schedule=row.schedule,
        enabled=bool(row.enabled),
        next_run=from_micros(row.next_run) if row.next_run is not None else None,
        id=int(row.id),
    )


def _meta(finding: Finding, title: str) -> AlertMeta:
    tags = ["garrison.compliance"] + [
        f"dengbao.{item}" for item in finding.frameworks.get("dengbao", ())
    ]
    return AlertMeta(
        rule_id=CHECK_RULE_PREFIX + finding.check_id,
        title=title,
        level=finding.severity,
        tags=tuple(tags),
        author="Garrison",
        kind="rule",
        group_by=("check.target", "check.resource"),
    )


class ScanStore:
    """Writes and reads scans and scan targets."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    # -- scans ----------------------------------------------------------------------------

    def save(
        self,
        scan: Scan,
        *,
        scores: Mapping[str, Any],
        actor: str,
        target_id: int | None = None,
        alerts: Iterable[tuple[Finding, str]] = (),
    ) -> int:
        """Store a scan with its findings; raise an alert for each ``(finding, title)``.

        Returns:
            The scan's id.
        """
        counts: dict[str, int] = {}
        for f in scan.findings:
            counts[f.status.value] = counts.get(f.status.value, 0) + 1
        now = to_micros(self.clock.now())
        with self.engine.begin() as conn:
            key = conn.execute(
                t.scans.insert().values(
                    target=scan.target[:512],
                    kind=scan.kind,
                    target_id=target_id,
                    started_at=to_micros(scan.started),
                    finished_at=to_micros(scan.finished),
                    check_ids=orjson.dumps(list(scan.check_ids)).decode(),
                    counts=orjson.dumps(counts).decode(),
                    scores=orjson.dumps(dict(scores)).decode(),
                    created_by=actor[:256],
                )
            ).inserted_primary_key
            assert key is not None  # noqa: S101 - an insert always has one
            scan_id = int(key[0])
            rows = [
                {
                    "scan_id": scan_id,
                    "check_id": f.check_id,
                    "status": f.status.value,
                    "severity": f.severity,
                    "resource": f.resource,
                    "line": f.line,
                    "message": f.message,
                    "expected": f.expected,
                    "actual": f.actual,
                    "frameworks": orjson.dumps(
                        {k: list(v) for k, v in f.frameworks.items()}
                    ).decode(),
                }
                for f in scan.findings
            ]
            if rows:
                conn.execute(t.scan_findings.insert(), rows)
            for finding, title in alerts:
                group = (scan.target, finding.resource)
                save_alert(
                    conn,
                    _meta(finding, title),
                    fingerprint(CHECK_RULE_PREFIX + finding.check_id, group),
                    Episode(
                        group=group,
                        first=scan.finished,
                        last=scan.finished,
                        count=1,
                        event_ids=[],
                    ),
                    status="new",
                    suppression_id=None,
                    now=now,
                )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="scan.run",
                target=f"scan:{scan_id}",
                details={"target": scan.target, "kind": scan.kind, "counts": counts},
            )
        return scan_id

    def scans(
        self,
        *,
        target: str | None = None,
        kind: str | None = None,
        limit: int = 50,
        before: int | None = None,
    ) -> list[StoredScan]:
        """Scans, newest first."""
        query = sa.select(t.scans).order_by(t.scans.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(t.scans.c.target == target)
        if kind is not None:
            query = query.where(t.scans.c.kind == kind)
        if before is not None:
            query = query.where(t.scans.c.id < before)
        with self.engine.connect() as conn:
            return [_scan(r) for r in conn.execute(query)]

    def get(self, scan_id: int) -> StoredScan:
        """One scan.

        Raises:
            NotFoundError: When there is none with this id.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.scans).where(t.scans.c.id == scan_id)).first()
        if row is None:
            raise NotFoundError(f"no scan {scan_id}")
        return _scan(row)

    def previous(self, scan: StoredScan) -> StoredScan | None:
        """The scan of the same target just before ``scan``."""
        found = self.scans(target=scan.target, kind=scan.kind, before=scan.id, limit=1)
        return found[0] if found else None

    def latest(self, target: str) -> StoredScan | None:
        """The newest scan of ``target``."""
        found = self.scans(target=target, limit=1)
        return found[0] if found else None

    def findings(
        self,
        scan_id: int,
        *,
        statuses: Sequence[str] = (),
        severities: Sequence[str] = (),
        check_id: str | None = None,
    ) -> list[StoredFinding]:
        """Findings of a scan, filtered, in file/line order."""
        scan = self.get(scan_id)
        f = t.scan_findings
        query = sa.select(f).where(f.c.scan_id == scan_id).order_by(f.c.id)
        if statuses:
            query = query.where(f.c.status.in_(list(statuses)))
        if severities:
            query = query.where(f.c.severity.in_(list(severities)))
        if check_id:
            query = query.where(f.c.check_id == check_id)
        with self.engine.connect() as conn:
            return [_finding(r, scan.target) for r in conn.execute(query)]

    def finding(self, finding_id: int) -> StoredFinding:
        """One finding.

        Raises:
            NotFoundError: When there is none with this id.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.scan_findings, t.scans.c.target)
                .join(t.scans, t.scans.c.id == t.scan_findings.c.scan_id)
                .where(t.scan_findings.c.id == finding_id)
            ).first()
        if row is None:
            raise NotFoundError(f"no finding {finding_id}")
        return _finding(row, row.target)

    def load(self, scan_id: int) -> Scan:
        """A stored scan whole, as the scoring and reports read it."""
        stored = self.get(scan_id)
        return Scan(
            target=stored.target,
            kind=stored.kind,
            started=stored.started,
            finished=stored.finished,
            check_ids=stored.check_ids,
            findings=tuple(f.finding for f in self.findings(scan_id)),
            id=stored.id,
        )

    # -- targets --------------------------------------------------------------------------

    def targets(self) -> list[ScanTarget]:
        """Every target, by name."""
        with self.engine.connect() as conn:
            return [
                _target(r)
                for r in conn.execute(sa.select(t.scan_targets).order_by(t.scan_targets.c.name))
            ]

    def target(self, name: str) -> ScanTarget:
        """One target by name.

        Raises:
            NotFoundError: When there is none.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.scan_targets).where(t.scan_targets.c.name == name)
            ).first()
        if row is None:
            raise NotFoundError(f"no scan target {name!r}", hint="see 'garrison check targets'")
        return _target(row)

    def save_target(self, target: ScanTarget, *, actor: str) -> ScanTarget:
        """Add a target, or replace the one of the same name; audited."""
        now = to_micros(self.clock.now())
        values = {
            "kind": target.kind,
            "address": target.address,
            "options": orjson.dumps(dict(target.options)).decode(),
            "schedule": target.schedule,
            "enabled": target.enabled,
            "next_run": to_micros(target.next_run) if target.next_run else None,
            "updated_at": now,
        }
        table = t.scan_targets
        with self.engine.begin() as conn:
            changed = conn.execute(
                table.update().where(table.c.name == target.name).values(**values)
            ).rowcount
            if not changed:
                conn.execute(
                    table.insert().values(
                        name=target.name, created_by=actor[:256], created_at=now, **values
                    )
                )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="scan_target.update" if changed else "scan_target.add",
                target=f"scan_target:{target.name}",
                details={
                    "kind": target.kind,
                    "address": target.address,
                    "schedule": target.schedule,
                    "enabled": target.enabled,
                },
            )
        return self.target(target.name)

    def remove_target(self, name: str, *, actor: str) -> None:
        """Remove a target (its scans stay in the history); audited.

        Raises:
            NotFoundError: When there is none.
        """
        table = t.scan_targets
        with self.engine.begin() as conn:
            if not conn.execute(table.delete().where(table.c.name == name)).rowcount:
                raise NotFoundError(f"no scan target {name!r}")
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="scan_target.remove",
                target=f"scan_target:{name}",
                details={},
            )

    def due(self, now: datetime) -> list[ScanTarget]:
        """Enabled scheduled targets whose next run has come."""
        table = t.scan_targets
        query = (
            sa.select(table)
            .where(table.c.enabled.is_(True))
            .where(table.c.schedule.is_not(None))
            .where(table.c.next_run.is_not(None))
            .where(table.c.next_run <= to_micros(now))
            .order_by(table.c.next_run)
        )
        with self.engine.connect() as conn:
            return [_target(r) for r in conn.execute(query)]

    def claim(self, target: ScanTarget, next_run: datetime) -> bool:
        """Move a due target's next run on; ``False`` when another worker claimed it first.

        The update only matches the next-run value this worker read, so of several workers
        reading the same due target exactly one runs it.
        """
        if target.id is None or target.next_run is None:
            raise InputError("only a stored, scheduled target can be claimed")
        table = t.scan_targets
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    table.update()
                    .where(table.c.id == target.id)
                    .where(table.c.next_run == to_micros(target.next_run))
                    .values(next_run=to_micros(next_run))
                ).rowcount
            )

    def set_next_run(self, name: str, next_run: datetime | None) -> None:
        """Set when a target runs next (``None``: not scheduled)."""
        table = t.scan_targets
        with self.engine.begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.name == name)
                .values(next_run=to_micros(next_run) if next_run else None)
            )


def scan_rows(conn: Connection) -> int:
    """How many scans are stored (status pages)."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(t.scans)).scalar_one())

"""Compliance: running baseline scans for people and schedules, storing them with their scores,
raising alerts for new high-severity failures, and producing reports.

It sits above :mod:`garrison.platform` (it uses its stores and settings) and below the faces
(CLI, API, console), which all run scans through it so that a scan started by hand, by the API
or by the schedule is stored, scored and alerted on the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from garrison.checks import scanner
from garrison.checks.collectors.host.source import HostSource, LocalSource
from garrison.checks.diff import ScanDiff, diff_scans
from garrison.checks.frameworks import builtin_frameworks
from garrison.checks.loader import all_checks
from garrison.checks.report import audit_data
from garrison.checks.sarif import to_sarif
from garrison.checks.scan import Finding, Scan
from garrison.checks.schedule import Window, next_run
from garrison.checks.scoring import summaries
from garrison.checks.targets import ScanTarget, parse_ssh
from garrison.core.errors import InputError
from garrison.core.timezones import resolve_zone
from garrison.platform import Platform
from garrison.reports.audit import render_html, render_pdf
from garrison.storage.sql.scans import StoredScan

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scan just run.

    Attributes:
        scan: The scan (with its stored id when it was saved).
        stored: Its stored summary (``None`` when not saved).
        previous: The previous scan of the same target, if any.
        alerted: Findings that raised an alert.
    """

    scan: Scan
    stored: StoredScan | None
    previous: StoredScan | None
    alerted: tuple[Finding, ...]


class Compliance:
    """Baseline scans around a :class:`Platform`."""

    def __init__(self, platform: Platform) -> None:
        """Use the platform's stores, clock and settings."""
        self.platform = platform
        self.settings = platform.settings.checks

    # -- running --------------------------------------------------------------------------

    def host_source(self, address: str, options: dict[str, Any] | None = None) -> HostSource:
        """The source for a host address: ``local``, a directory (``root`` option) or SSH."""
        options = options or {}
        if address == "local":
            root = options.get("root")
            return LocalSource(Path(root)) if root else LocalSource()
        ssh = parse_ssh(address)
        # Imported here: asyncssh is only loaded by remote scans, not by every CLI start.
        from garrison.checks.collectors.host.ssh import SshSource

        return SshSource(
            ssh.host,
            port=ssh.port,
            username=ssh.user,
            key_file=options.get("key_file"),
            known_hosts=options.get("known_hosts"),
            host_key=options.get("host_key"),
        )

    def scan(
        self,
        kind: str,
        address: str,
        *,
        actor: str,
        options: dict[str, Any] | None = None,
        ids: Sequence[str] = (),
        target: ScanTarget | None = None,
        save: bool = True,
    ) -> Outcome:
        """Run a scan of ``kind`` on ``address``; store it, score it and alert on it."""
        options = options or {}
        clock = self.platform.clock
        if kind == "host":
            source = self.host_source(address, options)
            try:
                name = target.name if target else (source.description)
                scan = scanner.scan_host(source, clock, ids=ids, target=name)
            finally:
                close = getattr(source, "close", None)
                if callable(close):
                    close()
        elif kind == "web":
            scan = scanner.scan_web(
                address,
                clock,
                ids=ids,
                target=target.name if target else None,
                try_default_credentials=_flag(
                    options.get("try_default_credentials"), self.settings.try_default_credentials
                ),
                verify=_flag(options.get("verify"), True),
            )
        elif kind == "config":
            paths = [Path(p) for p in address.splitlines() if p.strip()]
            missing = [str(p) for p in paths if not p.exists()]
            if missing:
                raise InputError(f"no such file or folder: {missing[0]}")
            scan = scanner.scan_config(
                paths, clock, ids=ids, target=target.name if target else None
            )
        else:
            raise InputError(f"unknown scan kind {kind!r}")
        if not save:
            return Outcome(scan, None, None, ())
        store = self.platform.scans
        # The same name can be scanned as two kinds (a mounted image as a host and as
        # configuration): new failures are new since the last scan of this kind.
        found = store.scans(target=scan.target, kind=scan.kind, limit=1)
        previous = found[0] if found else None
        before = (
            {f.finding.key for f in store.findings(previous.id, statuses=["fail"])}
            if previous
            else set()
        )
        titles = {c.metadata.id: c.metadata.title.en for c in all_checks()}
        alerted = tuple(
            f
            for f in scan.failed()
            if f.severity in self.settings.alert_severities and f.key not in before
        )
        scan_id = store.save(
            scan,
            scores=self.scores(scan),
            actor=actor,
            target_id=target.id if target else None,
            alerts=[(f, f"{titles.get(f.check_id, f.check_id)}: {f.resource}") for f in alerted],
        )
        stored = store.get(scan_id)
        return Outcome(_with_id(scan, scan_id), stored, previous, alerted)

    def scores(self, scan: Scan) -> dict[str, Any]:
        """The score of a scan per framework, as stored with it.

        Frameworks the scan assessed nothing of (CIS Docker for a host scan) are left out;
        等保2.0 is always there, since the reports are about it.
        """
        found = summaries(scan, builtin_frameworks(), all_checks())
        return {
            fid: summary
            for fid, summary in found.items()
            if fid == "dengbao" or summary["passed"] + summary["failed"] + summary["errors"]
        }

    def diff(self, previous_id: int, current_id: int) -> ScanDiff:
        """Which failures are new, fixed or still there between two stored scans of a target."""
        store = self.platform.scans
        # Failures only: the scores of both scans are stored with them already.
        return diff_scans(store.load(current_id), store.load(previous_id))

    def sarif_of(self, scan: Scan, language: str = "en") -> dict[str, Any]:
        """A scan's failures as a SARIF 2.1.0 log (paths relative to a single scanned folder)."""
        root = None
        if scan.kind == "config" and Path(scan.target).is_dir():
            root = str(Path(scan.target).resolve())
        return to_sarif(scan.findings, all_checks(), language=language, root=root)

    def sarif(self, scan_id: int) -> dict[str, Any]:
        """A stored scan's failures as a SARIF 2.1.0 log."""
        return self.sarif_of(self.platform.scans.load(scan_id))

    def report(
        self,
        scan_ids: Sequence[int],
        language: str = "zh-CN",
        fmt: str = "pdf",
        *,
        scope: str | None = None,
        organisation: str | None = None,
    ) -> bytes:
        """The audit report (《网络安全审计报告》) of stored scans, PDF or HTML bytes.

        Each scan is compared with the scan of its target just before it (the trend).

        Raises:
            InputError: Without scans, for an unknown format or language.
            NotFoundError: For an unknown scan id.
        """
        if not scan_ids:
            raise InputError("an audit report needs at least one scan")
        if fmt not in ("pdf", "html"):
            raise InputError(f"unknown report format {fmt!r}", hint="pdf or html")
        store = self.platform.scans
        scans, previous = [], []
        for scan_id in scan_ids:
            stored = store.get(scan_id)
            scans.append(store.load(scan_id))
            before = store.previous(stored)
            if before is not None:
                previous.append(store.load(before.id))
        targets = ", ".join(dict.fromkeys(s.target for s in scans))
        default_scope = (
            f"基线核查：{targets}" if language == "zh-CN" else f"Baseline audit of {targets}"
        )
        data = audit_data(
            scans,
            previous,
            all_checks(),
            builtin_frameworks(),
            language,
            self.platform.clock.now(),
            scope or default_scope,
            organisation,
        )
        zone = resolve_zone(self.platform.settings.timezone)
        if fmt == "html":
            return render_html(data, language, zone).encode("utf-8")
        return render_pdf(data, language, zone)

    # -- targets and schedules ------------------------------------------------------------

    def window(self) -> Window:
        """The scan window of the settings."""
        return Window.parse(self.settings.window)

    def next_run(self, schedule: str, after: datetime) -> datetime:
        """When a schedule fires next, inside the window, in the site's time zone."""
        zone = resolve_zone(self.platform.settings.timezone)
        return next_run(schedule, after, zone, self.window())

    def save_target(self, target: ScanTarget, *, actor: str) -> ScanTarget:
        """Add or replace a target; a scheduled one gets its next run."""
        upcoming = None
        if target.schedule and target.enabled:
            upcoming = self.next_run(target.schedule, self.platform.clock.now())
        return self.platform.scans.save_target(
            ScanTarget(
                target.name,
                target.kind,
                target.address,
                dict(target.options),
                target.schedule,
                target.enabled,
                upcoming,
            ),
            actor=actor,
        )

    def run_target(self, name: str, *, actor: str) -> Outcome:
        """Scan a stored target now."""
        target = self.platform.scans.target(name)
        return self.scan(
            target.kind, target.address, actor=actor, options=dict(target.options), target=target
        )

    def step(self) -> list[Outcome]:
        """Run the scheduled scans that are due (called by the worker loop).

        Each due target is claimed first (its next run moved on), so of several workers only
        one runs it; a scan that fails is logged and the schedule goes on.
        """
        now = self.platform.clock.now()
        done = []
        for target in self.platform.scans.due(now):
            assert target.schedule is not None  # noqa: S101 - due() only returns scheduled ones
            if not self.platform.scans.claim(target, self.next_run(target.schedule, now)):
                continue
            try:
                done.append(
                    self.scan(
                        target.kind,
                        target.address,
                        actor="scheduler",
                        options=dict(target.options),
                        target=target,
                    )
                )
            except Exception:  # one unreachable target must not stop the others
                log.exception("scheduled scan of %s failed", target.name)
        return done


def _flag(value: object, default: bool) -> bool:
    """A yes/no option, also when it came as text from a form or the API (``"false"``)."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _with_id(scan: Scan, scan_id: int) -> Scan:
    return Scan(
        scan.target,
        scan.kind,
        scan.started,
        scan.finished,
        scan.check_ids,
        scan.findings,
        id=scan_id,
    )

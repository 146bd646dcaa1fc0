"""What each kind of scheduled job does: one function per kind, with typed arguments.

A job row holds its kind and a JSON object of arguments; :data:`KINDS` maps the kind to its
:class:`Kind`, whose pydantic model checks the arguments both when a job is added (the CLI
refuses a bad job) and again when it runs (the row could have been edited by hand). A kind's
function returns the one-line summary kept in the job's history, or raises: the message of the
error becomes the history row's ``error``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from garrison.automation import Automation
from garrison.compliance import Compliance
from garrison.core.errors import InputError
from garrison.platform import Platform
from garrison.respond.playbook import ID as PLAYBOOK_ID
from garrison.storage.sql.jobs import JobStore

#: History of job runs kept by the ``housekeeping`` job unless its arguments say otherwise.
HISTORY_DAYS = 90


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArgs(_Args):
    """Kinds that take no arguments."""


class ScanArgs(_Args):
    """``scan``: scan one stored target (``garrison check targets``)."""

    target: str = Field(min_length=1, max_length=128)


class RetentionArgs(_Args):
    """``retention``: archive then delete events older than ``days`` (default: the setting)."""

    days: int | None = Field(default=None, ge=1, le=36_500)


class HousekeepingArgs(_Args):
    """``housekeeping``: forget job history older than ``history_days``."""

    history_days: int = Field(default=HISTORY_DAYS, ge=1, le=36_500)


class ReportArgs(_Args):
    """``report``: the audit report of the newest scan of each target, written to a file.

    Attributes:
        language: ``zh-CN`` or ``en``.
        format: ``pdf`` or ``html``.
        targets: Scan targets to cover; empty for every stored target.
        folder: Where the file goes; relative to the data folder (default ``reports``).
        organisation: Printed on the cover.
    """

    language: Literal["zh-CN", "en"] = "zh-CN"
    format: Literal["pdf", "html"] = "pdf"
    targets: list[str] = Field(default_factory=list, max_length=200)
    folder: str = Field(default="reports", min_length=1, max_length=512)
    organisation: str | None = Field(default=None, max_length=200)


class PlaybookArgs(_Args):
    """``playbook``: queue a run of a playbook (the response worker runs it)."""

    playbook: str = Field(pattern=PLAYBOOK_ID)
    inputs: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


@dataclass(frozen=True)
class Services:
    """What the kinds' functions work with (built once per scheduler).

    Attributes:
        platform: The platform.
        compliance: Baseline scans and reports.
        automation: Playbooks.
        jobs: The job store (for its own housekeeping).
    """

    platform: Platform
    compliance: Compliance
    automation: Automation
    jobs: JobStore


@dataclass(frozen=True)
class Kind:
    """A kind of job.

    Attributes:
        name: As stored in the job row.
        args: The model of its arguments.
        run: ``(services, args, slot) -> summary``.
        summary: What it does, for ``garrison jobs kinds`` and the docs.
    """

    name: str
    args: type[_Args]
    run: Callable[[Services, Any, datetime], str]
    summary: str

    def check(self, raw: dict[str, Any]) -> _Args:
        """The arguments, validated.

        Raises:
            InputError: Naming the bad field.
        """
        try:
            return self.args.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "args"
            raise InputError(
                f"bad argument {where!r} for a {self.name} job: {first['msg']}",
                hint=f"arguments of {self.name}: {', '.join(self.args.model_fields) or 'none'}",
            ) from None


def _scans(services: Services, _: NoArgs, __: datetime) -> str:
    outcomes = services.compliance.step()
    if not outcomes:
        return "no scan target was due"
    done = [
        f"{o.scan.target} (scan {o.stored.id if o.stored else '-'}, {len(o.scan.failed())} failed)"
        for o in outcomes
    ]
    return f"{len(outcomes)} scheduled scan(s): " + ", ".join(done)


def _scan(services: Services, args: ScanArgs, _: datetime) -> str:
    outcome = services.compliance.run_target(args.target, actor="scheduler")
    stored = outcome.stored.id if outcome.stored else "-"
    return (
        f"scan {stored} of {args.target}: {len(outcome.scan.failed())} failed, "
        f"{len(outcome.alerted)} alert(s)"
    )


def _retention(services: Services, args: RetentionArgs, _: datetime) -> str:
    report = services.platform.run_retention(args.days)
    return (
        f"archived and deleted {report.events} event(s) older than "
        f"{report.cutoff.date().isoformat()} into {len(report.archives)} archive(s)"
    )


def _housekeeping(services: Services, args: HousekeepingArgs, _: datetime) -> str:
    removed = services.jobs.prune_history(args.history_days)
    return f"forgot {removed} job run(s) older than {args.history_days} days"


def _report(services: Services, args: ReportArgs, slot: datetime) -> str:
    platform = services.platform
    names = args.targets or [t.name for t in platform.scans.targets()]
    latest = [s for s in (platform.scans.latest(n) for n in names) if s is not None]
    if not latest:
        raise InputError(
            "no stored scan to report on",
            hint="scan a target first ('garrison check host|web|config') or name scanned targets",
        )
    body = services.compliance.report(
        [s.id for s in latest], args.language, args.format, organisation=args.organisation
    )
    folder = Path(args.folder)
    if not folder.is_absolute():
        folder = platform.settings.home / folder
    folder.mkdir(parents=True, exist_ok=True)
    stamp = slot.astimezone(services.jobs.zone).strftime("%Y%m%d-%H%M")
    path = folder / f"audit-report-{stamp}-{args.language}.{args.format}"
    path.write_bytes(body)
    return f"audit report of {len(latest)} scan(s) written to {path}"


def _playbook(services: Services, args: PlaybookArgs, slot: datetime) -> str:
    run = services.automation.start(
        args.playbook,
        actor="scheduler",
        inputs=args.inputs,
        trigger="schedule",
        subject=f"schedule:{slot.isoformat()}",
        execute=False,  # the response worker runs it, within the playbook's concurrency limit
    )
    if run is None:  # pragma: no cover - scheduled runs carry no dedupe key
        return "not started"
    return f"queued run {run.id} of playbook {args.playbook}"


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("scans", NoArgs, _scans, "run the scan targets whose own schedule is due"),
        Kind("scan", ScanArgs, _scan, "scan one stored target now"),
        Kind("retention", RetentionArgs, _retention, "archive and delete old events"),
        Kind("housekeeping", HousekeepingArgs, _housekeeping, "forget old job history"),
        Kind("report", ReportArgs, _report, "write the audit report of the newest scans"),
        Kind("playbook", PlaybookArgs, _playbook, "queue a run of a playbook"),
    )
}


def kind_of(name: str) -> Kind:
    """The kind called ``name``.

    Raises:
        InputError: For an unknown kind, listing the known ones.
    """
    if name not in KINDS:
        raise InputError(f"unknown job kind {name[:40]!r}", hint="known: " + ", ".join(KINDS))
    return KINDS[name]

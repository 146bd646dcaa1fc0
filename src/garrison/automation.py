"""Response automation as a service: playbooks, triggers, runs, approvals, block expiry.

CLI, API, console and the worker call :class:`Automation`; it wires the playbook engine
(:mod:`garrison.respond.engine`) to the database (runs survive restarts), to the platform's
incidents, notifications and evidence (the actions' ports), and to the host through a command
runner (the real one, or a recording one in tests and dry runs).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from garrison.alerts.model import StoredAlert
from garrison.core.errors import InputError, NotFoundError
from garrison.incidents.grading import Grade
from garrison.incidents.phases import Phase
from garrison.platform import Platform
from garrison.respond.actions import firewall
from garrison.respond.actions.argv import CommandRunner, SubprocessRunner
from garrison.respond.actions.base import ActionContext, Ports
from garrison.respond.actions.values import parse_duration, parse_ip
from garrison.respond.engine import Runtime, advance
from garrison.respond.expressions import ExpressionError, Functions, Scope
from garrison.respond.loader import Catalog, Loaded, load_catalog
from garrison.respond.playbook import Playbook
from garrison.respond.runs import ApprovalRecord, RunRecord, StepRecord
from garrison.storage.sql import outbox
from garrison.storage.sql.blocks import BlockStore
from garrison.storage.sql.playbook_runs import RunStore, TriggerFeed

log = logging.getLogger(__name__)

#: How long a worker holds a run it advances before another may take it over.
LEASE = timedelta(minutes=5)
#: Alerts and incidents older than this never start a playbook (a first start, a long stop).
LOOKBACK = timedelta(hours=1)


def alert_context(stored: StoredAlert, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``alert`` and ``event`` variables of a run started by ``stored``.

    ``alert.source_ip``, ``alert.user`` and ``alert.host`` come from the alert's group-by
    values, else from its first event, so playbooks need not know which rule fired.
    """
    alert = stored.alert
    first = events[0] if events else {}

    def pick(*names: str) -> str:
        for name in names:
            value = alert.group.get(name) or first.get(name)
            if value:
                return str(value)
        return ""

    return {
        "alert": {
            "id": stored.id,
            "rule_id": alert.rule_id,
            "title": alert.title,
            "level": alert.level or "",
            "tags": list(alert.tags),
            "group": dict(alert.group),
            "count": alert.count,
            "kind": stored.kind,
            "status": stored.status,
            "first_seen": alert.first_seen.isoformat(),
            "last_seen": alert.last_seen.isoformat(),
            "event_ids": list(alert.event_ids),
            "source_ip": pick("source.ip", "client.ip"),
            "user": pick("user.name", "user.target.name"),
            "host": pick("host.name", "host.hostname"),
        },
        "event": first,
    }


def _nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"source.ip": x}`` as ``{"source": {"ip": x}, "source.ip": x}`` for expressions."""
    tree: dict[str, Any] = dict(flat)
    for key, value in flat.items():
        parts = key.split(".")
        node = tree
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node.setdefault(parts[-1], value)
    return tree


@dataclass
class StepSummary:
    """What one pass of the response worker did."""

    started: list[int] = field(default_factory=list)
    advanced: list[RunRecord] = field(default_factory=list)
    unblocked: list[str] = field(default_factory=list)


class _Incidents:
    """The incident port over the platform's incident store."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def open(
        self,
        title: str,
        *,
        actor: str,
        alert_ids: list[int],
        grade: str | None,
        grade_reason: str | None,
        incident_type: str | None,
        summary: str | None,
    ) -> int:
        store = self.platform.incidents
        taken = [a for a in alert_ids if store.incident_of(a) is None]
        incident = store.open(
            title,
            actor=actor,
            alert_ids=taken,
            grade=Grade(grade) if grade else None,
            grade_reason=grade_reason,
            incident_type=incident_type,
            summary=summary,
        )
        return incident.id

    def note(self, incident_id: int, text: str, *, actor: str) -> None:
        self.platform.incidents.note(incident_id, text, actor=actor)

    def regrade(self, incident_id: int, grade: str, *, actor: str, reason: str) -> None:
        self.platform.incidents.regrade(incident_id, Grade(grade), actor=actor, reason=reason)

    def transition(self, incident_id: int, phase: str, *, actor: str, reason: str) -> None:
        self.platform.incidents.transition(incident_id, Phase(phase), actor=actor, reason=reason)

    def add_task(
        self, incident_id: int, title: str, *, role: str, due_hours: float, actor: str
    ) -> int:
        due = self.platform.clock.now() + timedelta(hours=due_hours)
        return self.platform.incidents.add_task(incident_id, title, role=role, due=due, actor=actor)


class _Notify:
    """The notify port: queues ``playbook.notice`` in the outbox (sent by the worker)."""

    def __init__(self, platform: Platform, playbook: str) -> None:
        self.platform = platform
        self.playbook = playbook

    def notify(
        self,
        *,
        subject: str,
        message: str,
        roles: list[str],
        people: list[str],
        incident_id: int | None,
    ) -> None:
        values: dict[str, Any] = {
            "subject": subject,
            "message": message,
            "playbook": self.playbook,
            "$people": people,
            "$roles": roles,
        }
        if incident_id is not None:
            values["incident_id"] = f"INC-{incident_id}"
        with self.platform.store.engine.begin() as conn:
            outbox.enqueue(conn, self.platform.clock, "playbook.notice", incident_id, values)


class _Evidence:
    """The evidence port: seals a file into an incident's evidence (hash only without one)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def add_file(
        self, path: Path, *, incident_id: int | None, name: str, note: str, actor: str
    ) -> str:
        if incident_id is None:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest()
        with path.open("rb") as handle:
            item = self.platform.evidence.add_file(
                incident_id, name, handle, actor=actor, description=note
            )
        return item.sha256 or ""


def _coerce_input(name: str, kind: str, value: Any) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "boolean":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if kind == "ip":
            return parse_ip(value)
        if kind == "duration":
            parse_duration(value)
            return value
        return str(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"input {name!r}: {exc}") from None


class Automation:
    """Playbooks, their runs and approvals (see the module docstring).

    Args:
        platform: The platform.
        runner: Runs host commands (default: the real subprocess runner).
        sleep: Waits between polls of long actions (Kestra).
    """

    def __init__(
        self,
        platform: Platform,
        *,
        runner: CommandRunner | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.platform = platform
        self.settings = platform.settings.response
        engine = platform.store.engine
        self.runs = RunStore(engine, platform.clock)
        self.blocks = BlockStore(engine, platform.clock)
        self.feed = TriggerFeed(engine)
        self.runner = runner or SubprocessRunner()
        self.sleep = sleep
        self.owner = f"{socket.gethostname()[:40]}:{os.getpid()}"
        self._catalog: Catalog | None = None

    # -- playbooks -----------------------------------------------------------------------------

    def catalog(self, *, reload: bool = False) -> Catalog:
        """Every playbook (shipped and configured), with the problems of broken files."""
        if self._catalog is None or reload:
            self._catalog = load_catalog(
                self.settings.playbooks, builtin=self.settings.builtin_playbooks
            )
        return self._catalog

    def playbook(self, playbook_id: str) -> Loaded:
        """One playbook.

        Raises:
            InputError: For an unknown id.
        """
        return self.catalog().get(playbook_id)

    def known(self, playbook_id: str) -> Loaded:
        """One playbook, for callers that answer "not found" rather than "bad input".

        Raises:
            NotFoundError: For an unknown id (the API's 404).
        """
        catalog = self.catalog()
        if playbook_id not in catalog.playbooks:
            raise NotFoundError(
                f"no playbook {playbook_id!r}",
                hint="known: " + (", ".join(sorted(catalog.playbooks)) or "none"),
            )
        return catalog.playbooks[playbook_id]

    def functions(self) -> Functions:
        """``is_internal`` and ``never_block`` as the settings define them."""
        return Functions(tuple(self.settings.internal), tuple(self.settings.never_block))

    def context(self, run: RunRecord, step: str) -> ActionContext:
        """The context of one action call of ``run``."""
        return ActionContext(
            settings=self.settings,
            runner=self.runner,
            clock=self.platform.clock,
            ports=Ports(
                blocks=self.blocks,
                incidents=_Incidents(self.platform),
                notify=_Notify(self.platform, run.playbook),
                evidence=_Evidence(self.platform),
            ),
            home=self.platform.settings.home,
            actor=f"playbook:{run.playbook}",
            run_id=run.id,
            step=step,
            sleep=self.sleep,
        )

    def runtime(self) -> Runtime:
        """The engine's runtime over the database journal."""
        return Runtime(
            journal=self.runs,
            clock=self.platform.clock,
            context=self.context,
            functions=self.functions(),
            approval_timeout=timedelta(hours=self.settings.approval_hours),
        )

    # -- starting runs -------------------------------------------------------------------------

    def resolve_inputs(
        self, playbook: Playbook, given: Mapping[str, Any], context: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Inputs with defaults applied (``${{ }}`` defaults read the trigger's context).

        Raises:
            InputError: On unknown or missing inputs and values of the wrong type.
        """
        unknown = sorted(set(given) - set(playbook.inputs))
        if unknown:
            raise InputError(
                f"unknown input {unknown[0]!r}",
                hint="inputs: " + (", ".join(playbook.inputs) or "none"),
            )
        scope = Scope(dict(context), self.functions())
        resolved: dict[str, Any] = {}
        for name, spec in playbook.inputs.items():
            if name in given:
                value = given[name]
            elif spec.default is not None:
                try:
                    value = scope.render(spec.default)
                except ExpressionError as exc:
                    if spec.required:
                        raise InputError(f"input {name!r}: {exc.message}") from None
                    value = None
            elif spec.required:
                raise InputError(f"input {name!r} is required")
            else:
                value = None
            resolved[name] = None if value is None else _coerce_input(name, spec.type, value)
        return resolved

    def start(
        self,
        playbook_id: str,
        *,
        actor: str,
        inputs: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        trigger: Literal["manual", "alert", "incident", "schedule"] = "manual",
        subject: str | None = None,
        context: Mapping[str, Any] | None = None,
        dedupe: str | None = None,
        execute: bool = True,
    ) -> RunRecord | None:
        """Queue a run and (with ``execute``) take it as far as it goes now.

        Returns:
            The run, or ``None`` when ``dedupe`` shows the subject already started one.

        Raises:
            InputError: Unknown playbook or bad inputs.
        """
        loaded = self.playbook(playbook_id)
        playbook = loaded.playbook
        context = dict(context or {})
        resolved = self.resolve_inputs(playbook, inputs or {}, context)
        run = self.runs.create(
            playbook.id,
            loaded.revision,
            trigger=trigger,
            subject=subject,
            dry_run=dry_run,
            inputs=resolved,
            context=context,
            created_by=actor,
            dedupe=dedupe,
        )
        if run is None or not execute:
            return run
        return self.process(run.id)

    def start_manual(
        self,
        playbook_id: str,
        *,
        actor: str,
        inputs: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        alert_id: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Start a run by hand (CLI, API, console), on a stored alert when ``alert_id`` is given.

        The alert and its first event become the context; keys of ``context`` override them.

        Raises:
            InputError: Unknown playbook or bad inputs.
            NotFoundError: No such alert.
        """
        data: dict[str, Any] = {}
        subject = None
        if alert_id is not None:
            stored = self.platform.alerts.get(alert_id)
            first = list(stored.alert.event_ids[:1])
            events = [e.to_dict() for e in self.platform.events_by_id(first)]
            data = alert_context(stored, events)
            subject = f"alert:{alert_id}"
        data.update(context or {})
        run = self.start(
            playbook_id,
            actor=actor,
            inputs=inputs,
            dry_run=dry_run,
            context=data,
            subject=subject,
        )
        if run is None:  # pragma: no cover - manual runs carry no dedupe key
            raise RuntimeError("a manual run was deduplicated")
        return run

    def process(self, run_id: int) -> RunRecord:
        """Advance one run now (when no other worker holds it)."""
        run = self.runs.get(run_id)
        for claimed in self.runs.claim_one(run_id, self.owner, lease=LEASE):
            try:
                return self._advance(claimed)
            finally:
                self.runs.release(run_id, self.owner)
        return run

    def _advance(self, run: RunRecord) -> RunRecord:
        try:
            loaded = self.playbook(run.playbook)
        except InputError as exc:
            failed = replace(run, status="failed", error=exc.message, finished_at=self.now())
            self.runs.update_run(failed)
            return failed
        result = advance(run, loaded.playbook, self.runtime())
        if result.status == "waiting":
            self._announce_approvals(result)
        return result

    def _announce_approvals(self, run: RunRecord) -> None:
        """Tell approvers about approvals of ``run`` that were just opened."""
        for record in self.runs.steps(run.id):
            if record.kind != "approval" or record.status != "waiting" or record.output:
                continue
            approval = self.runs.approval(run.id, record.step)
            if approval is None:
                continue
            values: dict[str, Any] = {
                "playbook": run.playbook,
                "run": str(run.id),
                "message": approval.message,
                "due": approval.due_at,
                "$roles": [r for r in approval.approvers.get("roles", [])],
                "$people": [],
            }
            with self.platform.store.engine.begin() as conn:
                outbox.enqueue(conn, self.platform.clock, "playbook.approval", None, values)
            self.runs.save_step(run.id, _announced(record))

    # -- triggers ------------------------------------------------------------------------------

    def _matching(self, kind: str) -> list[Loaded]:
        found = []
        for loaded in self.catalog().playbooks.values():
            trigger = loaded.playbook.trigger
            if loaded.playbook.enabled and getattr(trigger, kind) is not None:
                found.append(loaded)
        return found

    def trigger_alerts(self) -> list[int]:
        """Start the playbooks whose alert trigger matches alerts created since the last pass."""
        playbooks = self._matching("alert")
        cursor = self.feed.cursor("alerts")
        since = self.platform.clock.now() - LOOKBACK
        alerts = self.feed.alerts_after(cursor or 0, since)
        if not alerts:
            if cursor is None:
                self.feed.advance("alerts", None, self.feed.max_alert_id())
            return []
        if not self.feed.advance("alerts", cursor, alerts[-1].id):
            return []  # another worker took this batch
        started: list[int] = []
        for stored in alerts:
            if stored.status == "suppressed" or not playbooks:
                continue
            events = [
                _nested(e.to_dict())
                for e in self.platform.events_by_id(list(stored.alert.event_ids[:1]))
            ]
            context = alert_context(stored, events)
            for loaded in playbooks:
                if self._alert_matches(loaded.playbook, context):
                    dedupe = self._once_per(loaded.playbook, context) or f"alert:{stored.id}"
                    run = self._trigger(loaded, "alert", f"alert:{stored.id}", context, dedupe)
                    if run is not None:
                        started.append(run)
        return started

    def _alert_matches(self, playbook: Playbook, context: Mapping[str, Any]) -> bool:
        spec = playbook.trigger.alert
        assert spec is not None  # noqa: S101 - filtered by _matching
        alert = context["alert"]
        if spec.rules and alert["rule_id"] not in spec.rules:
            return False
        if spec.tags and not set(spec.tags) & set(alert["tags"]):
            return False
        if spec.levels and alert["level"] not in spec.levels:
            return False
        return self._where(playbook, spec.where, context)

    def _where(self, playbook: Playbook, where: str | None, context: Mapping[str, Any]) -> bool:
        if where is None:
            return True
        try:
            return Scope(dict(context), self.functions()).truth(where)
        except ExpressionError as exc:
            log.warning("playbook %s: trigger condition failed: %s", playbook.id, exc.message)
            return False

    def trigger_incidents(self) -> list[int]:
        """Start the playbooks whose incident trigger matches incidents opened since last pass."""
        playbooks = self._matching("incident")
        cursor = self.feed.cursor("incidents")
        since = self.platform.clock.now() - LOOKBACK
        found = self.feed.incidents_after(cursor or 0, since)
        if not found:
            return []
        if not self.feed.advance("incidents", cursor, found[-1]):
            return []
        started: list[int] = []
        for incident_id in found:
            incident = self.platform.incidents.get(incident_id)
            context = {
                "incident": {
                    "id": incident.id,
                    "title": incident.title,
                    "type": incident.type,
                    "category": incident.category,
                    "grade": incident.grade.value,
                    "phase": incident.phase.value,
                    "entities": list(incident.entities),
                    "assets": list(incident.assets),
                    "alert_ids": list(incident.alert_ids),
                }
            }
            for loaded in playbooks:
                spec = loaded.playbook.trigger.incident
                assert spec is not None  # noqa: S101 - filtered by _matching
                if spec.grades and incident.grade.value not in spec.grades:
                    continue
                if spec.types and incident.type not in spec.types:
                    continue
                if self._where(loaded.playbook, spec.where, context):
                    subject = f"incident:{incident_id}"
                    run = self._trigger(loaded, "incident", subject, context, subject)
                    if run is not None:
                        started.append(run)
        return started

    def _once_per(self, playbook: Playbook, context: Mapping[str, Any]) -> str | None:
        """The dedupe key of ``once_per``: its value and the current window's number."""
        spec = playbook.trigger.alert
        if spec is None or spec.once_per is None:
            return None
        try:
            value = Scope(dict(context), self.functions()).evaluate(spec.once_per)
        except ExpressionError as exc:
            log.warning("playbook %s: once_per failed: %s", playbook.id, exc.message)
            return None
        window = int(self.now().timestamp() // max(spec.window.total_seconds(), 1))
        digest = hashlib.sha256(repr(value).encode()).hexdigest()[:24]
        return f"once:{digest}:{window}"

    def _trigger(
        self,
        loaded: Loaded,
        trigger: Literal["alert", "incident"],
        subject: str,
        context: Any,
        dedupe: str,
    ) -> int | None:
        try:
            run = self.start(
                loaded.playbook.id,
                actor=f"trigger:{subject}",
                trigger=trigger,
                subject=subject,
                context=context,
                dedupe=f"{loaded.playbook.id}|{dedupe}",
                execute=False,
            )
        except InputError as exc:
            log.warning("playbook %s not started for %s: %s", loaded.playbook.id, subject, exc)
            return None
        return run.id if run is not None else None

    # -- the worker ----------------------------------------------------------------------------

    def step(self) -> StepSummary:
        """One pass: start triggered runs, advance due runs, lift expired blocks."""
        summary = StepSummary()
        if self.settings.enabled:
            summary.started += self.trigger_alerts()
            summary.started += self.trigger_incidents()
        limits = {
            pid: loaded.playbook.concurrency or self.settings.max_concurrent
            for pid, loaded in self.catalog().playbooks.items()
        }
        for run in self.runs.claim(self.owner, limits=limits, lease=LEASE):
            try:
                summary.advanced.append(self._advance(run))
            except Exception:  # one broken run must not stop the others
                log.exception("playbook run %d failed to advance", run.id)
            finally:
                self.runs.release(run.id, self.owner)
        summary.unblocked = self.expire_blocks()
        return summary

    def expire_blocks(self) -> list[str]:
        """Lift blocks whose time is up, with the tool each was placed with."""
        context = ActionContext(
            settings=self.settings,
            runner=self.runner,
            clock=self.platform.clock,
            ports=Ports(blocks=self.blocks),
            home=self.platform.settings.home,
            actor="expiry",
            step="expiry",
        )
        return firewall.expire_blocks(context)

    # -- people --------------------------------------------------------------------------------

    def decide(
        self,
        approval_id: int,
        *,
        user: str,
        roles: list[str],
        decision: Literal["approve", "reject"],
        comment: str = "",
    ) -> ApprovalRecord:
        """Record a decision and let the run go on at once."""
        record = self.runs.decide(
            approval_id, actor=user, roles=roles, decision=decision, comment=comment
        )
        if record.status != "waiting":
            self.process(record.run_id)
        return record

    def cancel(self, run_id: int, *, actor: str, reason: str) -> RunRecord:
        """Cancel an unfinished run."""
        return self.runs.cancel(run_id, actor=actor, reason=reason)

    def view(self, run_id: int) -> tuple[RunRecord, list[StepRecord], list[ApprovalRecord]]:
        """A run with its step records and approvals."""
        run = self.runs.get(run_id)
        steps = self.runs.steps(run_id)
        approvals = [
            a for s in steps if s.kind == "approval" if (a := self.runs.approval(run_id, s.step))
        ]
        return run, steps, approvals

    def view_json(self, run_id: int) -> dict[str, Any]:
        """A run with its steps and approvals as JSON (CLI ``--json``, API, console)."""
        run, steps, approvals = self.view(run_id)
        return {
            **run.to_json(),
            "steps": [s.to_json() for s in steps],
            "approvals": [a.to_json() for a in approvals],
        }

    def now(self) -> datetime:
        """The platform's time."""
        return self.platform.clock.now()


def _announced(record: StepRecord) -> StepRecord:
    """The approval step record marked as announced (so approvers are told once)."""
    return replace(record, output={"announced": True})

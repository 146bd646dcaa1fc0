"""Records of playbook runs, their steps and approvals, and the journal that keeps them.

The engine (:mod:`~garrison.respond.engine`) reads and writes runs only through a
:class:`Journal`; the SQL journal (``storage/sql/playbook_runs.py``) makes runs survive a
restart, :class:`MemoryJournal` serves dry runs without a database and tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol

RunStatus = Literal["pending", "running", "waiting", "succeeded", "failed", "rejected", "cancelled"]
StepStatus = Literal["running", "retrying", "waiting", "succeeded", "failed", "skipped"]
ApprovalStatus = Literal["waiting", "approved", "rejected", "expired", "cancelled"]

FINISHED_RUN: tuple[str, ...] = ("succeeded", "failed", "rejected", "cancelled")
FINISHED_STEP: tuple[str, ...] = ("succeeded", "failed", "skipped")


@dataclass(frozen=True)
class RunRecord:
    """One run of a playbook.

    Attributes:
        id: Its number.
        playbook / revision: Which playbook, and the hash of the file that ran.
        trigger: ``alert``, ``incident``, ``schedule`` or ``manual``.
        subject: What started it (``alert:12``), if anything.
        status: See :data:`RunStatus`.
        dry_run: Nothing is changed; steps are planned.
        inputs: Resolved inputs.
        context: The trigger's data (``alert``, ``event``, ``incident``).
        created_by: Who or what started it.
        created_at / started_at / finished_at: When.
        wake_at: When the engine should look at it again (a retry, an approval's deadline).
        error: Why it failed.
    """

    id: int
    playbook: str
    revision: str
    trigger: str
    subject: str | None
    status: RunStatus
    dry_run: bool
    inputs: dict[str, Any]
    context: dict[str, Any]
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    wake_at: datetime | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the run has ended."""
        return self.status in FINISHED_RUN

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "playbook": self.playbook,
            "revision": self.revision,
            "trigger": self.trigger,
            "subject": self.subject,
            "status": self.status,
            "dry_run": self.dry_run,
            "inputs": self.inputs,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "wake_at": _iso(self.wake_at),
            "error": self.error,
        }


@dataclass(frozen=True)
class StepRecord:
    """One attempt history of one step (one item of a ``for_each``).

    Attributes:
        step: The step id (``undo:<id>`` for a reversal).
        item: The ``for_each`` index (0 otherwise).
        kind: ``action``, ``approval`` or ``undo``.
        action: The action name.
        status: See :data:`StepStatus`.
        attempts: Attempts made.
        args: The resolved arguments.
        output: What the action returned.
        effects: Commands and requests made (or, in a dry run, that would be made).
        undo: ``{"action", "args"}`` reversing it, where one exists.
        error: Why it failed or was skipped.
        started_at / finished_at: When.
        wake_at: When a retry is due.
    """

    step: str
    item: int = 0
    kind: str = "action"
    action: str | None = None
    status: StepStatus = "running"
    attempts: int = 0
    args: dict[str, Any] | None = None
    output: dict[str, Any] | None = None
    effects: list[dict[str, Any]] = field(default_factory=list)
    undo: dict[str, Any] | None = None
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    wake_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "step": self.step,
            "item": self.item,
            "kind": self.kind,
            "action": self.action,
            "status": self.status,
            "attempts": self.attempts,
            "args": self.args,
            "output": self.output,
            "effects": self.effects,
            "undo": self.undo,
            "error": self.error,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


@dataclass(frozen=True)
class Decision:
    """One person's answer to an approval."""

    actor: str
    decision: Literal["approve", "reject"]
    comment: str
    decided_at: datetime


@dataclass(frozen=True)
class ApprovalRecord:
    """An approval a run waits for.

    Attributes:
        id: Its number.
        run_id / step: The run and step asking.
        status: See :data:`ApprovalStatus`.
        required: Approvals needed.
        approvers: ``{"roles": [...], "users": [...]}`` who may decide.
        message: What is asked.
        on_timeout: ``reject`` or ``approve``.
        requested_at / due_at / decided_at: When.
        decisions: Answers so far.
    """

    id: int
    run_id: int
    step: str
    status: ApprovalStatus
    required: int
    approvers: dict[str, list[str]]
    message: str
    on_timeout: str
    requested_at: datetime
    due_at: datetime
    decided_at: datetime | None = None
    decisions: tuple[Decision, ...] = ()

    def allows(self, actor: str, roles: Iterable[str]) -> bool:
        """Whether ``actor`` (holding ``roles``) is one of the approvers.

        ``users`` lists console people by their bare name (``alice`` is ``user:alice``) or any
        caller by its full audit name (``token:kestra``, ``cli:root``).
        """
        if set(self.approvers.get("roles", [])) & set(roles):
            return True
        users = set(self.approvers.get("users", []))
        kind, _, name = actor.partition(":")
        return actor in users or (kind == "user" and name in users)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "run_id": self.run_id,
            "step": self.step,
            "status": self.status,
            "required": self.required,
            "approvers": self.approvers,
            "message": self.message,
            "on_timeout": self.on_timeout,
            "requested_at": _iso(self.requested_at),
            "due_at": _iso(self.due_at),
            "decided_at": _iso(self.decided_at),
            "decisions": [
                {
                    "actor": d.actor,
                    "decision": d.decision,
                    "comment": d.comment,
                    "decided_at": _iso(d.decided_at),
                }
                for d in self.decisions
            ],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class Journal(Protocol):
    """Where the engine keeps a run's progress."""

    def steps(self, run_id: int) -> list[StepRecord]:
        """Every step record of the run, in the order they were first saved."""
        ...

    def save_step(self, run_id: int, record: StepRecord) -> None:
        """Insert or replace the record of ``(record.step, record.item)``."""
        ...

    def approval(self, run_id: int, step: str) -> ApprovalRecord | None:
        """The approval of a step, if it was requested."""
        ...

    def request_approval(
        self,
        run_id: int,
        step: str,
        *,
        required: int,
        approvers: dict[str, list[str]],
        message: str,
        on_timeout: str,
        due_at: datetime,
    ) -> ApprovalRecord:
        """Open an approval (idempotent: an existing one is returned)."""
        ...

    def close_approval(self, approval_id: int, status: ApprovalStatus) -> None:
        """End an approval that timed out or whose run ended."""
        ...

    def update_run(self, run: RunRecord) -> None:
        """Store the run's status, times and error."""
        ...


@dataclass
class MemoryJournal:
    """A journal in memory (dry runs, tests)."""

    records: dict[int, dict[tuple[str, int], StepRecord]] = field(default_factory=dict)
    approvals: dict[tuple[int, str], ApprovalRecord] = field(default_factory=dict)
    runs: dict[int, RunRecord] = field(default_factory=dict)

    def steps(self, run_id: int) -> list[StepRecord]:
        """Every step record of the run."""
        return list(self.records.get(run_id, {}).values())

    def save_step(self, run_id: int, record: StepRecord) -> None:
        """Insert or replace a step record."""
        self.records.setdefault(run_id, {})[(record.step, record.item)] = record

    def approval(self, run_id: int, step: str) -> ApprovalRecord | None:
        """The approval of a step."""
        return self.approvals.get((run_id, step))

    def request_approval(
        self,
        run_id: int,
        step: str,
        *,
        required: int,
        approvers: dict[str, list[str]],
        message: str,
        on_timeout: str,
        due_at: datetime,
    ) -> ApprovalRecord:
        """Open an approval."""
        key = (run_id, step)
        if key not in self.approvals:
            self.approvals[key] = ApprovalRecord(
                id=len(self.approvals) + 1,
                run_id=run_id,
                step=step,
                status="waiting",
                required=required,
                approvers=approvers,
                message=message,
                on_timeout=on_timeout,
                requested_at=due_at,
                due_at=due_at,
            )
        return self.approvals[key]

    def close_approval(self, approval_id: int, status: ApprovalStatus) -> None:
        """End an approval."""
        for key, record in self.approvals.items():
            if record.id == approval_id:
                self.approvals[key] = replace(record, status=status)

    def decide(
        self,
        run_id: int,
        step: str,
        actor: str,
        decision: Literal["approve", "reject"],
        at: datetime,
    ) -> None:
        """Record an answer (tests); the approval ends when enough approvals or one rejection."""
        record = self.approvals[(run_id, step)]
        decisions = (*record.decisions, Decision(actor, decision, "", at))
        approved = sum(1 for d in decisions if d.decision == "approve")
        status: ApprovalStatus = record.status
        if decision == "reject":
            status = "rejected"
        elif approved >= record.required:
            status = "approved"
        self.approvals[(run_id, step)] = replace(
            record, decisions=decisions, status=status, decided_at=at
        )

    def update_run(self, run: RunRecord) -> None:
        """Store the run."""
        self.runs[run.id] = run

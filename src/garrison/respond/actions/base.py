"""What every response action is: validated arguments, a dry-run ``plan`` and a ``run``.

An action module defines a subclass of :class:`Action` and a module-level ``ACTION`` instance;
:mod:`garrison.respond.actions.registry` finds them. Arguments are a pydantic model with
``extra="forbid"``: values from events are parsed into typed values (see
:mod:`~garrison.respond.actions.values`) before an action sees them.

``plan`` has no side effects: it returns the commands and requests ``run`` would make, which
is what a dry run prints. ``run`` does the work and returns the same kind of
:class:`Outcome`, with an :class:`Undo` where the action can be reversed (``block_ip`` →
``unblock_ip``).

Actions never reach the database or the notifier directly: they get :class:`Ports`, small
protocols the platform implements (and tests implement in memory, see
:mod:`~garrison.respond.actions.memory`).
"""

from __future__ import annotations

import shlex
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from garrison.core.clock import Clock
from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.argv import CommandRunner
from garrison.respond.config import ResponseSettings


@dataclass(frozen=True)
class Effect:
    """One thing an action did or would do, for dry runs, run records and the audit trail.

    Attributes:
        kind: ``command`` (a host command), ``http`` (a request) or ``record`` (a change
            inside Garrison: an incident, a task, a notification, evidence).
        detail: One line for people: the quoted argv, ``POST https://...``, ``open incident``.
        argv: The exact argument vector of a command.
    """

    kind: Literal["command", "http", "record"]
    detail: str
    argv: tuple[str, ...] | None = None

    @classmethod
    def command(cls, argv: list[str] | tuple[str, ...]) -> Effect:
        """The effect of running ``argv``."""
        return cls("command", shlex.join(argv), tuple(argv))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        data: dict[str, Any] = {"kind": self.kind, "detail": self.detail}
        if self.argv is not None:
            data["argv"] = list(self.argv)
        return data


@dataclass(frozen=True)
class Undo:
    """How to reverse what an action did: another action and its arguments."""

    action: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What an action did (``run``) or would do (``plan``).

    Attributes:
        summary: One line for people (English; the console translates the action's title).
        output: JSON-ready values later steps read as ``steps.<id>.output``.
        effects: Commands, requests and records, in order.
        undo: The compensating action, where one exists.
        changed: Whether anything changed (``False`` when, say, the address was already
            blocked: the action is idempotent and did nothing).
    """

    summary: str
    output: dict[str, Any] = field(default_factory=dict)
    effects: tuple[Effect, ...] = ()
    undo: Undo | None = None
    changed: bool = True


@dataclass(frozen=True)
class ActiveBlock:
    """An address Garrison blocked, until when, and with which tool."""

    address: str
    backend: str
    expires_at: datetime | None
    reason: str = ""
    run_id: int | None = None
    created_at: datetime | None = None


class BlockLedger(Protocol):
    """Which addresses are blocked: makes ``block_ip`` idempotent and drives expiry."""

    def active(self, address: str) -> ActiveBlock | None:
        """The live block of ``address``, if any."""
        ...

    def record(self, block: ActiveBlock) -> None:
        """Remember a new block (replacing an older record of the same address)."""
        ...

    def release(self, address: str) -> None:
        """Forget the block of ``address`` (it was lifted)."""
        ...

    def due(self, now: datetime) -> list[ActiveBlock]:
        """Blocks whose expiry has passed."""
        ...


class IncidentPort(Protocol):
    """Incident changes a playbook may make."""

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
        """Open an incident; return its id."""
        ...

    def note(self, incident_id: int, text: str, *, actor: str) -> None:
        """Add a note to the incident's timeline."""
        ...

    def regrade(self, incident_id: int, grade: str, *, actor: str, reason: str) -> None:
        """Change the incident's grade."""
        ...

    def transition(self, incident_id: int, phase: str, *, actor: str, reason: str) -> None:
        """Move the incident to another phase."""
        ...

    def add_task(
        self, incident_id: int, title: str, *, role: str, due_hours: float, actor: str
    ) -> int:
        """Add a task to the incident; return its id."""
        ...


class NotifyPort(Protocol):
    """Queues a notification for the configured channels."""

    def notify(
        self,
        *,
        subject: str,
        message: str,
        roles: list[str],
        people: list[str],
        incident_id: int | None,
    ) -> None:
        """Queue ``message`` for ``roles`` and ``people`` (sent by the outbox)."""
        ...


class EvidencePort(Protocol):
    """Seals a file as evidence."""

    def add_file(
        self, path: Path, *, incident_id: int | None, name: str, note: str, actor: str
    ) -> str:
        """Seal the file at ``path``; return its SHA-256."""
        ...


@dataclass
class Ports:
    """The platform services an action may use; a missing one makes that action fail."""

    blocks: BlockLedger | None = None
    incidents: IncidentPort | None = None
    notify: NotifyPort | None = None
    evidence: EvidencePort | None = None

    def need(self, name: Literal["blocks", "incidents", "notify", "evidence"]) -> Any:
        """The port ``name``.

        Raises:
            ActionError: When this context has none.
        """
        port = getattr(self, name)
        if port is None:
            raise ActionError(f"no {name} service is available to this playbook run")
        return port


@dataclass
class ActionContext:
    """Everything an action may use besides its arguments.

    Attributes:
        settings: The ``[response]`` limits.
        runner: Runs host commands as argv.
        clock: The platform clock.
        ports: Platform services.
        home: The data directory (quarantine and snapshots default under it).
        actor: Who the run acts for (``playbook:<name>`` or a user).
        run_id / step: The run and step this call belongs to (for records and idempotency).
        sleep: Waits between polls (tests pass a function that does not wait).
    """

    settings: ResponseSettings
    runner: CommandRunner
    clock: Clock
    ports: Ports = field(default_factory=Ports)
    home: Path = Path("garrison-data")
    actor: str = "playbook"
    run_id: int | None = None
    step: str = ""
    sleep: Callable[[float], None] = time.sleep


ArgsT = TypeVar("ArgsT", bound=BaseModel)


class Action(ABC, Generic[ArgsT]):
    """A response action.

    Class attributes:
        name: The name playbooks use (``block_ip``).
        title: Short label per language (``{"en": ..., "zh-CN": ...}``).
        args_model: The pydantic model of the arguments.
        undo_action: The name of the reversing action, if any.
        changes_host: Whether the action changes a host or a container (for the console
            and for approvals that policies may demand).
    """

    name: ClassVar[str]
    title: ClassVar[dict[str, str]]
    args_model: type[ArgsT]
    undo_action: ClassVar[str | None] = None
    changes_host: ClassVar[bool] = False

    def parse(self, raw: Mapping[str, Any]) -> ArgsT:
        """Validate raw arguments.

        Raises:
            InputError: Naming each bad argument (its value is not repeated in full).
        """
        try:
            return self.args_model.model_validate(dict(raw))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()
            )
            raise InputError(f"{self.name}: {problems}") from None

    @abstractmethod
    def plan(self, args: ArgsT, ctx: ActionContext) -> Outcome:
        """What :meth:`run` would do, with no side effect."""

    @abstractmethod
    def run(self, args: ArgsT, ctx: ActionContext) -> Outcome:
        """Do the work.

        Raises:
            ActionError: When it could not be done (``retryable`` when a retry may help).
        """

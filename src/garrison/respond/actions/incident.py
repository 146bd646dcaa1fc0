"""Incident actions: open, update (note, grade), move to another phase, add a task.

They change incidents only through the incidents port; ``plan`` calls no port at all. The
playbook engine fills ``open_incident``'s ``alert_ids`` with the triggering alert by default.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome

Grade = Literal["I", "II", "III", "IV"]
#: The incident phases (kept here so ``respond`` does not import ``incidents``; a test checks
#: they equal :class:`garrison.incidents.phases.Phase`).
Phase = Literal["detect", "triage", "contain", "eradicate", "recover", "review", "closed"]
PHASES: tuple[str, ...] = get_args(Phase)
Role = Literal["command", "technical", "communication"]
AlertId = Annotated[int, Field(ge=1)]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenArgs(_Args):
    """Arguments of ``open_incident``."""

    title: str = Field(min_length=1, max_length=512)
    grade: Grade | None = None
    grade_reason: str | None = Field(default=None, max_length=2000)
    incident_type: str | None = Field(default=None, pattern=r"^[a-z_]{1,32}$")
    summary: str | None = Field(default=None, max_length=4000)
    alert_ids: list[AlertId] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _reason(self) -> OpenArgs:
        if self.grade is not None and not (self.grade_reason or "").strip():
            raise ValueError("a grade needs a grade_reason")
        return self


class UpdateArgs(_Args):
    """Arguments of ``update_incident``."""

    incident_id: int = Field(ge=1)
    note: str | None = Field(default=None, min_length=1, max_length=10_000)
    grade: Grade | None = None
    reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _something(self) -> UpdateArgs:
        if self.note is None and self.grade is None:
            raise ValueError("give a note or a grade")
        if self.grade is not None and not (self.reason or "").strip():
            raise ValueError("a new grade needs a reason")
        return self


class TransitionArgs(_Args):
    """Arguments of ``transition_incident``."""

    incident_id: int = Field(ge=1)
    phase: Phase
    reason: str = Field(min_length=1, max_length=2000)


class TaskArgs(_Args):
    """Arguments of ``add_task``."""

    incident_id: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=500)
    role: Role = "technical"
    due_hours: float = Field(default=24.0, gt=0, le=720)


def _record(detail: str) -> tuple[Effect, ...]:
    return (Effect("record", detail),)


class OpenIncident(Action[OpenArgs]):
    """Open an incident (graded from the affected assets unless a grade is given)."""

    name = "open_incident"
    title: ClassVar[dict[str, str]] = {"en": "Open an incident", "zh-CN": "创建事件"}
    args_model = OpenArgs

    def plan(self, args: OpenArgs, ctx: ActionContext) -> Outcome:
        """What would be opened."""
        return Outcome(f"would open incident {args.title!r}", effects=_record("open incident"))

    def run(self, args: OpenArgs, ctx: ActionContext) -> Outcome:
        """Open it; the output holds ``incident_id``."""
        incident_id = ctx.ports.need("incidents").open(
            args.title,
            actor=ctx.actor,
            alert_ids=list(args.alert_ids),
            grade=args.grade,
            grade_reason=args.grade_reason,
            incident_type=args.incident_type,
            summary=args.summary,
        )
        return Outcome(
            f"opened incident {incident_id}",
            output={"incident_id": incident_id},
            effects=_record(f"open incident {incident_id}"),
        )


class UpdateIncident(Action[UpdateArgs]):
    """Add a note to an incident and/or change its grade."""

    name = "update_incident"
    title: ClassVar[dict[str, str]] = {"en": "Update an incident", "zh-CN": "更新事件"}
    args_model = UpdateArgs

    def plan(self, args: UpdateArgs, ctx: ActionContext) -> Outcome:
        """What would change."""
        return Outcome(
            f"would update incident {args.incident_id}",
            effects=_record(f"update incident {args.incident_id}"),
        )

    def run(self, args: UpdateArgs, ctx: ActionContext) -> Outcome:
        """Apply the note and the grade."""
        port = ctx.ports.need("incidents")
        if args.note is not None:
            port.note(args.incident_id, args.note, actor=ctx.actor)
        if args.grade is not None:
            port.regrade(args.incident_id, args.grade, actor=ctx.actor, reason=args.reason or "")
        return Outcome(
            f"updated incident {args.incident_id}",
            output={"incident_id": args.incident_id},
            effects=_record(f"update incident {args.incident_id}"),
        )


class TransitionIncident(Action[TransitionArgs]):
    """Move an incident to another phase (invalid moves are refused by the incident store)."""

    name = "transition_incident"
    title: ClassVar[dict[str, str]] = {"en": "Move an incident", "zh-CN": "推进事件阶段"}
    args_model = TransitionArgs

    def plan(self, args: TransitionArgs, ctx: ActionContext) -> Outcome:
        """What would change."""
        detail = f"move incident {args.incident_id} to {args.phase}"
        return Outcome(f"would {detail}", effects=_record(detail))

    def run(self, args: TransitionArgs, ctx: ActionContext) -> Outcome:
        """Move it."""
        ctx.ports.need("incidents").transition(
            args.incident_id, args.phase, actor=ctx.actor, reason=args.reason
        )
        detail = f"move incident {args.incident_id} to {args.phase}"
        return Outcome(
            detail,
            output={"incident_id": args.incident_id, "phase": args.phase},
            effects=_record(detail),
        )


class AddTask(Action[TaskArgs]):
    """Add a response task to an incident, for a role, due in some hours."""

    name = "add_task"
    title: ClassVar[dict[str, str]] = {"en": "Add a task", "zh-CN": "添加任务"}
    args_model = TaskArgs

    def plan(self, args: TaskArgs, ctx: ActionContext) -> Outcome:
        """What would be added."""
        detail = f"add task {args.title!r} to incident {args.incident_id}"
        return Outcome(f"would {detail}", effects=_record(detail))

    def run(self, args: TaskArgs, ctx: ActionContext) -> Outcome:
        """Add it; the output holds ``task_id``."""
        task_id = ctx.ports.need("incidents").add_task(
            args.incident_id, args.title, role=args.role, due_hours=args.due_hours, actor=ctx.actor
        )
        detail = f"add task {args.title!r} to incident {args.incident_id}"
        return Outcome(
            detail,
            output={"task_id": task_id, "incident_id": args.incident_id},
            effects=_record(detail),
        )


ACTIONS = (OpenIncident(), UpdateIncident(), TransitionIncident(), AddTask())

"""The playbook file format, as pydantic models (also the source of the editors' JSON Schema).

A playbook names what starts it (``trigger``), what it asks for (``inputs``) and its ``steps``:
each step is either an ``action`` with ``args`` or an ``approval``. Steps run in file order;
``needs`` makes a step wait for (and depend on the success of) named earlier steps, ``if``
skips it on a false condition, ``for_each`` runs it once per item of a list. ``retry``,
``timeout`` and ``on_error`` say what happens on failure: stop the run (default), continue,
``undo`` what earlier steps did (their actions' undo, newest first) or run a named step of
``compensate``. See ``docs/playbooks.md``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from garrison.respond.actions.values import parse_duration

ID = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
LEVELS = ("informational", "low", "medium", "high", "critical")
GRADES = ("I", "II", "III", "IV")


def _duration(value: object) -> timedelta:
    return parse_duration(value)


class Model(BaseModel):
    """Strict base: unknown keys are errors (a typo must not silently do nothing)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AlertTrigger(Model):
    """Start on new alerts that match every filter given.

    Attributes:
        rules: Rule ids (exact), any of.
        tags: Tags, any of (``attack.t1110``).
        levels: Alert levels, any of.
        where: A CEL condition over ``alert`` and ``event``.
        once_per: A CEL expression (``alert.source_ip``): alerts giving the same value start
            one run per ``window`` (several rules firing on one attacker start one run).
        window: The period of ``once_per``.
    """

    rules: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    levels: list[Literal["informational", "low", "medium", "high", "critical"]] = Field(
        default_factory=list
    )
    where: str | None = None
    once_per: str | None = None
    window: timedelta = Field(default=timedelta(hours=1))

    @field_validator("window", mode="before")
    @classmethod
    def _window(cls, value: object) -> timedelta:
        return _duration(value)


class IncidentTrigger(Model):
    """Start on incidents when they are opened and match every filter given.

    Attributes:
        grades: GB/T 20986 grades, any of.
        types: Incident types, any of.
        where: A CEL condition over ``incident``.
    """

    grades: list[Literal["I", "II", "III", "IV"]] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list)
    where: str | None = None


class Trigger(Model):
    """What starts a playbook; a playbook can always be started by hand.

    Attributes:
        alert: New alerts matching a filter.
        incident: Newly opened incidents matching a filter.
        schedule: A cron expression (five fields, site time zone).
    """

    alert: AlertTrigger | None = None
    incident: IncidentTrigger | None = None
    schedule: str | None = None

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a five-field cron expression")
        return value


class Input(Model):
    """One input of a playbook (given on manual runs, defaulted otherwise).

    Attributes:
        type: ``string``, ``integer``, ``boolean``, ``ip`` or ``duration``.
        required: A manual run must give it.
        default: Used when not given (may hold ``${{ ... }}`` over the trigger's context).
        description: For people.
    """

    type: Literal["string", "integer", "boolean", "ip", "duration"] = "string"
    required: bool = False
    default: Any = None
    description: str = ""


class Retry(Model):
    """Retrying a failed step.

    Attributes:
        count: Further attempts after the first (0-10).
        backoff: Wait before the first retry; doubles (``factor``) each time.
        factor: Multiplier of the wait per retry.
    """

    count: int = Field(default=0, ge=0, le=10)
    backoff: timedelta = Field(default=timedelta(seconds=10))
    factor: float = Field(default=2.0, ge=1.0, le=10.0)

    @field_validator("backoff", mode="before")
    @classmethod
    def _backoff(cls, value: object) -> timedelta:
        return _duration(value)

    def delay(self, attempt: int) -> timedelta:
        """The wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        return self.backoff * (self.factor ** max(attempt - 1, 0))


Role = Literal["admin", "analyst", "auditor"]


class Approvers(Model):
    """Who may approve: any listed role or user."""

    roles: list[Role] = Field(default_factory=lambda: list[Role](["admin"]))
    users: list[str] = Field(default_factory=list)


class Approval(Model):
    """A human decision the run waits for.

    Attributes:
        message: What is asked (may embed ``${{ ... }}``).
        approvers: Who may decide.
        required: How many distinct approvals are needed; one rejection ends the wait.
        timeout: How long to wait.
        on_timeout: ``reject`` (the run stops) or ``approve`` (it goes on).
    """

    message: str = Field(min_length=1, max_length=2000)
    approvers: Approvers = Field(default_factory=Approvers)
    required: int = Field(default=1, ge=1, le=10)
    timeout: timedelta | None = None
    on_timeout: Literal["reject", "approve"] = "reject"

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, value: object) -> timedelta | None:
        return None if value is None else _duration(value)


OnError = str  # "stop" | "continue" | "undo" | the id of a compensate step


class Step(Model):
    """One step: an action with arguments, or an approval.

    Attributes:
        id: Unique in the playbook; later steps read ``steps.<id>.output``.
        name: For people.
        action: The action (``block_ip``); exclusive with ``approval``.
        args: The action's arguments; strings may embed ``${{ ... }}``.
        approval: A human decision instead of an action.
        needs: Earlier steps that must have succeeded (otherwise this one is skipped).
        if_: A CEL condition (``if:`` in YAML); false skips the step.
        for_each: A CEL expression giving a list; the step runs per item (``item``, ``index``).
        timeout: Longest an attempt may take.
        retry: Retrying failed attempts.
        on_error: ``stop`` (default), ``continue``, ``undo``, or a ``compensate`` step id.
    """

    id: str = Field(pattern=ID)
    name: str = ""
    action: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    approval: Approval | None = None
    needs: list[str] = Field(default_factory=list)
    if_: str | None = Field(default=None, alias="if")
    for_each: str | None = None
    timeout: timedelta | None = None
    retry: Retry = Field(default_factory=Retry)
    on_error: OnError = "stop"

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, value: object) -> timedelta | None:
        return None if value is None else _duration(value)

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        if (self.action is None) == (self.approval is None):
            raise ValueError("a step has exactly one of 'action' and 'approval'")
        if self.approval is not None and (self.args or self.for_each):
            raise ValueError("an approval step takes no 'args' or 'for_each'")
        return self

    @property
    def kind(self) -> Literal["action", "approval"]:
        """``approval`` or ``action``."""
        return "approval" if self.approval is not None else "action"


class Playbook(Model):
    """A playbook file.

    Attributes:
        id: Unique name (``brute-force-block``).
        title: Per language (``en``, ``zh-CN``) or one string.
        description: For people.
        enabled: Off stops triggers (manual runs still work).
        concurrency: Most runs of this playbook at once (others wait in the queue).
        trigger: What starts it.
        inputs: Named inputs.
        steps: The steps, in order.
        compensate: Steps run only when a failing step's ``on_error`` names them.
        tags: Free labels (ATT&CK techniques, 等保 controls) for people and filters.
    """

    id: str = Field(pattern=ID)
    title: dict[str, str] | str
    description: str = ""
    enabled: bool = True
    concurrency: int | None = Field(default=None, ge=1, le=1000)
    trigger: Trigger = Field(default_factory=Trigger)
    inputs: dict[str, Input] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)
    compensate: list[Step] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("inputs")
    @classmethod
    def _input_names(cls, value: dict[str, Input]) -> dict[str, Input]:
        for name in value:
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,63}", name):
                raise ValueError(f"input name {name!r}: lower-case letters, digits and _")
        return value

    def title_in(self, language: str) -> str:
        """The title in ``language`` (``en`` or ``zh-CN``), falling back to any given."""
        if isinstance(self.title, str):
            return self.title
        return self.title.get(language) or self.title.get("en") or next(iter(self.title.values()))

    def step(self, step_id: str) -> Step:
        """The step (or compensate step) called ``step_id``.

        Raises:
            KeyError: If there is none.
        """
        for step in [*self.steps, *self.compensate]:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

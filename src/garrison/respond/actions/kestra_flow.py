"""``kestra`` and ``kestra_resume``: hand work to a Kestra flow, and let Garrison resume it.

``kestra`` starts a flow (through the executions API, or through the flow's webhook trigger
when ``webhook_key`` is given) and, with ``wait``, follows the execution until it ends, pauses,
or the wait is over. States listed in ``fail_on`` fail the step. A Kestra flow that pauses for a
decision (``io.kestra.plugin.core.flow.Pause``) can be resumed by ``kestra_resume`` after a
Garrison approval step, so the approval in Garrison's console is the one that counts::

    steps:
      - id: contain
        action: kestra
        args:
          namespace: soc
          flow_id: contain_host
          inputs: {host: "${{ alert.host }}"}
          wait: 10m
      - id: approve
        approval:
          message: Let Kestra reimage ${{ alert.host }}?
          approvers: {roles: [admin]}
      - id: continue
        action: kestra_resume
        args:
          execution_id: ${{ steps.contain.output.execution_id }}

The server and credentials come from ``[response.kestra]``; see ``integrations/kestra``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from garrison.core.errors import ActionError
from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome
from garrison.respond.actions.values import Duration
from garrison.respond.kestra import Execution, KestraClient


def _printable(value: str) -> str:
    if any((ord(ch) < 32 and ch not in "\t\n") or ord(ch) == 127 for ch in value):
        raise ValueError("control characters are not allowed")
    return value


def _no_separator(value: str) -> str:
    # Kestra reads ?labels=key:value by splitting on every ":" and wants exactly two parts;
    # a "," could split one query value into two list items.
    if ":" in value or "," in value:
        raise ValueError("a label value may not contain ':' or ','")
    return value


def _label_key(value: str) -> str:
    if value.startswith("system."):
        raise ValueError("system.* labels are Kestra's own")
    return value


#: A namespace or flow id as Kestra accepts them (never ``.`` or ``..``: a path segment).
FlowName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$")]
InputName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
InputText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_printable)]
InputValue = bool | int | float | InputText
LabelKey = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"),
    AfterValidator(_label_key),
]
LabelValue = Annotated[
    str,
    StringConstraints(min_length=1, max_length=256),
    AfterValidator(_printable),
    AfterValidator(_no_separator),
]
ExecutionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
WebhookKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,255}$")]
State = Literal["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"]


def _default_fail_on() -> list[State]:
    return ["FAILED", "KILLED", "CANCELLED"]


#: Longest ``wait``: a step that follows an execution holds a playbook worker meanwhile.
MAX_WAIT_SECONDS = 24 * 3600


class KestraArgs(BaseModel):
    """Arguments of ``kestra``.

    Attributes:
        namespace / flow_id: The flow to start.
        inputs: The flow's inputs (text, numbers, true/false).
        labels: Labels of the execution (not with ``webhook_key``).
        webhook_key: Start through the flow's webhook trigger with this key; the inputs are
            the JSON body (``trigger.body`` in the flow).
        wait: Follow the execution until it ends or pauses, for at most this long.
        fail_on: End states that fail the step.
    """

    model_config = ConfigDict(extra="forbid")

    namespace: FlowName
    flow_id: FlowName
    inputs: dict[InputName, InputValue] = Field(default_factory=dict, max_length=64)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, max_length=32)
    webhook_key: WebhookKey | None = None
    wait: Duration | None = None
    fail_on: list[State] = Field(default_factory=_default_fail_on, max_length=7)

    @model_validator(mode="after")
    def _consistent(self) -> KestraArgs:
        if self.webhook_key is not None and self.labels:
            raise ValueError("labels cannot be sent through a webhook trigger")
        if self.wait is not None and self.wait.total_seconds() > MAX_WAIT_SECONDS:
            raise ValueError("wait is at most 24h")
        return self


class ResumeArgs(BaseModel):
    """Arguments of ``kestra_resume``.

    Attributes:
        execution_id: The paused execution (``steps.<id>.output.execution_id``).
        inputs: Values for the Pause task's ``onResume`` inputs.
    """

    model_config = ConfigDict(extra="forbid")

    execution_id: ExecutionId
    inputs: dict[InputName, InputValue] = Field(default_factory=dict, max_length=64)


def client(ctx: ActionContext) -> KestraClient:
    """A client of the server in ``[response.kestra]`` (raises when none is configured)."""
    return KestraClient(ctx.settings.kestra)


class StartFlow(Action[KestraArgs]):
    """Start a Kestra flow and, when asked, follow its execution."""

    name = "kestra"
    title: ClassVar[dict[str, str]] = {"en": "Run Kestra flow", "zh-CN": "执行 Kestra 流程"}
    args_model = KestraArgs

    @staticmethod
    def _start_effect(kestra: KestraClient, args: KestraArgs) -> Effect:
        if args.webhook_key is not None:
            path = KestraClient.webhook_path(args.namespace, args.flow_id, "<key>")
        else:
            path = KestraClient.start_path(args.namespace, args.flow_id)
        return Effect("http", kestra.describe("POST", path))

    def plan(self, args: KestraArgs, ctx: ActionContext) -> Outcome:
        """The start request (and the polling when ``wait`` is set); nothing is sent."""
        with client(ctx) as kestra:
            effects = [self._start_effect(kestra, args)]
            if args.wait is not None:
                poll = kestra.describe("GET", KestraClient.execution_path("<id>"))
                effects.append(Effect("http", f"{poll} until it ends or pauses"))
        return Outcome(
            f"would start Kestra flow {args.namespace}.{args.flow_id}", effects=tuple(effects)
        )

    def run(self, args: KestraArgs, ctx: ActionContext) -> Outcome:
        """Start the flow, follow it when ``wait`` is set, and check the state.

        Raises:
            ActionError: No Kestra configured, a refused or failed call, or an execution that
                ended in a ``fail_on`` state.
        """
        where = f"{args.namespace}.{args.flow_id}"
        with client(ctx) as kestra:
            effects = [self._start_effect(kestra, args)]
            execution: Execution | None
            if args.webhook_key is not None:
                execution = kestra.webhook(
                    args.namespace, args.flow_id, args.webhook_key, args.inputs
                )
            else:
                execution = kestra.start(args.namespace, args.flow_id, args.inputs, args.labels)
            if execution is None:
                return Outcome(
                    f"the webhook of Kestra flow {where} started no execution (its conditions)",
                    output={"execution_id": None, "state": None, "url": None},
                    effects=tuple(effects),
                    changed=False,
                )
            if args.wait is not None:
                execution = kestra.follow(
                    execution, wait_seconds=args.wait.total_seconds(), sleep=ctx.sleep
                )
                effects.append(
                    Effect(
                        "http", kestra.describe("GET", KestraClient.execution_path(execution.id))
                    )
                )
        if execution.state in args.fail_on:
            raise ActionError(
                f"Kestra execution {execution.id} of {where} ended {execution.state}",
                hint=f"see {execution.url}",
            )
        return Outcome(
            f"Kestra flow {where}: execution {execution.id} is {execution.state}",
            output=execution.to_json(),
            effects=tuple(effects),
        )


class ResumeFlow(Action[ResumeArgs]):
    """Resume a paused Kestra execution (after a Garrison approval)."""

    name = "kestra_resume"
    title: ClassVar[dict[str, str]] = {"en": "Resume Kestra execution", "zh-CN": "继续 Kestra 流程"}
    args_model = ResumeArgs

    def plan(self, args: ResumeArgs, ctx: ActionContext) -> Outcome:
        """The state check and the resume request; nothing is sent."""
        path = KestraClient.execution_path(args.execution_id)
        with client(ctx) as kestra:
            effects = (
                Effect("http", kestra.describe("GET", path)),
                Effect("http", kestra.describe("POST", path + "/resume")),
            )
        return Outcome(f"would resume Kestra execution {args.execution_id}", effects=effects)

    def run(self, args: ResumeArgs, ctx: ActionContext) -> Outcome:
        """Resume the execution when it is paused; otherwise report its state unchanged.

        Raises:
            ActionError: No Kestra configured, an unknown execution, or a failed call.
        """
        path = KestraClient.execution_path(args.execution_id)
        with client(ctx) as kestra:
            execution = kestra.get(args.execution_id)
            effects = [Effect("http", kestra.describe("GET", path))]
            resumed = False
            if execution.state == "PAUSED":
                resumed = kestra.resume(args.execution_id, args.inputs)
                effects.append(Effect("http", kestra.describe("POST", path + "/resume")))
                if not resumed:  # someone resumed or killed it meanwhile (409)
                    execution = kestra.get(args.execution_id)
        output: dict[str, Any] = execution.to_json()
        if not resumed:
            return Outcome(
                f"Kestra execution {execution.id} is not paused ({execution.state})",
                output=output,
                effects=tuple(effects),
                changed=False,
            )
        # Kestra moves a resumed execution to RUNNING (the 204 says it accepted the resume).
        output["state"] = "RUNNING"
        return Outcome(
            f"resumed Kestra execution {execution.id}", output=output, effects=tuple(effects)
        )


ACTIONS = (StartFlow(), ResumeFlow())

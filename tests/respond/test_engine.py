"""The playbook engine on an in-memory journal, with small test actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from garrison.core.clock import FrozenClock
from garrison.core.errors import ActionError
from garrison.respond.actions import registry
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome, Undo
from garrison.respond.config import ResponseSettings
from garrison.respond.engine import Runtime, advance
from garrison.respond.expressions import Functions
from garrison.respond.loader import parse
from garrison.respond.playbook import Playbook
from garrison.respond.runs import MemoryJournal, RunRecord

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


class EchoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str
    fail: int = 0


class Echo(Action[EchoArgs]):
    """Runs ``echo <value>``; fails the first ``fail`` attempts of each value."""

    name = "test_echo"
    title: ClassVar[dict[str, str]] = {"en": "echo", "zh-CN": "回显"}
    args_model = EchoArgs
    undo_action = "test_echo"

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}

    def plan(self, args: EchoArgs, ctx: ActionContext) -> Outcome:
        return Outcome(f"would echo {args.value}", effects=(Effect.command(["echo", args.value]),))

    def run(self, args: EchoArgs, ctx: ActionContext) -> Outcome:
        seen = self.attempts.get(args.value, 0) + 1
        self.attempts[args.value] = seen
        if seen <= args.fail:
            raise ActionError(f"attempt {seen} failed", retryable=True)
        ctx.runner.run(["echo", args.value])
        return Outcome(
            f"echoed {args.value}",
            output={"value": args.value},
            effects=(Effect.command(["echo", args.value]),),
            undo=Undo("test_echo", {"value": f"undo {args.value}"}),
        )


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[Echo]:
    action = Echo()
    monkeypatch.setitem(registry.registry(), "test_echo", action)
    yield action


class Harness:
    def __init__(self) -> None:
        self.clock = FrozenClock(T0)
        self.journal = MemoryJournal()
        self.runner = RecordingRunner()
        self.runtime = Runtime(
            journal=self.journal,
            clock=self.clock,
            context=lambda run, step: ActionContext(
                ResponseSettings(), self.runner, self.clock, run_id=run.id, step=step
            ),
            functions=Functions(internal=("10.0.0.0/8",)),
        )

    def run(
        self,
        text: str,
        *,
        dry_run: bool = False,
        context: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> tuple[RunRecord, Playbook]:
        playbook, problems = parse(text, "test.yml")
        assert playbook is not None, problems
        run = RunRecord(
            id=1,
            playbook=playbook.id,
            revision="r",
            trigger="manual",
            subject=None,
            status="pending",
            dry_run=dry_run,
            inputs=inputs or {},
            context=context or {},
            created_by="test",
            created_at=T0,
        )
        return advance(run, playbook, self.runtime), playbook

    def statuses(self, run_id: int = 1) -> dict[tuple[str, int], str]:
        return {(r.step, r.item): r.status for r in self.journal.steps(run_id)}


HEADER = "id: t\ntitle: test\n"


def test_steps_run_in_order_and_read_earlier_outputs(echo: Echo) -> None:
    h = Harness()
    run, _ = h.run(
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: "${{ alert.source_ip }}"}
  - id: b
    action: test_echo
    args: {value: "got ${{ steps.a.output.value }}"}
""",
        context={"alert": {"source_ip": "203.0.113.7"}},
    )
    assert run.status == "succeeded"
    assert h.runner.calls == [("echo", "203.0.113.7"), ("echo", "got 203.0.113.7")]


def test_if_false_skips_and_needs_skip_dependants(echo: Echo) -> None:
    h = Harness()
    run, _ = h.run(
        HEADER
        + """
steps:
  - id: a
    if: is_internal(alert.source_ip)
    action: test_echo
    args: {value: x}
  - id: b
    needs: [a]
    action: test_echo
    args: {value: y}
  - id: c
    action: test_echo
    args: {value: z}
""",
        context={"alert": {"source_ip": "203.0.113.7"}},
    )
    assert run.status == "succeeded"
    assert h.statuses() == {("a", 0): "skipped", ("b", 0): "skipped", ("c", 0): "succeeded"}
    assert h.runner.calls == [("echo", "z")]


def test_for_each_runs_once_per_item(echo: Echo) -> None:
    h = Harness()
    run, _ = h.run(
        HEADER
        + """
steps:
  - id: each
    for_each: alert.users
    action: test_echo
    args: {value: "${{ string(index) }}:${{ item }}"}
""",
        context={"alert": {"users": ["a", "b", "c"]}},
    )
    assert run.status == "succeeded"
    assert h.runner.calls == [("echo", "0:a"), ("echo", "1:b"), ("echo", "2:c")]


def test_retry_waits_with_backoff_then_succeeds(echo: Echo) -> None:
    h = Harness()
    text = (
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: v, fail: 2}
    retry: {count: 2, backoff: 10s, factor: 3}
"""
    )
    run, playbook = h.run(text)
    assert run.status == "waiting" and run.wake_at == T0 + timedelta(seconds=10)
    h.clock.advance(timedelta(seconds=10))
    run = advance(run, playbook, h.runtime)
    assert run.status == "waiting" and run.wake_at == T0 + timedelta(seconds=40)
    h.clock.advance(timedelta(seconds=5))
    assert advance(run, playbook, h.runtime).status == "waiting"  # not yet due
    h.clock.advance(timedelta(seconds=25))
    run = advance(run, playbook, h.runtime)
    assert run.status == "succeeded"
    assert h.journal.steps(1)[0].attempts == 3


def test_retries_exhausted_fail_the_run_with_the_error(echo: Echo) -> None:
    h = Harness()
    run, playbook = h.run(
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: v, fail: 5}
    retry: {count: 1, backoff: 1s}
  - id: b
    action: test_echo
    args: {value: never}
"""
    )
    h.clock.advance(timedelta(seconds=1))
    run = advance(run, playbook, h.runtime)
    assert run.status == "failed" and "attempt 2 failed" in (run.error or "")
    assert ("b", 0) not in h.statuses()


def test_on_error_continue_and_undo_and_compensate(echo: Echo) -> None:
    h = Harness()
    run, _ = h.run(
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: one}
  - id: b
    action: test_echo
    args: {value: two, fail: 9}
    on_error: continue
  - id: c
    action: test_echo
    args: {value: three, fail: 9}
    on_error: undo
"""
    )
    assert run.status == "failed"
    assert h.statuses()[("b", 0)] == "failed"
    assert h.statuses()[("undo:a", 0)] == "succeeded"
    assert h.runner.calls[-1] == ("echo", "undo one")

    h = Harness()
    run, _ = h.run(
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: v, fail: 9}
    on_error: tidy
compensate:
  - id: tidy
    action: test_echo
    args: {value: "tidy after ${{ steps.a.status }}"}
"""
    )
    assert run.status == "failed"
    assert h.runner.calls == [("echo", "tidy after failed")]


def test_a_step_interrupted_by_a_crash_is_retried_not_lost(echo: Echo) -> None:
    h = Harness()
    text = (
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: v}
    retry: {count: 1, backoff: 1s}
"""
    )
    playbook, _ = parse(text, "t.yml")
    assert playbook is not None
    from garrison.respond.runs import StepRecord

    # A worker died after recording the attempt as running.
    h.journal.save_step(1, StepRecord("a", 0, "action", "test_echo", "running", 1, started_at=T0))
    run = RunRecord(
        id=1,
        playbook="t",
        revision="r",
        trigger="manual",
        subject=None,
        status="running",
        dry_run=False,
        inputs={},
        context={},
        created_by="test",
        created_at=T0,
    )
    run = advance(run, playbook, h.runtime)
    assert run.status == "succeeded"
    assert h.journal.steps(1)[0].attempts == 2

    h2 = Harness()
    h2.journal.save_step(1, StepRecord("a", 0, "action", "test_echo", "running", 2, started_at=T0))
    run = advance(replace_status(run, "running"), playbook, h2.runtime)
    assert run.status == "failed" and "interrupted" in (run.error or "")
    assert h2.runner.calls == []


def replace_status(run: RunRecord, status: Any) -> RunRecord:
    from dataclasses import replace

    return replace(run, status=status, finished_at=None, error=None)


APPROVAL = (
    HEADER
    + """
steps:
  - id: ok
    approval:
      message: "Block ${{ alert.source_ip }}?"
      approvers: {roles: [admin]}
      required: 2
      timeout: 1h
      on_timeout: %s
  - id: act
    action: test_echo
    args: {value: done}
"""
)


IP = {"alert": {"source_ip": "10.0.0.5"}}


def test_approval_waits_for_enough_approvals(echo: Echo) -> None:
    h = Harness()
    run, playbook = h.run(APPROVAL % "reject", context={"alert": {"source_ip": "10.0.0.5"}})
    assert run.status == "waiting" and run.wake_at == T0 + timedelta(hours=1)
    request = h.journal.approval(1, "ok")
    assert request is not None and request.message == "Block 10.0.0.5?"
    h.journal.decide(1, "ok", "ann", "approve", T0)
    assert advance(run, playbook, h.runtime).status == "waiting"
    h.journal.decide(1, "ok", "bob", "approve", T0)
    run = advance(run, playbook, h.runtime)
    assert run.status == "succeeded"
    assert h.runner.calls == [("echo", "done")]
    assert h.journal.steps(1)[0].output == {"approved_by": ["ann", "bob"], "timed_out": False}


def test_rejection_and_timeout_stop_the_run(echo: Echo) -> None:
    h = Harness()
    run, playbook = h.run(APPROVAL % "reject", context=IP)
    h.journal.decide(1, "ok", "ann", "reject", T0)
    run = advance(run, playbook, h.runtime)
    assert run.status == "rejected" and h.runner.calls == []

    h = Harness()
    run, playbook = h.run(APPROVAL % "reject", context=IP)
    h.clock.advance(timedelta(hours=1))
    run = advance(run, playbook, h.runtime)
    assert run.status == "rejected" and "timed out" in (run.error or "")

    h = Harness()
    run, playbook = h.run(APPROVAL % "approve", context=IP)
    h.clock.advance(timedelta(hours=1))
    run = advance(run, playbook, h.runtime)
    assert run.status == "succeeded" and h.runner.calls == [("echo", "done")]


def test_dry_run_plans_everything_and_changes_nothing(echo: Echo) -> None:
    h = Harness()
    run, _ = h.run(APPROVAL % "reject", dry_run=True)
    assert run.status == "succeeded"
    assert h.runner.calls == [] and echo.attempts == {}
    records = {r.step: r for r in h.journal.steps(1)}
    assert records["act"].effects == [
        {"kind": "command", "detail": "echo done", "argv": ["echo", "done"]}
    ]
    assert records["ok"].output == {"dry_run": True, "approved_by": []}


def test_bad_data_fails_the_step_without_retry(echo: Echo) -> None:
    h = Harness()
    run, _ = h.run(
        HEADER
        + """
steps:
  - id: a
    action: test_echo
    args: {value: "${{ alert.missing }}"}
    retry: {count: 3}
""",
        context={"alert": {}},
    )
    assert run.status == "failed" and "no field 'missing'" in (run.error or "")
    assert h.journal.steps(1)[0].attempts == 1

"""Advancing a playbook run, step by step, as far as it can go now.

:func:`advance` is called by the worker for every run that is due. It replays the stored step
records, so it can stop at any point (waiting for an approval or a retry, or a crash) and be
called again later: finished steps are never redone. A step found ``running`` was interrupted
by a stopped worker; it counts as a failed attempt ("interrupted") and is retried if its
``retry`` allows, so a step is retried or marked, never lost. Actions are written to be
idempotent (``block_ip`` checks its ledger), so a retry after a crash does no harm twice.

In a dry run every action is *planned* (no side effect), approvals count as given, and the
step records hold the exact commands and requests a real run would make.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from garrison.core.clock import Clock
from garrison.core.errors import ActionError, GarrisonError, InputError
from garrison.respond.actions import registry
from garrison.respond.actions.base import ActionContext, Outcome
from garrison.respond.expressions import ExpressionError, Functions, Scope
from garrison.respond.playbook import Playbook, Step
from garrison.respond.runs import FINISHED_STEP, Journal, RunRecord, RunStatus, StepRecord

#: A ``for_each`` list longer than this is refused: a playbook must not fan out unbounded.
MAX_ITEMS = 100
#: How long an action step may take when its ``timeout`` is not given.
DEFAULT_STEP_TIMEOUT = timedelta(minutes=10)


@dataclass
class Runtime:
    """What :func:`advance` works with.

    Attributes:
        journal: Where records are kept.
        clock: The platform clock.
        context: Builds an action's context for ``(run, step id)``.
        functions: The networks behind ``is_internal`` / ``never_block``.
        approval_timeout: Default wait of an approval step.
    """

    journal: Journal
    clock: Clock
    context: Callable[[RunRecord, str], ActionContext]
    functions: Functions
    approval_timeout: timedelta = timedelta(hours=4)


#: :meth:`_Advance.skip_reason`'s answer when evaluating the condition failed the step.
_FAILED = "\x00failed"


class _StopRunError(Exception):
    """The run cannot go on: ``status`` is ``failed`` or ``rejected``."""

    def __init__(self, status: RunStatus, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class _WaitError(Exception):
    """The run waits until ``until`` (a retry) or a decision (an approval)."""

    def __init__(self, until: datetime | None) -> None:
        super().__init__("wait")
        self.until = until


def _scope(run: RunRecord, records: dict[tuple[str, int], StepRecord], rt: Runtime) -> Scope:
    steps: dict[str, Any] = {}
    for (step_id, _item), record in sorted(records.items(), key=lambda kv: kv[0][1]):
        entry = steps.setdefault(step_id, {"status": record.status, "outputs": []})
        entry["outputs"].append(record.output or {})
        entry["output"] = record.output or {}
        if record.status != "succeeded" and record.status != "skipped":
            entry["status"] = record.status
    variables = dict(run.context)
    variables.update(
        inputs=run.inputs,
        steps=steps,
        run={"id": run.id, "playbook": run.playbook, "dry_run": run.dry_run},
        now=rt.clock.now().isoformat().replace("+00:00", "Z"),
    )
    for root in ("alert", "event", "incident"):
        variables.setdefault(root, {})
    return Scope(variables, rt.functions)


def _call(step: Step, outcome_of: Callable[[], Outcome]) -> Outcome:
    """Run an action with the step's timeout (a worker thread; it cannot be killed, only left)."""
    limit = (step.timeout or DEFAULT_STEP_TIMEOUT).total_seconds()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(outcome_of).result(timeout=limit)
    except concurrent.futures.TimeoutError:
        raise ActionError(f"step did not finish within {limit:g} s", retryable=True) from None
    finally:
        pool.shutdown(wait=False)


class _Advance:
    """One pass over a run (see :func:`advance`)."""

    def __init__(self, run: RunRecord, playbook: Playbook, rt: Runtime) -> None:
        self.run = run
        self.playbook = playbook
        self.rt = rt
        self.records = {(r.step, r.item): r for r in rt.journal.steps(run.id)}

    def save(self, record: StepRecord) -> None:
        self.records[(record.step, record.item)] = record
        self.rt.journal.save_step(self.run.id, record)

    def step_status(self, step_id: str) -> str | None:
        found = [r for (s, _i), r in self.records.items() if s == step_id]
        if not found:
            return None
        if any(r.status == "failed" for r in found):
            return "failed"
        if all(r.status == "skipped" for r in found):
            return "skipped"
        if all(r.status in ("succeeded", "skipped") for r in found):
            return "succeeded"
        return "running"

    # -- one step ---------------------------------------------------------------------------

    def do_step(self, step: Step) -> None:
        """Bring ``step`` to an end, or raise :class:`_WaitError` / :class:`_StopRunError`."""
        now = self.rt.clock.now()
        if (step.id, 0) not in self.records:
            reason = self.skip_reason(step)
            if reason is _FAILED:
                return None
            if reason is not None:
                self.save(
                    StepRecord(
                        step.id,
                        0,
                        step.kind,
                        step.action,
                        "skipped",
                        error=reason,
                        started_at=now,
                        finished_at=now,
                    )
                )
                return None
        if self.step_status(step.id) == "skipped":
            return None
        if step.approval is not None:
            return self.approval(step)
        for index, item in enumerate(self.items(step)):
            self.attempt(step, index, item)
        return self.after(step)

    def skip_reason(self, step: Step) -> str | None:
        """Why ``step`` is skipped (``None``: it runs; :data:`_FAILED`: its condition failed)."""
        for need in step.needs:
            if self.step_status(need) != "succeeded":
                return f"needs {need!r}, which did not succeed"
        if step.if_ is not None:
            try:
                if not _scope(self.run, self.records, self.rt).truth(step.if_):
                    return "condition is false"
            except ExpressionError as exc:
                self.fail_step(step, 0, exc.message)
                return _FAILED
        return None

    def items(self, step: Step) -> list[Any]:
        """The items of a ``for_each`` (``[None]`` without one; ``[]`` when it failed)."""
        if step.for_each is None:
            return [None]
        try:
            value = _scope(self.run, self.records, self.rt).evaluate(step.for_each)
        except ExpressionError as exc:
            self.fail_step(step, 0, exc.message)
            return []
        if not isinstance(value, list):
            self.fail_step(step, 0, f"for_each gave {type(value).__name__}, not a list")
            return []
        if len(value) > MAX_ITEMS:
            self.fail_step(step, 0, f"for_each gave {len(value)} items (at most {MAX_ITEMS})")
            return []
        if not value and (step.id, 0) not in self.records:
            now = self.rt.clock.now()
            self.save(
                StepRecord(
                    step.id,
                    0,
                    "action",
                    step.action,
                    "skipped",
                    error="for_each gave no item",
                    started_at=now,
                    finished_at=now,
                )
            )
        return list(value)

    def fail_step(self, step: Step, index: int, error: str) -> None:
        """Record a final failure and apply ``on_error`` (raises unless it says continue)."""
        now = self.rt.clock.now()
        old = self.records.get((step.id, index)) or StepRecord(
            step.id, index, step.kind, step.action
        )
        self.save(
            replace(
                old,
                status="failed",
                error=error,
                finished_at=now,
                wake_at=None,
                started_at=old.started_at or now,
            )
        )
        self.on_error(step, error)

    def on_error(self, step: Step, error: str) -> None:
        policy = step.on_error
        if policy == "continue":
            return
        if policy == "undo":
            self.undo_all()
        elif policy != "stop":
            self.compensate(policy)
        raise _StopRunError("failed", f"step {step.id!r} failed: {error}")

    def attempt(self, step: Step, index: int, item: Any) -> None:
        """Run one item of an action step until success, a wait, or a final failure."""
        assert step.action is not None  # noqa: S101 - action steps only
        record = self.records.get((step.id, index))
        now = self.rt.clock.now()
        if record is not None and record.status in FINISHED_STEP:
            return
        waiting = record is not None and record.status == "retrying" and record.wake_at
        if waiting and record is not None and record.wake_at and record.wake_at > now:
            raise _WaitError(record.wake_at)
        if record is not None and record.status == "running":
            # The worker stopped during this attempt: it counts as a failed attempt.
            record = replace(record, error="interrupted: the worker stopped during this step")
            if record.attempts > step.retry.count:
                self.fail_step(step, index, record.error or "interrupted")
                return
        attempts = (record.attempts if record else 0) + 1
        scope = _scope(self.run, self.records, self.rt)
        if step.for_each is not None:
            scope = scope.with_values(item=item, index=index)
        try:
            raw = scope.render(step.args)
            action = registry.get(step.action)
            args = action.parse(raw)
        except InputError as exc:  # bad data or expression: no retry can fix it
            self.save(
                StepRecord(
                    step.id, index, "action", step.action, "running", attempts, started_at=now
                )
            )
            self.fail_step(step, index, exc.message)
            return
        self.save(
            StepRecord(
                step.id,
                index,
                "action",
                step.action,
                "running",
                attempts,
                args=args.model_dump(mode="json"),
                started_at=now,
            )
        )
        context = self.rt.context(self.run, step.id)
        try:
            if self.run.dry_run:
                outcome = action.plan(args, context)
            else:
                outcome = _call(step, lambda: action.run(args, context))
        except GarrisonError as exc:
            if isinstance(exc, ActionError):
                retryable = exc.retryable
            else:
                retryable = not isinstance(exc, InputError)
            if retryable and attempts <= step.retry.count and not self.run.dry_run:
                wake = self.rt.clock.now() + step.retry.delay(attempts)
                self.save(
                    replace(
                        self.records[(step.id, index)],
                        status="retrying",
                        error=exc.message,
                        wake_at=wake,
                    )
                )
                raise _WaitError(wake) from None
            self.fail_step(step, index, exc.message)
            return
        done = self.rt.clock.now()
        self.save(
            replace(
                self.records[(step.id, index)],
                status="succeeded",
                output=outcome.output | {"summary": outcome.summary, "changed": outcome.changed},
                effects=[e.to_json() for e in outcome.effects],
                undo={"action": outcome.undo.action, "args": outcome.undo.args}
                if outcome.undo
                else None,
                error=None,
                finished_at=done,
                wake_at=None,
            )
        )

    def approval(self, step: Step) -> None:
        spec = step.approval
        assert spec is not None  # noqa: S101 - approval steps only
        now = self.rt.clock.now()
        if self.run.dry_run:
            self.save(
                StepRecord(
                    step.id,
                    0,
                    "approval",
                    None,
                    "succeeded",
                    1,
                    output={"dry_run": True, "approved_by": []},
                    effects=[{"kind": "record", "detail": "ask for approval"}],
                    started_at=now,
                    finished_at=now,
                )
            )
            return None
        try:
            message = str(_scope(self.run, self.records, self.rt).render(spec.message))
        except ExpressionError as exc:
            self.fail_step(step, 0, exc.message)
            return None
        timeout = spec.timeout or self.rt.approval_timeout
        request = self.rt.journal.request_approval(
            self.run.id,
            step.id,
            required=spec.required,
            approvers={"roles": list(spec.approvers.roles), "users": list(spec.approvers.users)},
            message=message[:2000],
            on_timeout=spec.on_timeout,
            due_at=now + timeout,
        )
        record = self.records.get((step.id, 0)) or StepRecord(
            step.id, 0, "approval", None, "waiting", 1, started_at=now
        )
        approvers = [d.actor for d in request.decisions if d.decision == "approve"]
        if request.status == "approved" or (
            request.status in ("waiting", "expired")
            and now >= request.due_at
            and spec.on_timeout == "approve"
        ):
            if request.status == "waiting":
                self.rt.journal.close_approval(request.id, "expired")
            timed_out = request.status != "approved"
            self.save(
                replace(
                    record,
                    status="succeeded",
                    finished_at=now,
                    output={"approved_by": approvers, "timed_out": timed_out},
                )
            )
            return self.after(step)
        if request.status == "rejected":
            rejecters = [d.actor for d in request.decisions if d.decision == "reject"]
            self.save(
                replace(
                    record,
                    status="failed",
                    finished_at=now,
                    error=f"rejected by {', '.join(rejecters) or 'someone'}",
                )
            )
            raise _StopRunError("rejected", f"approval {step.id!r} was rejected")
        if request.status in ("waiting", "expired") and now >= request.due_at:
            self.rt.journal.close_approval(request.id, "expired")
            self.save(
                replace(
                    record,
                    status="failed",
                    finished_at=now,
                    error="no decision before the deadline",
                )
            )
            raise _StopRunError("rejected", f"approval {step.id!r} timed out")
        if request.status == "cancelled":
            raise _StopRunError("cancelled", "the approval was cancelled")
        self.save(record)
        raise _WaitError(request.due_at)

    def after(self, step: Step) -> None:
        """Apply ``on_error`` once all items of ``step`` are finished and one failed."""
        if self.step_status(step.id) == "failed" and step.on_error != "continue":
            errors = [r.error for (s, _), r in self.records.items() if s == step.id and r.error]
            self.on_error(step, errors[0] if errors else "failed")

    # -- failure handling ---------------------------------------------------------------------

    def undo_all(self) -> None:
        """Reverse every succeeded action that has an undo, newest first (best effort)."""
        done = [r for r in self.records.values() if r.status == "succeeded" and r.undo]
        done.sort(key=lambda r: r.finished_at or self.rt.clock.now(), reverse=True)
        for record in done:
            key = (f"undo:{record.step}", record.item)
            if key in self.records and self.records[key].status in FINISHED_STEP:
                continue
            assert record.undo is not None  # noqa: S101 - filtered above
            now = self.rt.clock.now()
            name = str(record.undo["action"])
            base = StepRecord(
                key[0],
                record.item,
                "undo",
                name,
                "running",
                1,
                args=record.undo.get("args"),
                started_at=now,
            )
            self.save(base)
            try:
                action = registry.get(name)
                args = action.parse(record.undo.get("args") or {})
                context = self.rt.context(self.run, key[0])
                outcome = (
                    action.plan(args, context) if self.run.dry_run else action.run(args, context)
                )
            except GarrisonError as exc:
                self.save(
                    replace(
                        base, status="failed", error=exc.message, finished_at=self.rt.clock.now()
                    )
                )
                continue
            self.save(
                replace(
                    base,
                    status="succeeded",
                    output={"summary": outcome.summary},
                    effects=[e.to_json() for e in outcome.effects],
                    finished_at=self.rt.clock.now(),
                )
            )

    def compensate(self, step_id: str) -> None:
        step = self.playbook.step(step_id)
        # The run fails anyway; the compensate step's own record says what happened.
        with contextlib.suppress(_StopRunError):
            self.do_step(replace_on_error(step))

    # -- the whole run ----------------------------------------------------------------------

    def go(self) -> RunRecord:
        now = self.rt.clock.now()
        run = replace(
            self.run, status="running", started_at=self.run.started_at or now, wake_at=None
        )
        self.rt.journal.update_run(run)
        self.run = run
        try:
            for step in self.playbook.steps:
                self.do_step(step)
        except _WaitError as wait:
            run = replace(self.run, status="waiting", wake_at=wait.until)
        except _StopRunError as stop:
            run = replace(
                self.run,
                status=stop.status,
                error=stop.error,
                finished_at=self.rt.clock.now(),
                wake_at=None,
            )
        else:
            run = replace(
                self.run, status="succeeded", finished_at=self.rt.clock.now(), wake_at=None
            )
        self.rt.journal.update_run(run)
        return run


def replace_on_error(step: Step) -> Step:
    """A compensate step stops (it never chains to another compensation)."""
    return step.model_copy(update={"on_error": "stop"})


def advance(run: RunRecord, playbook: Playbook, rt: Runtime) -> RunRecord:
    """Take ``run`` as far as it can go now; return it with its new status.

    ``waiting`` runs carry ``wake_at`` (a retry's time or an approval's deadline; a decision
    may come sooner). Finished runs are returned unchanged.
    """
    if run.finished:
        return run
    return _Advance(run, playbook, rt).go()

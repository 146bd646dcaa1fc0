"""``kill_process``: send ``TERM`` or ``KILL`` to a process on this host.

A process id from an alert may have been reused by the time the playbook runs; with
``expect_name`` the action first reads ``/proc/<pid>/comm`` and refuses when the name does
not match, so a recycled id does not kill an innocent process. Garrison never signals
itself or its parent. There is no undo: a killed process stays killed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from garrison.core.errors import ActionError
from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome
from garrison.respond.actions.values import ProcessId, parse_pid

#: The kernel keeps at most 15 characters of a process name in ``comm``.
COMM_LENGTH = 15
ProcessName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


def _no_overflow(value: object) -> object:
    # parse_pid lets OverflowError escape for an infinite float, which pydantic does not turn
    # into a validation error; refuse it as a bad value here.
    try:
        return parse_pid(value)
    except OverflowError:
        raise ValueError("a process id is a finite number") from None


Pid = Annotated[ProcessId, BeforeValidator(_no_overflow)]


class KillArgs(BaseModel):
    """Arguments of ``kill_process``.

    Attributes:
        pid: The process id.
        signal: ``TERM`` (let it clean up) or ``KILL``.
        expect_name: The process name the alert saw; the kill is refused when the running
            process has another name (its id was reused).
    """

    model_config = ConfigDict(extra="forbid")

    pid: Pid
    signal: Literal["TERM", "KILL"] = "TERM"
    expect_name: ProcessName | None = None


def _argv(args: KillArgs) -> list[str]:
    return ["kill", "-s", args.signal, "--", str(args.pid)]


def _refuse_self(pid: int) -> None:
    if pid in (os.getpid(), os.getppid()):
        raise ActionError(f"process {pid} is Garrison itself or its parent: it is not killed")


class KillProcess(Action[KillArgs]):
    """Signal a process, after checking its name when one is expected."""

    name = "kill_process"
    title: ClassVar[dict[str, str]] = {"en": "Kill process", "zh-CN": "终止进程"}
    args_model = KillArgs
    changes_host = True

    def __init__(self, proc: Path = Path("/proc")) -> None:
        self.proc = proc

    def plan(self, args: KillArgs, ctx: ActionContext) -> Outcome:
        """The check and the command :meth:`run` would make (nothing is read)."""
        _refuse_self(args.pid)
        effects: list[Effect] = []
        if args.expect_name:
            line = f"check that {self.proc}/{args.pid}/comm is {args.expect_name[:COMM_LENGTH]}"
            effects.append(Effect("record", line))
        effects.append(Effect.command(_argv(args)))
        return Outcome(
            f"would send {args.signal} to process {args.pid}",
            output={"pid": args.pid, "signal": args.signal, "argv": _argv(args)},
            effects=tuple(effects),
        )

    def run(self, args: KillArgs, ctx: ActionContext) -> Outcome:
        """Check the name (when expected) and send the signal.

        Raises:
            ActionError: The process is gone, has another name, or could not be signalled.
        """
        _refuse_self(args.pid)
        name = None
        if args.expect_name:
            name = self._comm(args.pid)
            if name != args.expect_name[:COMM_LENGTH]:
                raise ActionError(
                    f"process {args.pid} is {name!r}, not {args.expect_name!r}: not killed",
                    hint="the process id was probably reused by another program",
                )
        argv = _argv(args)
        done = ctx.runner.run(argv, timeout=ctx.settings.command_timeout_seconds)
        if not done.ok:
            text = (done.stderr or done.stdout).strip().replace("\n", " ")[:300]
            if "No such process" in text:
                raise ActionError(f"no process {args.pid} (it has already ended)")
            raise ActionError(f"kill failed (exit {done.returncode}): {text or 'no message'}")
        return Outcome(
            f"sent {args.signal} to process {args.pid}",
            output={"pid": args.pid, "signal": args.signal, "name": name, "argv": argv},
            effects=(Effect.command(argv),),
        )

    def _comm(self, pid: int) -> str:
        try:
            raw = (self.proc / str(pid) / "comm").read_bytes()
        except FileNotFoundError:
            raise ActionError(f"no process {pid} (it has already ended)") from None
        except OSError as exc:
            raise ActionError(f"cannot read the name of process {pid}: {exc.strerror}") from None
        return raw.decode("utf-8", "replace").rstrip("\n")


ACTION = KillProcess()

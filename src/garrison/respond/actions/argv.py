"""Running host commands as argument vectors, never through a shell.

Every host-changing action builds an ``argv`` list from validated values and hands it to a
:class:`CommandRunner`. The real runner calls :func:`subprocess.run` with ``shell=False`` and
an absolute program path; tests use :class:`RecordingRunner`, which records the argv and
answers from a script, so the exact commands are asserted without touching the host.
"""

from __future__ import annotations

import shutil
import subprocess  # argv lists only, never shell=True
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from garrison.core.errors import ActionError

#: Environment of host commands: a fixed PATH and the C locale, so output parses the same
#: everywhere and nothing from the server's environment (proxies, secrets) leaks to them.
COMMAND_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}


@dataclass(frozen=True)
class Completed:
    """What a command did.

    Attributes:
        argv: The argument vector that ran.
        returncode: Its exit status.
        stdout / stderr: Its output, decoded as UTF-8 with replacement.
    """

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        """Whether the command exited with status 0."""
        return self.returncode == 0


class CommandRunner(Protocol):
    """Runs one argument vector and reports what happened."""

    def run(
        self, argv: Sequence[str], *, stdin: bytes | None = None, timeout: float = 30.0
    ) -> Completed:
        """Run ``argv`` (no shell) and wait at most ``timeout`` seconds.

        Raises:
            ActionError: The program is missing (not retryable) or timed out (retryable).
        """
        ...


def _check(argv: Sequence[str]) -> tuple[str, ...]:
    if not argv or not all(isinstance(a, str) for a in argv):
        raise ActionError("a command is a non-empty list of strings")
    if any("\x00" in a for a in argv):
        raise ActionError("a command argument holds a NUL byte")
    return tuple(argv)


class SubprocessRunner:
    """The real runner: :func:`subprocess.run` with ``shell=False`` and a fixed environment."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = dict(env or COMMAND_ENV)

    def run(
        self, argv: Sequence[str], *, stdin: bytes | None = None, timeout: float = 30.0
    ) -> Completed:
        """Run ``argv`` with its program resolved on the fixed PATH (see :class:`CommandRunner`)."""
        args = _check(argv)
        program = shutil.which(args[0], path=self.env["PATH"])
        if program is None:
            raise ActionError(
                f"{args[0]} is not installed on this host",
                hint="install it or choose another tool in the [response] settings",
            )
        try:
            done = subprocess.run(  # noqa: S603 - argv list from validated values, no shell
                [program, *args[1:]],
                input=stdin,
                capture_output=True,
                timeout=timeout,
                env=self.env,
                check=False,
                shell=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ActionError(f"{args[0]} did not finish in {timeout:g} s", retryable=True) from exc
        except OSError as exc:
            raise ActionError(f"{args[0]} could not start: {exc.strerror}") from exc
        return Completed(
            args,
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )


Responder = Callable[[tuple[str, ...], bytes | None], Completed | None]


@dataclass
class RecordingRunner:
    """A runner for tests and dry runs: records every argv and runs nothing.

    Attributes:
        calls: Every argv in the order it was asked for.
        inputs: The standard input given with each call (``None`` when there was none).
        respond: Optional function answering a call; ``None`` from it (or no function) means
            success with empty output.
    """

    calls: list[tuple[str, ...]] = field(default_factory=list)
    inputs: list[bytes | None] = field(default_factory=list)
    respond: Responder | None = None

    def run(
        self, argv: Sequence[str], *, stdin: bytes | None = None, timeout: float = 30.0
    ) -> Completed:
        """Record ``argv`` and answer it (see :class:`CommandRunner`)."""
        args = _check(argv)
        self.calls.append(args)
        self.inputs.append(stdin)
        answer = self.respond(args, stdin) if self.respond is not None else None
        return answer if answer is not None else Completed(args, 0)

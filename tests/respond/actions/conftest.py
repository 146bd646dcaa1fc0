"""Shared pieces of the host action tests: a scripted runner, a ledger and a context."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from garrison.core.clock import FrozenClock
from garrison.respond.actions.argv import Completed, RecordingRunner
from garrison.respond.actions.base import ActionContext, Ports
from garrison.respond.actions.memory import MemoryBlockLedger
from garrison.respond.config import ResponseSettings

Answers = dict[tuple[str, ...], tuple[int, str, str]]


def scripted(answers: Answers | None = None) -> RecordingRunner:
    """A recording runner answering exact argv tuples with ``(returncode, stdout, stderr)``."""
    table = dict(answers or {})

    def respond(argv: tuple[str, ...], _stdin: bytes | None) -> Completed | None:
        if argv in table:
            code, out, err = table[argv]
            return Completed(argv, code, out, err)
        return None

    return RecordingRunner(respond=respond)


MakeContext = Callable[..., ActionContext]


@pytest.fixture
def ledger() -> MemoryBlockLedger:
    """An empty block ledger."""
    return MemoryBlockLedger()


@pytest.fixture
def make_ctx(clock: FrozenClock, ledger: MemoryBlockLedger, tmp_path: Path) -> MakeContext:
    """Builds a context: ``make_ctx(runner, settings=..., ports=..., **fields)``."""

    def build(
        runner: Any,
        *,
        settings: ResponseSettings | None = None,
        ports: Ports | None = None,
        **fields: Any,
    ) -> ActionContext:
        return ActionContext(
            settings=settings or ResponseSettings(),
            runner=runner,
            clock=clock,
            ports=ports if ports is not None else Ports(blocks=ledger),
            home=tmp_path / "home",
            actor="playbook:test",
            run_id=fields.pop("run_id", 7),
            step=fields.pop("step", "s1"),
            **fields,
        )

    return build

"""kill_process: exact argv, the pid-reuse guard, self-protection and one real kill."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.argv import SubprocessRunner
from garrison.respond.actions.process import ACTION, KillProcess

from .conftest import MakeContext, scripted


def fake_proc(tmp_path: Path, pid: int, comm: str) -> KillProcess:
    (tmp_path / "proc" / str(pid)).mkdir(parents=True)
    (tmp_path / "proc" / str(pid) / "comm").write_text(comm + "\n")
    return KillProcess(proc=tmp_path / "proc")


def test_term_by_default(make_ctx: MakeContext) -> None:
    runner = scripted()
    outcome = ACTION.run(ACTION.parse({"pid": "4242"}), make_ctx(runner))
    assert runner.calls == [("kill", "-s", "TERM", "--", "4242")]
    assert outcome.undo is None
    assert outcome.output == {
        "pid": 4242,
        "signal": "TERM",
        "name": None,
        "argv": ["kill", "-s", "TERM", "--", "4242"],
    }


def test_kill_signal_after_a_matching_name(make_ctx: MakeContext, tmp_path: Path) -> None:
    action = fake_proc(tmp_path, 4242, "xmrig")
    runner = scripted()
    args = action.parse({"pid": 4242, "signal": "KILL", "expect_name": "xmrig"})
    assert action.run(args, make_ctx(runner)).output["name"] == "xmrig"
    assert runner.calls == [("kill", "-s", "KILL", "--", "4242")]


def test_long_names_compare_on_the_kernels_15_characters(
    make_ctx: MakeContext, tmp_path: Path
) -> None:
    action = fake_proc(tmp_path, 4242, "kworker-helper-")
    runner = scripted()
    action.run(
        action.parse({"pid": 4242, "expect_name": "kworker-helper-daemon"}), make_ctx(runner)
    )
    assert len(runner.calls) == 1


def test_a_reused_pid_is_not_killed(make_ctx: MakeContext, tmp_path: Path) -> None:
    action = fake_proc(tmp_path, 4242, "postgres")
    runner = scripted()
    with pytest.raises(ActionError, match="is 'postgres', not 'xmrig': not killed") as info:
        action.run(action.parse({"pid": 4242, "expect_name": "xmrig"}), make_ctx(runner))
    assert "reused" in (info.value.hint or "")
    assert runner.calls == []


def test_a_gone_process_with_an_expected_name(make_ctx: MakeContext, tmp_path: Path) -> None:
    action = KillProcess(proc=tmp_path)
    runner = scripted()
    with pytest.raises(ActionError, match="already ended"):
        action.run(action.parse({"pid": 4242, "expect_name": "xmrig"}), make_ctx(runner))
    assert runner.calls == []


def test_kill_reporting_no_such_process(make_ctx: MakeContext) -> None:
    argv = ("kill", "-s", "TERM", "--", "4242")
    runner = scripted({argv: (1, "", "kill: (4242): No such process\n")})
    with pytest.raises(ActionError, match="already ended"):
        ACTION.run(ACTION.parse({"pid": 4242}), make_ctx(runner))
    runner = scripted({argv: (1, "", "kill: (4242): Operation not permitted\n")})
    with pytest.raises(ActionError, match="Operation not permitted"):
        ACTION.run(ACTION.parse({"pid": 4242}), make_ctx(runner))


@pytest.mark.parametrize("which", ["self", "parent"])
def test_garrison_and_its_parent_are_refused(make_ctx: MakeContext, which: str) -> None:
    pid = os.getpid() if which == "self" else os.getppid()  # ids stable across xdist workers
    runner = scripted()
    ctx = make_ctx(runner)
    for call in (ACTION.run, ACTION.plan):
        with pytest.raises(ActionError, match="Garrison itself"):
            call(ACTION.parse({"pid": pid}), ctx)
    assert runner.calls == []


def test_plan_reads_and_runs_nothing(make_ctx: MakeContext, tmp_path: Path) -> None:
    runner = scripted()
    action = KillProcess(proc=tmp_path)  # no such process there: plan does not look
    outcome = action.plan(action.parse({"pid": 77, "expect_name": "nc"}), make_ctx(runner))
    assert [e.kind for e in outcome.effects] == ["record", "command"]
    assert outcome.effects[1].argv == ("kill", "-s", "TERM", "--", "77")
    assert runner.calls == []


@pytest.mark.parametrize(
    "raw",
    [
        {"pid": 0},
        {"pid": 1},
        {"pid": -5},
        {"pid": "12; reboot"},
        {"pid": True},
        {"pid": 99, "signal": "HUP"},
        {"pid": 99, "signal": "-9"},
        {"pid": 99, "expect_name": "a b"},
        {"pid": 99, "expect_name": "sshd\n"},
        {"pid": 99, "expect_name": ""},
        {"pid": 99, "expect_name": "x" * 65},
        {"pid": 99, "user": "root"},
    ],
)
def test_bad_arguments(raw: dict[str, object]) -> None:
    with pytest.raises(InputError):
        ACTION.parse(raw)


@pytest.mark.integration
def test_a_real_sleep_is_killed(make_ctx: MakeContext) -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        # Popen returns after the fork, maybe before the exec: until then the child is "python".
        comm = Path(f"/proc/{child.pid}/comm")
        deadline = time.monotonic() + 10
        while comm.read_text().strip() != "sleep":
            assert time.monotonic() < deadline, "the child never became sleep"
            time.sleep(0.01)
        ctx = make_ctx(SubprocessRunner())
        args = ACTION.parse({"pid": child.pid, "signal": "KILL", "expect_name": "sleep"})
        outcome = ACTION.run(args, ctx)
        assert child.wait(timeout=5) == -9
        assert outcome.output["name"] == "sleep"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

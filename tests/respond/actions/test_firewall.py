"""block_ip / unblock_ip / expire_blocks: exact commands per backend, ledger and expiry."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.argv import Completed, SubprocessRunner
from garrison.respond.actions.base import ActionContext, ActiveBlock, Ports, Undo
from garrison.respond.actions.firewall import BLOCK, UNBLOCK, expire_blocks
from garrison.respond.actions.memory import MemoryBlockLedger
from garrison.respond.config import ResponseSettings

from .conftest import MakeContext, scripted

IP = "203.0.113.7"
PROBE = ("nft", "list", "set", "inet", "garrison", "blocklist4")
MISSING = (1, "", "Error: No such file or directory\nlist set inet garrison blocklist4\n")
SCRIPT = b"""table inet garrison {
\tset blocklist4 {
\t\ttype ipv4_addr
\t\tflags timeout
\t}
\tset blocklist6 {
\t\ttype ipv6_addr
\t\tflags timeout
\t}
\tchain input {
\t\ttype filter hook input priority -10; policy accept;
\t\tip saddr @blocklist4 drop
\t\tip6 saddr @blocklist6 drop
\t}
}
"""


def nft_add(ip: str = IP, seconds: int = 86400, family: int = 4) -> tuple[str, ...]:
    element = f"{{ {ip} timeout {seconds}s }}"
    return ("nft", "add", "element", "inet", "garrison", f"blocklist{family}", element)


def nft_delete(ip: str = IP, family: int = 4) -> tuple[str, ...]:
    return ("nft", "delete", "element", "inet", "garrison", f"blocklist{family}", f"{{ {ip} }}")


def ipt(op: str, ip: str = IP, program: str = "iptables") -> tuple[str, ...]:
    return (program, "-w", op, "INPUT", "-s", ip, "-j", "DROP")


IPTABLES = ResponseSettings(firewall="iptables")
FIREWALLD = ResponseSettings(firewall="firewalld")
RULE4 = f'rule family="ipv4" source address="{IP}" drop'


# -- nftables -----------------------------------------------------------------------------------


def test_first_block_creates_the_table_then_adds_the_element(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    runner = scripted({PROBE: MISSING})
    ctx = make_ctx(runner)
    outcome = BLOCK.run(BLOCK.parse({"address": IP, "reason": "ssh brute force"}), ctx)
    assert runner.calls == [PROBE, ("nft", "-f", "-"), nft_add()]
    assert runner.inputs == [None, SCRIPT, None]
    expires = clock.now() + timedelta(hours=24)
    assert ledger.blocks[IP] == ActiveBlock(
        IP, "nftables", expires, "ssh brute force", run_id=7, created_at=clock.now()
    )
    assert outcome.changed
    assert outcome.undo == Undo("unblock_ip", {"address": IP})
    assert outcome.output == {
        "address": IP,
        "backend": "nftables",
        "expires_at": expires.isoformat(),
        "argv": [list(PROBE), ["nft", "-f", "-"], list(nft_add())],
    }
    assert [e.argv for e in outcome.effects] == [PROBE, ("nft", "-f", "-"), nft_add()]


def test_existing_table_is_left_alone_and_ipv6_goes_to_set6(make_ctx: MakeContext) -> None:
    runner = scripted()
    outcome = BLOCK.run(
        BLOCK.parse({"address": "2001:DB8::0:1", "duration": "90m"}), make_ctx(runner)
    )
    assert runner.calls == [PROBE, nft_add("2001:db8::1", 5400, family=6)]
    assert outcome.output["address"] == "2001:db8::1"


def test_same_alert_twice_runs_the_commands_once(make_ctx: MakeContext, clock: FrozenClock) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    BLOCK.run(BLOCK.parse({"address": IP}), ctx)
    again = BLOCK.run(BLOCK.parse({"address": IP}), ctx)
    clock.advance(timedelta(hours=2))  # gains 2 h of 24: under a tenth, not worth extending
    third = BLOCK.run(BLOCK.parse({"address": IP}), ctx)
    assert runner.calls == [PROBE, nft_add()]
    for outcome in (again, third):
        assert not outcome.changed
        assert outcome.undo is None
        assert outcome.output["argv"] == []
    clock.advance(timedelta(hours=1))  # now 3 h later than the recorded expiry: extended
    assert BLOCK.run(BLOCK.parse({"address": IP}), ctx).changed
    assert runner.calls[2:] == [nft_delete(), PROBE, nft_add()]


def test_a_later_expiry_extends_the_block_by_delete_and_re_add(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    start = clock.now()
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "1h"}), ctx)
    clock.advance(timedelta(minutes=30))
    outcome = BLOCK.run(BLOCK.parse({"address": IP, "duration": "2h"}), make_ctx(runner, run_id=8))
    assert runner.calls == [
        PROBE,
        nft_add(seconds=3600),
        nft_delete(),
        PROBE,
        nft_add(seconds=7200),
    ]
    block = ledger.blocks[IP]
    assert block.expires_at == clock.now() + timedelta(hours=2)
    assert block.created_at == start
    assert block.run_id == 8
    assert outcome.changed
    assert outcome.summary.startswith("extended the block of")


def test_a_shorter_duration_does_not_shorten_a_live_block(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "2d"}), ctx)
    outcome = BLOCK.run(BLOCK.parse({"address": IP, "duration": "1h"}), ctx)
    assert len(runner.calls) == 2
    assert not outcome.changed
    assert ledger.blocks[IP].expires_at == clock.now() + timedelta(days=2)


def test_an_expired_ledger_entry_is_blocked_anew(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "60s"}), ctx)
    clock.advance(timedelta(minutes=5))
    outcome = BLOCK.run(BLOCK.parse({"address": IP, "duration": "60s"}), ctx)
    assert runner.calls == [PROBE, nft_add(seconds=60), PROBE, nft_add(seconds=60)]
    assert outcome.changed
    assert ledger.blocks[IP].created_at == clock.now()


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "169.254.1.1", "fe80::9"]
)
def test_never_block_is_refused_in_run_and_plan(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, address: str
) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    args = BLOCK.parse({"address": address})
    for call in (BLOCK.run, BLOCK.plan):
        with pytest.raises(ActionError, match="never_block") as info:
            call(args, ctx)
        assert not info.value.retryable
    assert runner.calls == []
    assert ledger.blocks == {}


def test_configured_never_block_network(make_ctx: MakeContext) -> None:
    settings = ResponseSettings(never_block=["10.0.0.0/8", "2001:db8::/32"])
    runner = scripted()
    ctx = make_ctx(runner, settings=settings)
    for address in ("10.1.2.3", "2001:db8::5", "::ffff:10.0.0.1"):
        with pytest.raises(ActionError, match="never_block"):
            BLOCK.run(BLOCK.parse({"address": address}), ctx)
    BLOCK.run(BLOCK.parse({"address": "127.0.0.1"}), ctx)  # the defaults were replaced
    assert runner.calls[-1] == nft_add("127.0.0.1")


def test_a_failing_add_raises_and_records_nothing(
    make_ctx: MakeContext, ledger: MemoryBlockLedger
) -> None:
    # nft echoes the command: "blocklist4" must not read as a lock problem (not retryable).
    stderr = "Error: Could not process rule: Operation not permitted\nadd element inet garrison blocklist4"
    runner = scripted({nft_add(): (1, "", stderr)})
    with pytest.raises(ActionError, match="Operation not permitted") as info:
        BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner))
    assert not info.value.retryable
    assert ledger.blocks == {}


def test_a_busy_kernel_is_retryable(make_ctx: MakeContext) -> None:
    runner = scripted(
        {nft_add(): (1, "", "Error: Could not process rule: Device or resource busy")}
    )
    with pytest.raises(ActionError) as info:
        BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner))
    assert info.value.retryable


def test_failing_table_creation_stops_the_block(make_ctx: MakeContext) -> None:
    runner = scripted({PROBE: MISSING, ("nft", "-f", "-"): (1, "", "Error: permission denied")})
    with pytest.raises(ActionError, match="creating the nftables table"):
        BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner))
    assert runner.calls == [PROBE, ("nft", "-f", "-")]


def test_unblock_deletes_and_releases(make_ctx: MakeContext, ledger: MemoryBlockLedger) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    BLOCK.run(BLOCK.parse({"address": IP}), ctx)
    outcome = UNBLOCK.run(UNBLOCK.parse({"address": IP}), ctx)
    assert runner.calls[-1] == nft_delete()
    assert ledger.blocks == {}
    assert outcome.output["argv"] == [list(nft_delete())]


@pytest.mark.parametrize(
    "stderr",
    [
        "Error: Could not process rule: No such file or directory",
        "Error: element does not exist",
    ],
)
def test_unblock_tolerates_an_element_already_gone(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, stderr: str
) -> None:
    ledger.record(ActiveBlock(IP, "nftables", None))
    runner = scripted({nft_delete(): (1, "", stderr)})
    UNBLOCK.run(UNBLOCK.parse({"address": IP}), make_ctx(runner))
    assert runner.calls == [nft_delete()]
    assert ledger.blocks == {}


def test_unblock_reports_other_failures(make_ctx: MakeContext, ledger: MemoryBlockLedger) -> None:
    ledger.record(ActiveBlock(IP, "nftables", None))
    runner = scripted({nft_delete(): (1, "", "Error: Operation not permitted")})
    with pytest.raises(ActionError, match="Operation not permitted"):
        UNBLOCK.run(UNBLOCK.parse({"address": IP}), make_ctx(runner))
    assert IP in ledger.blocks


# -- iptables -----------------------------------------------------------------------------------


def test_iptables_checks_then_inserts(make_ctx: MakeContext, ledger: MemoryBlockLedger) -> None:
    runner = scripted({ipt("-C"): (1, "", "iptables: Bad rule (does a matching rule exist?)")})
    outcome = BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner, settings=IPTABLES))
    assert runner.calls == [ipt("-C"), ipt("-I")]
    assert ledger.blocks[IP].backend == "iptables"
    assert outcome.output["backend"] == "iptables"


def test_iptables_rule_already_present_is_not_inserted_again(make_ctx: MakeContext) -> None:
    runner = scripted()  # -C succeeds: the rule exists
    BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner, settings=IPTABLES))
    assert runner.calls == [ipt("-C")]


def test_ip6tables_for_ipv6_and_a_custom_chain(make_ctx: MakeContext) -> None:
    settings = ResponseSettings(firewall="iptables", iptables_chain="GARRISON-IN")
    ip6 = "2001:db8::7"
    check = ("ip6tables", "-w", "-C", "GARRISON-IN", "-s", ip6, "-j", "DROP")
    runner = scripted({check: (1, "", "ip6tables: Bad rule")})
    BLOCK.run(BLOCK.parse({"address": ip6}), make_ctx(runner, settings=settings))
    assert runner.calls == [
        check,
        ("ip6tables", "-w", "-I", "GARRISON-IN", "-s", ip6, "-j", "DROP"),
    ]


def test_iptables_extension_only_updates_the_ledger(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    runner = scripted({ipt("-C"): (1, "", "")})
    ctx = make_ctx(runner, settings=IPTABLES)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "1h"}), ctx)
    outcome = BLOCK.run(BLOCK.parse({"address": IP, "duration": "3h"}), ctx)
    assert runner.calls == [ipt("-C"), ipt("-I")]
    assert outcome.changed
    assert ledger.blocks[IP].expires_at == clock.now() + timedelta(hours=3)


def test_iptables_unblock_checks_then_deletes(
    make_ctx: MakeContext, ledger: MemoryBlockLedger
) -> None:
    ledger.record(ActiveBlock(IP, "iptables", None))
    runner = scripted()
    UNBLOCK.run(UNBLOCK.parse({"address": IP}), make_ctx(runner))  # settings say nftables
    assert runner.calls == [ipt("-C"), ipt("-D")]
    assert ledger.blocks == {}


def test_iptables_unblock_of_a_missing_rule_deletes_nothing(make_ctx: MakeContext) -> None:
    runner = scripted({ipt("-C"): (1, "", "iptables: Bad rule")})
    UNBLOCK.run(UNBLOCK.parse({"address": IP}), make_ctx(runner, settings=IPTABLES))
    assert runner.calls == [ipt("-C")]


def test_iptables_lock_contention_is_retryable(make_ctx: MakeContext) -> None:
    runner = scripted({ipt("-C"): (1, "", ""), ipt("-I"): (4, "", "Another app holds it")})
    with pytest.raises(ActionError) as info:
        BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner, settings=IPTABLES))
    assert info.value.retryable


# -- firewalld ----------------------------------------------------------------------------------


def test_firewalld_adds_a_timed_rich_rule(make_ctx: MakeContext) -> None:
    runner = scripted()
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "1h"}), make_ctx(runner, settings=FIREWALLD))
    assert runner.calls == [("firewall-cmd", f"--add-rich-rule={RULE4}", "--timeout=3600")]


def test_firewalld_ipv6_rule_and_removal(make_ctx: MakeContext) -> None:
    runner = scripted()
    ctx = make_ctx(runner, settings=FIREWALLD)
    BLOCK.run(BLOCK.parse({"address": "2001:db8::7"}), ctx)
    UNBLOCK.run(UNBLOCK.parse({"address": "2001:db8::7"}), ctx)
    rule = 'rule family="ipv6" source address="2001:db8::7" drop'
    assert runner.calls == [
        ("firewall-cmd", f"--add-rich-rule={rule}", "--timeout=86400"),
        ("firewall-cmd", f"--remove-rich-rule={rule}"),
    ]


def test_firewalld_extension_re_adds_with_the_new_timeout(make_ctx: MakeContext) -> None:
    runner = scripted()
    ctx = make_ctx(runner, settings=FIREWALLD)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "1h"}), ctx)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "2h"}), ctx)
    assert runner.calls[1:] == [
        ("firewall-cmd", f"--remove-rich-rule={RULE4}"),
        ("firewall-cmd", f"--add-rich-rule={RULE4}", "--timeout=7200"),
    ]


def test_firewalld_not_enabled_on_removal_is_fine(make_ctx: MakeContext) -> None:
    remove = ("firewall-cmd", f"--remove-rich-rule={RULE4}")
    runner = scripted({remove: (12, "", "Warning: NOT_ENABLED")})
    UNBLOCK.run(UNBLOCK.parse({"address": IP}), make_ctx(runner, settings=FIREWALLD))
    runner = scripted({remove: (252, "", "FirewallD is not running")})
    with pytest.raises(ActionError, match="not running"):
        UNBLOCK.run(UNBLOCK.parse({"address": IP}), make_ctx(runner, settings=FIREWALLD))


# -- expiry -------------------------------------------------------------------------------------


def test_expire_blocks_lifts_due_blocks_once(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    runner = scripted()
    ctx = make_ctx(runner)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "1h"}), ctx)
    BLOCK.run(BLOCK.parse({"address": "198.51.100.9", "duration": "3h"}), ctx)
    runner.calls.clear()
    assert expire_blocks(ctx) == []
    clock.advance(timedelta(hours=1, seconds=1))
    assert expire_blocks(ctx) == [IP]
    assert runner.calls == [nft_delete()]
    assert expire_blocks(ctx) == []
    assert runner.calls == [nft_delete()]
    assert list(ledger.blocks) == ["198.51.100.9"]


def test_expiry_uses_the_backend_that_placed_the_block(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    past = clock.now() - timedelta(seconds=1)
    ledger.record(ActiveBlock(IP, "iptables", past))
    runner = scripted()
    assert expire_blocks(make_ctx(runner)) == [IP]
    assert runner.calls == [ipt("-C"), ipt("-D")]


def test_expiry_keeps_blocks_it_could_not_lift(
    make_ctx: MakeContext, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    past = clock.now() - timedelta(seconds=1)
    ledger.record(ActiveBlock(IP, "nftables", past))
    ledger.record(ActiveBlock("198.51.100.9", "nftables", past))
    runner = scripted({nft_delete(): (1, "", "Error: Operation not permitted")})
    assert expire_blocks(make_ctx(runner)) == ["198.51.100.9"]
    assert list(ledger.blocks) == [IP]


def test_expiry_needs_a_ledger(make_ctx: MakeContext) -> None:
    with pytest.raises(ActionError, match="no blocks service"):
        expire_blocks(make_ctx(scripted(), ports=Ports()))


# -- dry runs and arguments ---------------------------------------------------------------------


def test_plan_runs_nothing_and_lists_the_commands(
    make_ctx: MakeContext, ledger: MemoryBlockLedger
) -> None:
    runner = scripted()
    outcome = BLOCK.plan(BLOCK.parse({"address": IP}), make_ctx(runner))
    assert runner.calls == []
    assert ledger.blocks == {}
    assert [e.argv for e in outcome.effects] == [PROBE, ("nft", "-f", "-"), nft_add()]
    assert "only when missing" in outcome.effects[1].detail
    iptables = BLOCK.plan(BLOCK.parse({"address": IP}), make_ctx(runner, settings=IPTABLES))
    assert [e.argv for e in iptables.effects] == [ipt("-C"), ipt("-I")]
    gone = UNBLOCK.plan(UNBLOCK.parse({"address": IP}), make_ctx(runner, ports=Ports()))
    assert [e.argv for e in gone.effects] == [nft_delete()]
    assert runner.calls == []


def test_plan_without_a_ledger_and_of_a_live_block(
    make_ctx: MakeContext, ledger: MemoryBlockLedger
) -> None:
    runner = scripted()
    assert BLOCK.plan(BLOCK.parse({"address": IP}), make_ctx(runner, ports=Ports())).changed
    BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner))
    planned = BLOCK.plan(BLOCK.parse({"address": IP}), make_ctx(runner))
    assert not planned.changed
    assert planned.effects == ()


def test_run_needs_a_ledger(make_ctx: MakeContext) -> None:
    runner = scripted()
    with pytest.raises(ActionError, match="no blocks service"):
        BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner, ports=Ports()))
    assert runner.calls == []


@pytest.mark.parametrize(
    "raw",
    [
        {"address": IP, "duration": None},
        {"address": IP, "duration": 0},
        {"address": IP, "duration": "0s"},
        {"address": IP, "duration": "366d"},
        {"address": IP, "duration": 1e20},
        {"address": IP, "duration": 10**20},
        {"address": IP, "duration": "99999999999d"},
        {"address": IP, "duration": float("inf")},
        {"address": IP, "duration": float("nan")},
        {"address": IP, "reason": "x" * 201},
        {"address": "203.0.113.0/24"},
        {"address": "fe80::1%eth0"},
        {"address": IP, "table": "filter"},
        {},
    ],
)
def test_bad_block_arguments(raw: dict[str, object]) -> None:
    with pytest.raises(InputError):
        BLOCK.parse(raw)


def test_sub_second_durations_round_up(make_ctx: MakeContext) -> None:
    runner = scripted()
    BLOCK.run(BLOCK.parse({"address": IP, "duration": 0.2}), make_ctx(runner))
    assert runner.calls[-1] == nft_add(seconds=1)


def test_custom_nft_names(make_ctx: MakeContext) -> None:
    settings = ResponseSettings(nft_table="sec", nft_set="deny")
    runner = scripted()
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "10s"}), make_ctx(runner, settings=settings))
    assert runner.calls == [
        ("nft", "list", "set", "inet", "sec", "deny4"),
        ("nft", "add", "element", "inet", "sec", "deny4", f"{{ {IP} timeout 10s }}"),
    ]


def test_unvalidated_settings_names_are_refused(make_ctx: MakeContext) -> None:
    settings = ResponseSettings.model_construct(
        **{**ResponseSettings().model_dump(), "nft_table": "x; flush ruleset"}
    )
    runner = scripted()
    with pytest.raises(ActionError, match="nft_table"):
        BLOCK.run(BLOCK.parse({"address": IP}), make_ctx(runner, settings=settings))
    assert runner.calls == []


# -- a real nftables, in a network namespace ------------------------------------------------------


class NetnsRunner(SubprocessRunner):
    """Runs every command inside the network namespace ``ns``."""

    def __init__(self, ns: str) -> None:
        super().__init__()
        self.ns = ns

    def run(
        self, argv: Sequence[str], *, stdin: bytes | None = None, timeout: float = 30.0
    ) -> Completed:
        return super().run(["ip", "netns", "exec", self.ns, *argv], stdin=stdin, timeout=timeout)


@pytest.fixture
def netns() -> Iterator[NetnsRunner]:
    if os.geteuid() != 0 or not (shutil.which("nft") and shutil.which("ip")):
        pytest.skip("needs root, nft and ip (apt-get install nftables iproute2)")
    ns = f"garrison-t{os.getpid()}"
    created = subprocess.run(["ip", "netns", "add", ns], capture_output=True, check=False)
    if created.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {created.stderr.decode().strip()}")
    try:
        yield NetnsRunner(ns)
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


@pytest.mark.integration
def test_real_nftables_block_expires_in_the_kernel(
    netns: NetnsRunner, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    ctx = ActionContext(ResponseSettings(), netns, clock, Ports(blocks=ledger), run_id=1)
    BLOCK.run(BLOCK.parse({"address": IP, "duration": "2s"}), ctx)
    listed = netns.run(["nft", "list", "set", "inet", "garrison", "blocklist4"])
    assert listed.ok, listed.stderr
    assert IP in listed.stdout
    chain = netns.run(["nft", "list", "chain", "inet", "garrison", "input"])
    assert "ip saddr @blocklist4 drop" in chain.stdout
    assert "ip6 saddr @blocklist6 drop" in chain.stdout
    deadline = time.monotonic() + 6
    while IP in netns.run(["nft", "list", "set", "inet", "garrison", "blocklist4"]).stdout:
        assert time.monotonic() < deadline, "the kernel did not expire the element"
        time.sleep(0.2)
    clock.advance(timedelta(seconds=3))
    assert expire_blocks(ctx) == [IP]  # the element is gone already: tolerated
    assert ledger.blocks == {}


@pytest.mark.integration
def test_real_nftables_extend_and_unblock(
    netns: NetnsRunner, ledger: MemoryBlockLedger, clock: FrozenClock
) -> None:
    ctx = ActionContext(ResponseSettings(), netns, clock, Ports(blocks=ledger), run_id=1)
    BLOCK.run(BLOCK.parse({"address": "2001:db8::7", "duration": "1h"}), ctx)
    BLOCK.run(BLOCK.parse({"address": "2001:db8::7", "duration": "2d"}), ctx)
    listed = netns.run(["nft", "list", "set", "inet", "garrison", "blocklist6"]).stdout
    assert "2001:db8::7 timeout 2d" in listed
    UNBLOCK.run(UNBLOCK.parse({"address": "2001:db8::7"}), ctx)
    UNBLOCK.run(UNBLOCK.parse({"address": "2001:db8::7"}), ctx)  # already gone: fine
    assert (
        "2001:db8::7"
        not in netns.run(["nft", "list", "set", "inet", "garrison", "blocklist6"]).stdout
    )

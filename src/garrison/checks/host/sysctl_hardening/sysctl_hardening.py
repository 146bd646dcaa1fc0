"""Kernel hardening parameters: address-space randomisation, SYN cookies, no ICMP redirects
or source routing, reverse-path filtering, restricted kernel pointers and logs, no setuid
core dumps, protected links. One result per parameter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.sysctl import KEYS, Sysctl, proc_path


@dataclass(frozen=True, slots=True)
class Rule:
    """What a parameter must be.

    Attributes:
        ok: Whether an integer value is acceptable.
        expected: The expectation, for people.
        why: What a wrong value allows.
    """

    ok: Callable[[int], bool]
    expected: str
    why: str


def _eq(want: int) -> Callable[[int], bool]:
    return lambda value: value == want


def _ge(least: int) -> Callable[[int], bool]:
    return lambda value: value >= least


RULES: dict[str, Rule] = {
    "kernel.randomize_va_space": Rule(_eq(2), "2", "memory layout is predictable to exploits"),
    "net.ipv4.tcp_syncookies": Rule(_eq(1), "1", "SYN floods can exhaust connections"),
    "net.ipv4.conf.all.accept_redirects": Rule(
        _eq(0), "0", "ICMP redirects can reroute traffic through an attacker"
    ),
    "net.ipv4.conf.all.send_redirects": Rule(_eq(0), "0", "the host acts like a router"),
    "net.ipv4.conf.all.accept_source_route": Rule(
        _eq(0), "0", "source-routed packets can bypass network controls"
    ),
    "net.ipv4.conf.all.rp_filter": Rule(_ge(1), ">= 1", "spoofed source addresses are accepted"),
    "net.ipv4.icmp_echo_ignore_broadcasts": Rule(
        _eq(1), "1", "the host can be used in smurf amplification"
    ),
    "kernel.dmesg_restrict": Rule(_eq(1), "1", "any user can read kernel logs"),
    "kernel.kptr_restrict": Rule(_ge(1), ">= 1", "kernel addresses leak to users"),
    "fs.suid_dumpable": Rule(_eq(0), "0", "setuid programs can dump secrets in core files"),
    "fs.protected_hardlinks": Rule(_eq(1), "1", "hard-link attacks on root-owned files"),
    "fs.protected_symlinks": Rule(_eq(1), "1", "symlink attacks in shared folders like /tmp"),
    "net.ipv4.ip_forward": Rule(_eq(0), "0", "the host forwards packets between networks"),
}
#: Parameters that are right on some hosts: a non-compliant value needs a person.
_DEPENDS = {
    "net.ipv4.ip_forward": "forwarding is on: needed on routers and container or Kubernetes "
    "hosts, otherwise set it to 0",
}


class sysctl_hardening(Check):
    """Fails for each hardening parameter with a weaker value."""

    needs = ("sysctl",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per parameter of :data:`~garrison.checks.collectors.host.sysctl.KEYS`."""
        sysctl: Sysctl = self.fact(facts, "sysctl")
        return [self._one(key, sysctl) for key in KEYS if key in RULES]

    def _one(self, key: str, sysctl: Sysctl) -> Result:
        rule = RULES[key]
        found = sysctl.values.get(key)
        expected = f"{key} = {rule.expected}"
        if found is None:
            if sysctl.live:
                return self.result(
                    Status.NOT_APPLICABLE, proc_path(key), f"{key}: not in this kernel"
                )
            return self.result(
                Status.MANUAL,
                "/etc/sysctl.d",
                f"{key} is not set in the sysctl configuration: the kernel default applies",
                expected=expected,
            )
        actual = f"{key} = {found.value}"
        try:
            value = int(found.value.split()[0])
        except (ValueError, IndexError):
            value = None
        if value is not None and rule.ok(value):
            return self.result(Status.PASS, found.source, actual, line=found.line, actual=actual)
        status = Status.MANUAL if key in _DEPENDS else Status.FAIL
        message = _DEPENDS.get(key, f"{key} = {found.value}: {rule.why}")
        return self.result(
            status, found.source, message, line=found.line, expected=expected, actual=actual
        )

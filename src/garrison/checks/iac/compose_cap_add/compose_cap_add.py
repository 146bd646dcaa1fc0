"""Compose: a service adds dangerous Linux capabilities (``cap_add: [SYS_ADMIN]``)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Service
from garrison.checks.iac._docker_common import per_service

#: Capabilities that let a container escape, read any file or take over the host's network.
DANGEROUS = {
    "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME",
    "DAC_READ_SEARCH", "DAC_OVERRIDE", "NET_ADMIN", "BPF", "PERFMON", "MAC_ADMIN",
    "MAC_OVERRIDE", "SYSLOG", "LINUX_IMMUTABLE", "SETFCAP",
}  # fmt: skip


def capability(name: str) -> str:
    """The capability's name upper-cased without its ``CAP_`` prefix."""
    upper = name.strip().upper()
    return upper.removeprefix("CAP_")


class compose_cap_add(Check):
    """Fails on each dangerous capability a service adds."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per dangerous capability; a pass per service without one."""
        found: ComposeFacts = self.fact(facts, "compose")
        return per_service(self, found, self._failures, "adds no dangerous capability")

    def _failures(self, service: Service) -> list[Result]:
        """The failures of one service."""
        return [
            self.result(
                Status.FAIL,
                service.file,
                f"service {service.name} adds the {capability(cap.text)} capability",
                line=cap.line,
                expected="cap_drop: [ALL] and only harmless capabilities added",
                actual=f"cap_add: {cap.text}",
            )
            for cap in service.cap_add
            if capability(cap.text) in DANGEROUS
        ]

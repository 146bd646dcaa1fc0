"""Compose: a service turns off seccomp, AppArmor or SELinux labels."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Service
from garrison.checks.iac._docker_common import per_service

#: ``security_opt`` settings that switch a kernel protection off.
DISABLING = {
    ("seccomp", "unconfined"),
    ("apparmor", "unconfined"),
    ("label", "disable"),
    ("systempaths", "unconfined"),
}


def disables(option: str) -> bool:
    """Whether a ``security_opt`` item (``key:value`` or ``key=value``) disables a protection."""
    name, _, value = option.replace("=", ":", 1).partition(":")
    return (name.strip().lower(), value.strip().lower()) in DISABLING


class compose_security_opt_disabled(Check):
    """Fails on each ``seccomp:unconfined``, ``apparmor:unconfined``, ``label:disable``."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per disabling option; a pass per service without one."""
        found: ComposeFacts = self.fact(facts, "compose")
        return per_service(self, found, self._failures, "keeps seccomp, AppArmor and SELinux on")

    def _failures(self, service: Service) -> list[Result]:
        """The failures of one service."""
        return [
            self.result(
                Status.FAIL,
                service.file,
                f"service {service.name} switches off a kernel protection ({option.text})",
                line=option.line,
                expected="the default seccomp, AppArmor and SELinux profiles",
                actual=f"security_opt: {option.text}",
            )
            for option in service.security_opt
            if disables(option.text)
        ]

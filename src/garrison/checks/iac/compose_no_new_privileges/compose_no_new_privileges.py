"""Compose: a service may gain privileges (no ``security_opt: no-new-privileges:true``)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts
from garrison.checks.iac._docker_common import unreadable


def sets_no_new_privileges(option: str) -> bool:
    """Whether a ``security_opt`` item turns ``no-new-privileges`` on."""
    name, _, value = option.replace("=", ":", 1).partition(":")
    return name.strip().lower() == "no-new-privileges" and value.strip().lower() in ("", "true")


class compose_no_new_privileges(Check):
    """Fails on each service without ``no-new-privileges:true``."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per service."""
        found: ComposeFacts = self.fact(facts, "compose")
        results = unreadable(self, found.errors)
        for service in found.services:
            on = [o for o in service.security_opt if sets_no_new_privileges(o.text)]
            if on:
                message = f"service {service.name} sets no-new-privileges"
                results.append(self.result(Status.PASS, service.file, message, line=on[0].line))
                continue
            line = service.security_opt[0].line if service.security_opt else service.line
            results.append(
                self.result(
                    Status.FAIL,
                    service.file,
                    f"service {service.name} does not set no-new-privileges: setuid binaries "
                    "can raise privileges",
                    line=line,
                    expected="security_opt: [no-new-privileges:true]",
                    actual=", ".join(o.text for o in service.security_opt) or "no security_opt",
                )
            )
        return results

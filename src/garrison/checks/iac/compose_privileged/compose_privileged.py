"""Compose: a service runs privileged (``privileged: true``)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts
from garrison.checks.iac._docker_common import unreadable


class compose_privileged(Check):
    """Fails on each service with ``privileged: true``."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per service."""
        found: ComposeFacts = self.fact(facts, "compose")
        results = unreadable(self, found.errors)
        for service in found.services:
            where = service.file
            setting = service.privileged
            if setting is not None and setting.text.strip().lower() == "true":
                results.append(
                    self.result(
                        Status.FAIL,
                        where,
                        f"service {service.name} runs privileged: every device and capability "
                        "of the host",
                        line=setting.line,
                        expected="privileged: false (add only the capabilities needed)",
                        actual="privileged: true",
                    )
                )
            else:
                message = f"service {service.name} is not privileged"
                results.append(self.result(Status.PASS, where, message, line=service.line))
        return results

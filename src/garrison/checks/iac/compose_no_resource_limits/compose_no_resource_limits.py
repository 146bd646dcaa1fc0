"""Compose: a service has no memory limit."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts
from garrison.checks.iac._docker_common import unreadable


class compose_no_resource_limits(Check):
    """Fails on each service without ``deploy.resources.limits.memory`` or ``mem_limit``."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per service."""
        found: ComposeFacts = self.fact(facts, "compose")
        results = unreadable(self, found.errors)
        for service in found.services:
            limit = service.memory_limit
            if limit is not None and limit.text.strip() not in ("", "0", "-1"):
                message = f"service {service.name} is limited to {limit.text} of memory"
                results.append(self.result(Status.PASS, service.file, message, line=limit.line))
                continue
            results.append(
                self.result(
                    Status.FAIL,
                    service.file,
                    f"service {service.name} has no memory limit: it can starve the host",
                    line=limit.line if limit is not None else service.line,
                    expected="deploy.resources.limits.memory (or mem_limit)",
                    actual=f"memory limit {limit.text}" if limit is not None else "no limit",
                )
            )
        return results

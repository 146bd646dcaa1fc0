"""Compose: a service runs as root (``user: root`` / ``0`` / ``0:0``)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, interpolate
from garrison.checks.iac._docker_common import is_root, unreadable


class compose_root_user(Check):
    """Fails on each service whose ``user`` is root (a ``${VAR:-0}`` default included)."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per service."""
        found: ComposeFacts = self.fact(facts, "compose")
        results = unreadable(self, found.errors)
        for service in found.services:
            user = service.user
            if user is not None and is_root(interpolate(user.text)):
                results.append(
                    self.result(
                        Status.FAIL,
                        service.file,
                        f"service {service.name} runs as root",
                        line=user.line,
                        expected="user: <non-root uid>",
                        actual=f"user: {user.text}",
                    )
                )
            else:
                message = (
                    f"service {service.name} runs as user {user.text}"
                    if user is not None
                    else f"service {service.name} sets no user: the image's USER applies"
                )
                line = user.line if user is not None else service.line
                results.append(self.result(Status.PASS, service.file, message, line=line))
        return results

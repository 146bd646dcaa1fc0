"""Compose: a secret written into a service's ``environment``."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Service
from garrison.checks.iac._docker_common import (
    is_literal_secret,
    is_secret_name,
    mask,
    per_service,
)


class compose_secrets_in_environment(Check):
    """Fails on each secret-named variable whose value is written out (not ``${VAR}``)."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per such variable (value masked); a pass per service without one."""
        found: ComposeFacts = self.fact(facts, "compose")
        return per_service(self, found, self._failures, "has no secret written in its environment")

    def _failures(self, service: Service) -> list[Result]:
        """The failures of one service."""
        return [
            self.result(
                Status.FAIL,
                service.file,
                f"service {service.name}: {env.name} is written in the Compose file",
                line=env.line,
                expected=f"{env.name}: ${{{env.name}}} or a Compose secret",
                actual=f"{env.name}={mask(env.value or '')}",
            )
            for env in service.environment
            if is_secret_name(env.name) and is_literal_secret(env.value)
        ]

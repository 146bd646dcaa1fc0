"""Compose: a service shares a host namespace (``network_mode: host``, ``pid: host``...)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Service
from garrison.checks.iac._docker_common import per_service


class compose_host_namespaces(Check):
    """Fails on each ``network_mode`` / ``pid`` / ``ipc`` / ``userns_mode`` / ``uts``: host."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per shared namespace; a pass per service sharing none."""
        found: ComposeFacts = self.fact(facts, "compose")
        return per_service(self, found, self._failures, "shares no host namespace")

    def _failures(self, service: Service) -> list[Result]:
        """The failures of one service."""
        return [
            self.result(
                Status.FAIL,
                service.file,
                f"service {service.name} shares the host's {key.split('_')[0]} namespace",
                line=value.line,
                expected=f"no {key}: host",
                actual=f"{key}: {value.text}",
            )
            for key, value in service.namespaces
            if value.text.strip().lower() == "host"
        ]

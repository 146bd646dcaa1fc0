"""Kubernetes containers that do not set ``allowPrivilegeEscalation: false``."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload


class k8s_allow_privilege_escalation(Check):
    """Fails unless each container sets ``allowPrivilegeEscalation: false`` explicitly.

    The API's default is true (``no_new_privs`` is not set), so a missing setting fails too.
    """

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per container."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                where = f"{pod.label} {container.label}"
                security = container.security
                value = security.allow_privilege_escalation
                if value is False and not security.privileged:
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} forbids privilege escalation",
                            line=security.line("allowPrivilegeEscalation", container.line),
                        )
                    )
                    continue
                if value is None:
                    message = f"{where} does not forbid privilege escalation (setuid binaries)"
                    actual = "allowPrivilegeEscalation not set (defaults to true)"
                elif security.privileged:  # privileged always allows escalation
                    message = f"{where} is privileged, which always allows privilege escalation"
                    actual = "privileged: true"
                else:
                    message = f"{where} allows privilege escalation explicitly"
                    actual = "allowPrivilegeEscalation: true"
                results.append(
                    self.result(
                        Status.FAIL,
                        pod.file,
                        message,
                        line=security.line("allowPrivilegeEscalation", container.line),
                        expected="allowPrivilegeEscalation: false",
                        actual=actual,
                    )
                )
        return results

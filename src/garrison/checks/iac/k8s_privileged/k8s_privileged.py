"""Kubernetes containers with ``securityContext.privileged: true``."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload


class k8s_privileged(Check):
    """Fails for every container (init containers too) that runs privileged."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per container."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                where = f"{pod.label} {container.label}"
                if container.security.privileged:
                    results.append(
                        self.result(
                            Status.FAIL,
                            pod.file,
                            f"{where} runs privileged: it has every device and capability "
                            "of the node",
                            line=container.security.line("privileged", container.line),
                            expected="privileged: false (or unset)",
                            actual="privileged: true",
                        )
                    )
                else:
                    results.append(
                        self.result(
                            Status.PASS, pod.file, f"{where} is not privileged", line=container.line
                        )
                    )
        return results

"""Kubernetes containers without CPU and memory limits."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload

_NEEDED = ("cpu", "memory")


class k8s_resource_limits(Check):
    """Fails when a container lacks ``resources.limits.cpu`` or ``.memory``."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per container."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                where = f"{pod.label} {container.label}"
                missing = [k for k in _NEEDED if not container.limits.get(k)]
                if not missing:
                    limits = ", ".join(f"{k} {container.limits[k]}" for k in _NEEDED)
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} has limits ({limits})",
                            line=container.limits_line or container.line,
                        )
                    )
                    continue
                results.append(
                    self.result(
                        Status.FAIL,
                        pod.file,
                        f"{where} has no {' and no '.join(missing)} limit: it can starve the "
                        "node's other pods",
                        line=container.limits_line or container.line,
                        expected="resources.limits.cpu and resources.limits.memory",
                        actual="missing: " + ", ".join(f"limits.{k}" for k in missing),
                    )
                )
        return results

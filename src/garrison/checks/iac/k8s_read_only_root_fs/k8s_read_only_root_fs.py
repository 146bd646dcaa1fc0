"""Kubernetes containers whose root filesystem is writable."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload


class k8s_read_only_root_fs(Check):
    """Fails unless each container sets ``readOnlyRootFilesystem: true``."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per container."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                where = f"{pod.label} {container.label}"
                security = container.security
                line = security.line("readOnlyRootFilesystem", container.line)
                if security.read_only_root_filesystem is True:
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} has a read-only root filesystem",
                            line=line,
                        )
                    )
                    continue
                actual = (
                    "readOnlyRootFilesystem: false"
                    if security.read_only_root_filesystem is False
                    else "readOnlyRootFilesystem not set (writable)"
                )
                results.append(
                    self.result(
                        Status.FAIL,
                        pod.file,
                        f"{where} can write to its root filesystem",
                        line=line,
                        expected="readOnlyRootFilesystem: true (emptyDir for scratch space)",
                        actual=actual,
                    )
                )
        return results

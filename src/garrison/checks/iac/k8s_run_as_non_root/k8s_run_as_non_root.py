"""Kubernetes containers that may run as root (no ``runAsNonRoot``/non-zero ``runAsUser``)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload, run_as


class k8s_run_as_non_root(Check):
    """Fails when a container runs as UID 0, or nothing in the pod or container rules root out.

    Container settings override the pod's ``securityContext``; ``runAsUser: 0`` fails even
    with ``runAsNonRoot: true`` (the kubelet would refuse to start it: a broken manifest).
    """

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per container."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                where = f"{pod.label} {container.label}"
                who = run_as(pod, container)
                expected = "runAsNonRoot: true or runAsUser > 0"
                if who.run_as_user == 0:
                    results.append(
                        self.result(
                            Status.FAIL,
                            pod.file,
                            f"{where} runs as root (runAsUser: 0)",
                            line=who.user_line or container.line,
                            expected=expected,
                            actual="runAsUser: 0",
                        )
                    )
                elif who.run_as_non_root is True or (who.run_as_user or 0) > 0:
                    how = (
                        f"runAsUser: {who.run_as_user}" if who.run_as_user else "runAsNonRoot: true"
                    )
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} cannot run as root ({how})",
                            line=container.line,
                        )
                    )
                elif who.run_as_non_root is False:
                    results.append(
                        self.result(
                            Status.FAIL,
                            pod.file,
                            f"{where} allows running as root (runAsNonRoot: false)",
                            line=who.non_root_line or container.line,
                            expected=expected,
                            actual="runAsNonRoot: false",
                        )
                    )
                else:
                    results.append(
                        self.result(
                            Status.FAIL,
                            pod.file,
                            f"{where} may run as root: neither the pod nor the container sets "
                            "runAsNonRoot or a non-root runAsUser",
                            line=container.line,
                            expected=expected,
                            actual="not set (the image's USER applies, often root)",
                        )
                    )
        return results

"""Kubernetes workloads in the ``default`` namespace (written or implied)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import DEFAULT_NAMESPACE, Workload


class k8s_default_namespace(Check):
    """Fails for workloads with ``namespace: default`` or without a namespace.

    A manifest without ``metadata.namespace`` lands in ``default`` unless it is applied with
    ``-n``; the message says which case it is.
    """

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per workload."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            if pod.namespace != DEFAULT_NAMESPACE:
                results.append(
                    self.result(
                        Status.PASS,
                        pod.file,
                        f"{pod.label} is in namespace {pod.namespace!r}",
                        line=pod.namespace_line,
                    )
                )
                continue
            if pod.namespace_set:
                message = f"{pod.label} is in the default namespace"
                actual = "namespace: default"
            else:
                message = (
                    f"{pod.label} sets no namespace: it lands in 'default' unless applied with -n"
                )
                actual = "metadata.namespace not set"
            results.append(
                self.result(
                    Status.FAIL,
                    pod.file,
                    message,
                    line=pod.namespace_line,
                    expected="metadata.namespace: <a dedicated namespace>",
                    actual=actual,
                )
            )
        return results

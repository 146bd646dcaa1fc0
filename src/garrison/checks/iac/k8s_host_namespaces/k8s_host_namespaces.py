"""Kubernetes pods that share the node's network, PID or IPC namespace."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload

#: Pod spec key -> what sharing it exposes.
_NAMESPACES = {
    "hostNetwork": "the node's network (its interfaces, localhost services, traffic)",
    "hostPID": "the node's processes (it can see and signal them, read their environment)",
    "hostIPC": "the node's IPC (shared memory of every process on the node)",
}


class k8s_host_namespaces(Check):
    """Fails for each of ``hostNetwork``, ``hostPID``, ``hostIPC`` set to true."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per shared namespace, one pass per workload sharing none."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            shared = {
                "hostNetwork": pod.host_network,
                "hostPID": pod.host_pid,
                "hostIPC": pod.host_ipc,
            }
            for key, on in shared.items():
                if on:
                    results.append(
                        self.result(
                            Status.FAIL,
                            pod.file,
                            f"{pod.label} shares {_NAMESPACES[key]}",
                            line=pod.pod_line(key),
                            expected=f"{key}: false (or unset)",
                            actual=f"{key}: true",
                        )
                    )
            if not any(shared.values()):
                results.append(
                    self.result(
                        Status.PASS,
                        pod.file,
                        f"{pod.label} shares no namespace with the node",
                        line=pod.spec_line,
                    )
                )
        return results

"""Kubernetes pods that mount directories or files of the node (``hostPath`` volumes)."""

from __future__ import annotations

import posixpath

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import HostPath, Workload

#: Container runtime sockets: mounting one hands the pod every container on the node.
_SOCKETS = {
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
}
#: Folders of the node whose mount gives the pod the node (or its credentials).
_SYSTEM = {
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/run",
    "/var/run",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/etc/kubernetes",
}


def _normal(path: str) -> str:
    """``path`` without ``..``, ``.``, doubled or trailing slashes (``//etc/`` -> ``/etc``)."""
    cleaned = posixpath.normpath(path.strip() or "/")
    # normpath keeps a leading "//" (POSIX leaves its meaning open; Linux ignores it).
    return "/" + cleaned.lstrip("/") if cleaned.startswith("/") else cleaned


def _danger(host_path: HostPath) -> str | None:
    """Why this mount hands the pod the node, ``None`` for an ordinary path."""
    path = _normal(host_path.path)
    if path in _SOCKETS or path.endswith(("/docker.sock", "/containerd.sock", "/crio.sock")):
        return "the container runtime socket: the pod can control every container on the node"
    if path in _SYSTEM or path.startswith(("/etc/", "/proc/", "/sys/", "/boot/", "/root/")):
        return "a system path of the node: the pod can read or change the node itself"
    return None


class k8s_host_path(Check):
    """Fails for each ``hostPath`` volume; runtime sockets and system paths say so."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per ``hostPath`` volume, one pass per workload without any."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            if not pod.host_paths:
                results.append(
                    self.result(
                        Status.PASS, pod.file, f"{pod.label} mounts no host path", line=pod.line
                    )
                )
                continue
            for mount in pod.host_paths:
                danger = _danger(mount)
                if danger:
                    message = f"{pod.label} mounts the host's {mount.path} (critical): {danger}"
                else:
                    message = (
                        f"{pod.label} mounts the host path {mount.path} "
                        f"(volume {mount.volume or '?'!r}): it shares files with the node"
                    )
                results.append(
                    self.result(
                        Status.FAIL,
                        pod.file,
                        message,
                        line=mount.line,
                        expected="no hostPath volume (emptyDir, configMap, a PVC)",
                        actual=f"hostPath: {mount.path}",
                    )
                )
        return results

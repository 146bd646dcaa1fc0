"""Compose: a service mounts the container engine's socket (``/var/run/docker.sock``)."""

from __future__ import annotations

import posixpath

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Service, interpolate
from garrison.checks.iac._docker_common import per_service

#: Engine sockets (control of the engine is control of the host) and folders that hold them.
SOCKETS = {
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/run/podman/podman.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
}
SOCKET_FOLDERS = {"/var/run", "/run", "/run/containerd", "/var/run/containerd", "/run/podman"}


def socket_of(source: str | None) -> str | None:
    """The engine socket a volume source exposes (itself or a folder holding it), or None."""
    if not source:
        return None
    path = interpolate(source).strip()
    if not path.startswith("/"):
        return None
    path = posixpath.normpath("/" + path.lstrip("/"))
    return path if path in SOCKETS or path in SOCKET_FOLDERS else None


class compose_docker_sock(Check):
    """Fails on each volume of a service that mounts an engine socket."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per such volume; a pass per service without one."""
        found: ComposeFacts = self.fact(facts, "compose")
        return per_service(self, found, self._failures, "mounts no engine socket")

    def _failures(self, service: Service) -> list[Result]:
        """The failures of one service."""
        return [
            self.result(
                Status.FAIL,
                service.file,
                f"service {service.name} mounts the container engine socket ({socket}): "
                "it can control the host",
                line=volume.line,
                expected="no docker.sock mount",
                actual=volume.text,
            )
            for volume in service.volumes
            if (socket := socket_of(volume.source)) is not None
        ]

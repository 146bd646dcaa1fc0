"""``docker run -v /var/run/docker.sock:...``: the container controls the Docker daemon."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.docker_run import DockerRun

SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def mounted_sources(run: DockerRun) -> list[str]:
    """Host paths mounted into the container (``-v``/``--volume`` and ``--mount``)."""
    sources = [v.split(":", 1)[0] for v in run.values("--volume")]
    for mount in run.values("--mount"):
        for part in mount.split(","):
            key, _, value = part.partition("=")
            if key.strip() in ("source", "src"):
                sources.append(value.strip())
    return sources


class docker_run_docker_sock(Check):
    """Fails where a ``docker run`` line mounts the Docker socket."""

    needs = ("docker_run",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per ``docker run`` line."""
        runs: list[DockerRun] = facts.get("docker_run") or []
        results = []
        for run in runs:
            hit = [s for s in mounted_sources(run) if s.rstrip("/") in SOCKETS]
            if hit:
                results.append(
                    self.result(
                        Status.FAIL,
                        run.file,
                        "the Docker socket is mounted: the container can control the host",
                        line=run.line,
                        expected="no docker.sock mount",
                        actual=f"-v {hit[0]}",
                    )
                )
            else:
                results.append(
                    self.result(Status.PASS, run.file, "no Docker socket mounted", line=run.line)
                )
        return results

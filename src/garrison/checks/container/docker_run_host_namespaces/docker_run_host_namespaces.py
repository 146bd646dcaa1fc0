"""``docker run --network host`` / ``--pid host`` / ``--ipc host``: the host's namespaces."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.docker_run import DockerRun

_NAMESPACES = ("--network", "--pid", "--ipc", "--uts", "--userns")


class docker_run_host_namespaces(Check):
    """Fails where a ``docker run`` line shares a namespace with the host."""

    needs = ("docker_run",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per ``docker run`` line."""
        runs: list[DockerRun] = facts.get("docker_run") or []
        results = []
        for run in runs:
            shared = [n for n in _NAMESPACES if "host" in (v.lower() for v in run.values(n))]
            if shared:
                results.append(
                    self.result(
                        Status.FAIL,
                        run.file,
                        "the container shares the host's namespaces: " + ", ".join(shared),
                        line=run.line,
                        expected="the container's own namespaces",
                        actual=" ".join(f"{n}=host" for n in shared),
                    )
                )
            else:
                results.append(self.result(Status.PASS, run.file, "own namespaces", line=run.line))
        return results

"""``docker run --privileged``: every device and capability of the host."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.docker_run import DockerRun


class docker_run_privileged(Check):
    """Fails where a ``docker run`` line runs a privileged container."""

    needs = ("docker_run",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per ``docker run`` line."""
        runs: list[DockerRun] = facts.get("docker_run") or []
        results = []
        for run in runs:
            privileged = "--privileged" in run.switches or any(
                v.lower() == "true" for v in run.values("--privileged")
            )
            if privileged:
                results.append(
                    self.result(
                        Status.FAIL,
                        run.file,
                        "the container is privileged (--privileged)",
                        line=run.line,
                        expected="no --privileged; add only the capabilities needed",
                        actual="--privileged",
                    )
                )
            else:
                results.append(self.result(Status.PASS, run.file, "not privileged", line=run.line))
        return results

"""``docker run --user root``: the container's processes run as root."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.docker_run import DockerRun

_ROOT = {"root", "0", "root:root", "0:0", "root:0", "0:root"}


class docker_run_root_user(Check):
    """Fails where a ``docker run`` line asks for the root user explicitly."""

    needs = ("docker_run",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per ``docker run`` line."""
        runs: list[DockerRun] = facts.get("docker_run") or []
        results = []
        for run in runs:
            users = run.values("--user")
            if any(u.strip().lower() in _ROOT for u in users):
                results.append(
                    self.result(
                        Status.FAIL,
                        run.file,
                        "the container runs as root (--user root)",
                        line=run.line,
                        expected="--user <non-root uid>",
                        actual=f"--user {users[-1]}",
                    )
                )
            else:
                message = (
                    f"runs as user {users[-1]}" if users else "no --user: the image's USER applies"
                )
                results.append(self.result(Status.PASS, run.file, message, line=run.line))
        return results

"""Dockerfile: ``RUN`` uses ``sudo``."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import DockerfileFacts
from garrison.checks.iac._docker_common import unreadable

#: ``sudo`` as a command word (after a separator), not inside another word or a package name.
SUDO = re.compile(r"(?:^|[;&|(`\n]|\$\()\s*(?:\w+=\S*\s+)*sudo(?:\s|$)")


class dockerfile_sudo(Check):
    """Fails on each ``RUN`` that calls ``sudo``."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per ``RUN`` with ``sudo``; one pass per Dockerfile without any."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        results = unreadable(self, found.errors)
        for dockerfile in found.files:
            failures = [
                self.result(
                    Status.FAIL,
                    dockerfile.file,
                    "RUN uses sudo: it leaves sudo in the image and hides which steps need root",
                    line=instruction.line,
                    expected="USER root for the steps that need it, then USER <non-root>",
                    actual="RUN ... sudo ...",
                )
                for instruction in dockerfile.instructions
                if instruction.keyword == "RUN" and SUDO.search(instruction.command)
            ]
            results.extend(failures)
            if not failures:
                results.append(self.result(Status.PASS, dockerfile.file, "no RUN uses sudo"))
        return results

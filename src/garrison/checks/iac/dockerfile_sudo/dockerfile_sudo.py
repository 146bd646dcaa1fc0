"""Dockerfile: ``RUN`` uses ``sudo``."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import Dockerfile, DockerfileFacts
from garrison.checks.iac._docker_common import per_dockerfile

#: ``sudo`` as a command word (after a separator), not inside another word or a package name.
SUDO = re.compile(r"(?:^|[;&|(`\n]|\$\()\s*(?:\w+=\S*\s+)*sudo(?:\s|$)")


class dockerfile_sudo(Check):
    """Fails on each ``RUN`` that calls ``sudo``."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per ``RUN`` with ``sudo``; one pass per Dockerfile without any."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        return per_dockerfile(self, found, self._failures, "no RUN uses sudo")

    def _failures(self, dockerfile: Dockerfile) -> list[Result]:
        """The failures of one Dockerfile."""
        return [
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

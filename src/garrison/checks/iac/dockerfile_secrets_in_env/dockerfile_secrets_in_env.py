"""Dockerfile: a secret written into ``ENV`` or ``ARG`` (kept in the image's layers)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import Dockerfile, DockerfileFacts, pairs
from garrison.checks.iac._docker_common import (
    is_literal_secret,
    is_secret_name,
    mask,
    per_dockerfile,
)


class dockerfile_secrets_in_env(Check):
    """Fails on each ``ENV`` / ``ARG`` whose name says secret and whose value is written out."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per secret (value masked); one pass per Dockerfile without any."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        return per_dockerfile(self, found, self._failures, "no secret written into ENV or ARG")

    def _failures(self, dockerfile: Dockerfile) -> list[Result]:
        """The failures of one Dockerfile."""
        return [
            self.result(
                Status.FAIL,
                dockerfile.file,
                f"{instruction.keyword} {name} holds a secret in the image",
                line=line,
                expected="a build secret (RUN --mount=type=secret) or a runtime secret",
                actual=f"{instruction.keyword} {name}={mask(value or '')}",
            )
            for instruction in dockerfile.instructions
            if instruction.keyword in ("ENV", "ARG")
            for name, value, line in pairs(instruction)
            if is_secret_name(name) and is_literal_secret(value)
        ]

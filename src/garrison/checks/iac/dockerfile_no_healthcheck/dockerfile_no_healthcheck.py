"""Dockerfile: the image declares no ``HEALTHCHECK`` (or disables it)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import Dockerfile, DockerfileFacts, Stage
from garrison.checks.iac._docker_common import per_image


class dockerfile_no_healthcheck(Check):
    """Fails when the final stage (or a stage it builds on) has no working ``HEALTHCHECK``."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per Dockerfile with a ``FROM``."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        return per_image(self, found, self._image)

    def _image(self, dockerfile: Dockerfile, chain: list[Stage]) -> Result:
        """The result of one image: its final stage, then the stages it builds on."""
        final = chain[0]
        check = next((h for s in chain if (h := s.last("HEALTHCHECK")) is not None), None)
        if check is None:
            return self.result(
                Status.FAIL,
                dockerfile.file,
                "the image declares no HEALTHCHECK: a hung service looks healthy",
                line=final.line,
                expected="HEALTHCHECK CMD ...",
                actual="no HEALTHCHECK",
            )
        if check.args.strip().upper() == "NONE":
            return self.result(
                Status.FAIL,
                dockerfile.file,
                "HEALTHCHECK NONE disables the base image's health check",
                line=check.line,
                expected="HEALTHCHECK CMD ...",
                actual="HEALTHCHECK NONE",
            )
        message = "the image declares a HEALTHCHECK"
        return self.result(Status.PASS, dockerfile.file, message, line=check.line)

"""Dockerfile: the image declares no ``HEALTHCHECK`` (or disables it)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import DockerfileFacts
from garrison.checks.iac._docker_common import unreadable


class dockerfile_no_healthcheck(Check):
    """Fails when the final stage (or a stage it builds on) has no working ``HEALTHCHECK``."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per Dockerfile with a ``FROM``."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        results = unreadable(self, found.errors)
        for dockerfile in found.files:
            final = dockerfile.final
            if final is None:
                continue
            chain = dockerfile.lineage(final)
            check = next((h for s in chain if (h := s.last("HEALTHCHECK")) is not None), None)
            if check is None:
                results.append(
                    self.result(
                        Status.FAIL,
                        dockerfile.file,
                        "the image declares no HEALTHCHECK: a hung service looks healthy",
                        line=final.line,
                        expected="HEALTHCHECK CMD ...",
                        actual="no HEALTHCHECK",
                    )
                )
            elif check.args.strip().upper() == "NONE":
                results.append(
                    self.result(
                        Status.FAIL,
                        dockerfile.file,
                        "HEALTHCHECK NONE disables the base image's health check",
                        line=check.line,
                        expected="HEALTHCHECK CMD ...",
                        actual="HEALTHCHECK NONE",
                    )
                )
            else:
                message = "the image declares a HEALTHCHECK"
                results.append(self.result(Status.PASS, dockerfile.file, message, line=check.line))
        return results

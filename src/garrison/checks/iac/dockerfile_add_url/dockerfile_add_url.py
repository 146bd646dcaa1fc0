"""Dockerfile: ``ADD`` fetches a remote URL (unverified content into the image)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import DockerfileFacts, words
from garrison.checks.iac._docker_common import unreadable


class dockerfile_add_url(Check):
    """Fails on each ``ADD http(s)://...`` without ``--checksum``."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """A result per ``ADD`` of a URL; one pass per Dockerfile without any."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        results = unreadable(self, found.errors)
        for dockerfile in found.files:
            seen = 0
            for instruction in dockerfile.instructions:
                if instruction.keyword != "ADD":
                    continue
                sources = (
                    list(instruction.exec_form[:-1])
                    if instruction.exec_form is not None
                    else [w for w, _ in words(instruction.args)][:-1]
                )
                urls = [s for s in sources if s.lower().startswith(("http://", "https://"))]
                if not urls:
                    continue
                seen += 1
                if instruction.flag("checksum"):
                    message = f"ADD {urls[0]} is verified with --checksum"
                    results.append(
                        self.result(Status.PASS, dockerfile.file, message, line=instruction.line)
                    )
                    continue
                results.append(
                    self.result(
                        Status.FAIL,
                        dockerfile.file,
                        "ADD downloads a URL into the image without checking its content",
                        line=instruction.line,
                        expected="RUN curl + checksum check, or ADD --checksum=sha256:...",
                        actual=f"ADD {urls[0]}",
                    )
                )
            if not seen:
                message = "no ADD of a remote URL"
                results.append(self.result(Status.PASS, dockerfile.file, message))
        return results

"""Dockerfile: ``RUN`` pipes a download into a shell (``curl ... | sh``)."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import Dockerfile, DockerfileFacts
from garrison.checks.iac._docker_common import per_dockerfile

_SHELL = r"(?:sudo\s+(?:-\S+\s+)*)?(?:/usr)?(?:/bin/)?(?:ba|da|z|k|a)?sh\b"
#: ``curl|wget ... | sh``, ``sh -c "$(curl ...)"``, ``bash <(curl ...)``.
PIPE_TO_SHELL = re.compile(
    rf"\b(?:curl|wget)\b[^|;&\n]*\|\s*{_SHELL}"
    rf"|{_SHELL}\s+(?:-\w+\s+)*[\"']?(?:\$\(|<\(|`)\s*(?:curl|wget)\b",
)

#: Credentials that may sit in the shown command: URL user info, then tokens and headers.
_USERINFO = re.compile(r"://[^\s/@]+@")
_CREDENTIALS = re.compile(
    r"(authorization:\s*|(?:token|key|password|secret)=|--password[= ]|--user[= ]|-u\s+)"
    r"[^\s&'\"]+",
    re.IGNORECASE,
)


def _masked(text: str) -> str:
    return _CREDENTIALS.sub(r"\1****", _USERINFO.sub("://****@", text))


class dockerfile_curl_pipe_shell(Check):
    """Fails on each ``RUN`` that runs a downloaded script without checking it."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """A failure per such ``RUN``; one pass per Dockerfile without any."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        return per_dockerfile(self, found, self._failures, "no download piped into a shell")

    def _failures(self, dockerfile: Dockerfile) -> list[Result]:
        """The failures of one Dockerfile."""
        failures = []
        for instruction in dockerfile.instructions:
            if instruction.keyword != "RUN":
                continue
            match = PIPE_TO_SHELL.search(instruction.command)
            if match:
                shown = _masked(" ".join(match.group(0).split()))
                failures.append(
                    self.result(
                        Status.FAIL,
                        dockerfile.file,
                        "a downloaded script runs unchecked: whoever controls the URL "
                        "controls the image",
                        line=instruction.line,
                        expected="download, verify a checksum or signature, then run",
                        actual=shown if len(shown) <= 80 else shown[:79] + "…",
                    )
                )
        return failures

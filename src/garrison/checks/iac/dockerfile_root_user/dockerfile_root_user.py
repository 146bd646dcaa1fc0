"""Dockerfile: the image runs as root (no ``USER``, or the last one is root)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import Dockerfile, DockerfileFacts, Stage
from garrison.checks.iac._docker_common import is_root, per_image

#: Base images known to run as a non-root user by default.
_NON_ROOT_IMAGES = ("nonroot", "rootless")


class dockerfile_root_user(Check):
    """Fails where the final stage's user (its own ``USER``, else inherited) is root."""

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per Dockerfile with a ``FROM``."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        return per_image(self, found, self._image)

    def _image(self, dockerfile: Dockerfile, chain: list[Stage]) -> Result:
        """The result of one image: its final stage, then the stages it builds on."""
        final = chain[0]
        user = next((u for s in chain if (u := s.last("USER")) is not None), None)
        if user is None:
            base = chain[-1]
            image = (base.resolved or base.image).lower()
            if any(word in image for word in _NON_ROOT_IMAGES):
                message = f"no USER, but the base image {base.image} runs as non-root"
                return self.result(Status.PASS, dockerfile.file, message, line=final.line)
            return self.result(
                Status.FAIL,
                dockerfile.file,
                "no USER instruction: the container runs as root unless the base image sets a user",
                line=final.line,
                expected="USER <non-root uid> in the final stage",
                actual="no USER",
            )
        if "$" in user.args:
            return self.result(
                Status.MANUAL,
                dockerfile.file,
                "the user comes from a build variable: check its value",
                line=user.line,
                expected="a non-root user",
                actual=f"USER {user.args}",
            )
        if is_root(user.args):
            return self.result(
                Status.FAIL,
                dockerfile.file,
                "the last USER is root: the container runs as root",
                line=user.line,
                expected="USER <non-root uid>",
                actual=f"USER {user.args}",
            )
        message = f"runs as user {user.args}"
        return self.result(Status.PASS, dockerfile.file, message, line=user.line)

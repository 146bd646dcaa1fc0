"""Dockerfile: a base image is not pinned (``:latest`` or no tag)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.dockerfile import DockerfileFacts
from garrison.checks.iac._docker_common import unreadable


def tag_of(image: str) -> str | None:
    """The tag of an image reference (``None`` when untagged); a registry port is no tag."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


class dockerfile_latest_tag(Check):
    """Fails on each ``FROM`` of an image that is untagged or tagged ``latest``.

    Digest-pinned images, ``scratch`` and earlier stages pass; an image named by a build
    argument without a default needs a person.
    """

    needs = ("dockerfile",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per ``FROM``."""
        found: DockerfileFacts = self.fact(facts, "dockerfile")
        results = unreadable(self, found.errors)
        for dockerfile in found.files:
            for stage in dockerfile.stages:
                file, line = dockerfile.file, stage.line
                image = stage.resolved
                if image is None:
                    results.append(
                        self.result(
                            Status.MANUAL,
                            file,
                            f"the base image comes from a build argument without a default "
                            f"({stage.image}): check the value used",
                            line=line,
                            expected="a pinned tag or digest",
                            actual=f"FROM {stage.image}",
                        )
                    )
                    continue
                if image.lower() == "scratch" or dockerfile.base_stage(stage) is not None:
                    continue
                if "@sha256:" in image or "@sha512:" in image:
                    message = f"{image} is pinned by digest"
                    results.append(self.result(Status.PASS, file, message, line=line))
                    continue
                tag = tag_of(image)
                if tag is None or tag.lower() == "latest":
                    results.append(
                        self.result(
                            Status.FAIL,
                            file,
                            "the base image is not pinned: builds pick whatever is latest",
                            line=line,
                            expected="image:<version> or image@sha256:<digest>",
                            actual=f"FROM {image}"
                            if image == stage.image
                            else f"FROM {stage.image} (= {image})",
                        )
                    )
                else:
                    results.append(
                        self.result(Status.PASS, file, f"{image} has a version tag", line=line)
                    )
        return results

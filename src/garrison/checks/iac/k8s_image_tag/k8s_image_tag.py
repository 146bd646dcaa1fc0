"""Kubernetes containers whose image is untagged or ``:latest`` (not pinned)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload


def tag_of(image: str) -> str | None:
    """The tag of an image reference (``None`` when untagged); a registry port is no tag."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


class k8s_image_tag(Check):
    """Fails for images without a tag or tagged ``latest``, unless pinned by digest."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per container with an image."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                image = (container.image or "").strip()
                if not image:
                    continue  # no image: the API server refuses the manifest anyway
                where = f"{pod.label} {container.label}"
                if "@sha256:" in image:
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} pins its image by digest",
                            line=container.image_line,
                        )
                    )
                    continue
                tag = tag_of(image)
                if tag and tag.lower() != "latest":
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} uses the tagged image {image}",
                            line=container.image_line,
                        )
                    )
                    continue
                results.append(
                    self.result(
                        Status.FAIL,
                        pod.file,
                        f"{where} uses {image}: "
                        + ("the mutable 'latest' tag" if tag else "no tag (means 'latest')"),
                        line=container.image_line,
                        expected="a version tag or an @sha256 digest",
                        actual=f"image: {image}",
                    )
                )
        return results

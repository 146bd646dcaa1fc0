"""``snapshot_container``: keep a container's file system for forensics before it changes.

Two things are kept. First an image: ``POST /commit`` with ``pause=true`` (Docker freezes the
container while it copies the layer) into ``garrison-forensics:<container>-<UTC time>``, so the
state can be run again in a lab. Then a tar file: ``GET /containers/{id}/export`` streamed to
``<home>/snapshots/<container>-<UTC time>.tar`` (directory ``0700``, file ``0400``), hashed
(SHA-256) while it is written, so the hash is of exactly the bytes Docker sent. When the
platform has an evidence store the tar file is sealed there, with the incident when one is
given. A broken export leaves no partial file behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from garrison.core.errors import ActionError, GarrisonError
from garrison.respond.actions.base import Action, ActionContext, Effect, EvidencePort, Outcome
from garrison.respond.actions.container import docker
from garrison.respond.actions.values import ContainerRef

log = logging.getLogger(__name__)

#: The repository forensic images are committed to.
REPOSITORY = "garrison-forensics"
_STAMP = "%Y%m%dT%H%M%SZ"


class SnapshotArgs(BaseModel):
    """Arguments of ``snapshot_container``.

    Attributes:
        container: The container id or name.
        incident_id: The incident the evidence belongs to, if any.
    """

    model_config = ConfigDict(extra="forbid")

    container: ContainerRef
    incident_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


def snapshot_dir(ctx: ActionContext) -> Path:
    """Where tar snapshots go: ``<home>/snapshots``."""
    return ctx.home / "snapshots"


def image_tag(container: str, stamp: str) -> str:
    """A Docker tag (``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``) naming the container and time.

    Container references already use only tag characters; the name is cut so the tag fits.
    """
    return f"{container[:100]}-{stamp}"


def _create(path: Path) -> int:
    """Open a new file for writing, never over an existing one nor through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(path, flags, 0o600)


def _free(directory: Path, stem: str) -> tuple[Path, int]:
    """A new ``<stem>.tar`` (numbered when taken) and its open descriptor."""
    for n in range(1, 100):
        path = directory / (f"{stem}.tar" if n == 1 else f"{stem}-{n}.tar")
        try:
            return path, _create(path)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ActionError(f"cannot create {path}: {exc.strerror}") from None
    raise ActionError(f"too many snapshots named {stem} in {directory}")


class SnapshotContainer(Action[SnapshotArgs]):
    """Commit a container to an image and export its file system as sealed evidence."""

    name = "snapshot_container"
    title: ClassVar[dict[str, str]] = {"en": "Snapshot container", "zh-CN": "容器取证快照"}
    args_model = SnapshotArgs

    def _names(self, args: SnapshotArgs, ctx: ActionContext) -> tuple[str, Path]:
        stamp = ctx.clock.now().strftime(_STAMP)
        return image_tag(args.container, stamp), snapshot_dir(ctx) / f"{args.container}-{stamp}"

    @staticmethod
    def _comment(args: SnapshotArgs, ctx: ActionContext) -> str:
        run = f" run {ctx.run_id}" if ctx.run_id is not None else ""
        return f"Garrison forensic snapshot of {args.container} ({ctx.actor}{run})"

    def plan(self, args: SnapshotArgs, ctx: ActionContext) -> Outcome:
        """The commit, the export and the sealing, without any request."""
        tag, stem = self._names(args, ctx)
        sealed = ctx.ports.evidence is not None
        with docker(ctx) as client:
            effects = (
                client.effect(
                    "POST",
                    f"/commit?container={args.container}&repo={REPOSITORY}&tag={tag}&pause=true",
                ),
                client.effect("GET", f"/containers/{args.container}/export"),
                Effect("record", f"write {stem}.tar with its SHA-256"),
                Effect(
                    "record", "seal the tar file as evidence" if sealed else "no evidence store"
                ),
            )
        return Outcome(
            f"would snapshot container {args.container}",
            output={"image": f"{REPOSITORY}:{tag}", "path": f"{stem}.tar"},
            effects=effects,
        )

    def run(self, args: SnapshotArgs, ctx: ActionContext) -> Outcome:
        """Commit, export to a file while hashing it, then seal the file.

        Raises:
            ActionError: No such container, a Docker failure, or the file could not be written.
        """
        tag, stem = self._names(args, ctx)
        directory = stem.parent
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ActionError(f"cannot create {directory}: {exc.strerror}") from None
        with docker(ctx) as client:
            image = client.commit(
                args.container, repo=REPOSITORY, tag=tag, comment=self._comment(args, ctx)
            )
            effects = [
                client.effect(
                    "POST",
                    f"/commit?container={args.container}&repo={REPOSITORY}&tag={tag}&pause=true",
                ),
                client.effect("GET", f"/containers/{args.container}/export"),
            ]
            path, fd = _free(directory, stem.name)
            digest, size = hashlib.sha256(), 0
            try:
                with client.export(args.container) as chunks:
                    for chunk in chunks:
                        digest.update(chunk)
                        size += len(chunk)
                        view = memoryview(chunk)
                        while view:
                            view = view[os.write(fd, view) :]
                os.fsync(fd)
            except BaseException as exc:
                os.close(fd)
                path.unlink(missing_ok=True)
                if isinstance(exc, OSError):
                    raise ActionError(f"cannot write {path}: {exc.strerror}") from None
                raise
            os.close(fd)
        os.chmod(path, 0o400)
        sha256 = digest.hexdigest()
        effects.append(Effect("record", f"wrote {path} ({size} bytes, sha256 {sha256})"))
        output: dict[str, object] = {
            "container": args.container,
            "image_id": image,
            "image": f"{REPOSITORY}:{tag}",
            "path": str(path),
            "sha256": sha256,
            "bytes": size,
            "evidence": False,
        }
        port: EvidencePort | None = ctx.ports.evidence
        if port is not None:
            output["evidence"] = self._seal(port, path, sha256, args, ctx, image)
            effects.append(Effect("record", f"sealed {path.name} as evidence"))
        return Outcome(
            f"snapshot of container {args.container}: {path.name} ({size} bytes)",
            output=output,
            effects=tuple(effects),
        )

    @staticmethod
    def _seal(
        port: EvidencePort,
        path: Path,
        sha256: str,
        args: SnapshotArgs,
        ctx: ActionContext,
        image: str,
    ) -> bool:
        try:
            sealed = port.add_file(
                path,
                incident_id=args.incident_id,
                name=path.name,
                note=f"file system of container {args.container} (image {image})",
                actor=ctx.actor,
            )
        except (GarrisonError, OSError) as exc:
            raise ActionError(f"snapshot {path} was written but not sealed: {exc}"[:400]) from None
        if sealed != sha256:
            # The file changed between writing and sealing: the evidence cannot be trusted.
            raise ActionError(f"snapshot {path} changed before it was sealed")
        return True


ACTION = SnapshotContainer()

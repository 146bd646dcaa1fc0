"""``quarantine_file`` and ``restore_file``: move a suspicious file out of reach, and back.

The file is never followed through a symbolic link (``lstat`` and ``O_NOFOLLOW``), must be a
regular file of at most 2 GiB, and is hashed (SHA-256) from the same open descriptor that is
checked against the ``lstat`` result, so a file swapped in meanwhile is noticed. It moves to
``<quarantine_dir>/<sha256[:16]>-<safe name>`` (directory ``0700``, file ``0400``) with a JSON
sidecar holding where it came from, its mode, owner, size, time and hash. When the platform
has an evidence store, the quarantined file is sealed there too.

``restore_file`` only takes files from the quarantine directory, only back to the path their
sidecar names, never over an existing file, and only when the hash still matches.

No host command runs: these are plain file operations.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from garrison.core.errors import ActionError, GarrisonError
from garrison.respond.actions.base import Action, ActionContext, EvidencePort, Outcome, Undo
from garrison.respond.actions.quarantine_files import (
    copy_exclusive,
    effects,
    hash_fd,
    quarantine_dir,
    same_file,
)
from garrison.respond.actions.values import HostPath, Text

log = logging.getLogger(__name__)

#: Files larger than this are refused (hashing and copying them would take too long).
MAX_SIZE = 2 * 1024**3
Reason = Annotated[Text, Field(max_length=200)]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class QuarantineArgs(BaseModel):
    """Arguments of ``quarantine_file``.

    Attributes:
        path: The absolute path of the file.
        incident_id: The incident the evidence belongs to, if any.
        reason: Why (kept in the sidecar and as the evidence note).
    """

    model_config = ConfigDict(extra="forbid")

    path: HostPath
    incident_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    reason: Reason = ""


class RestoreArgs(BaseModel):
    """Arguments of ``restore_file`` (the undo of ``quarantine_file``).

    Attributes:
        quarantined: The file in the quarantine directory.
        original: Where it came from (must be what its sidecar says).
    """

    model_config = ConfigDict(extra="forbid")

    quarantined: HostPath
    original: HostPath


def safe_name(path: str) -> str:
    """The file's base name with every character but ``A-Za-z0-9._-`` replaced by ``_``."""
    return _UNSAFE.sub("_", Path(path).name)[:100] or "file"


def _inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _free_name(directory: Path, name: str) -> Path:
    """``name`` in ``directory``, numbered when it (or its sidecar) is taken."""
    for n in range(1, 1000):
        candidate = directory / (name if n == 1 else f"{name}.{n}")
        if not os.path.lexists(candidate) and not os.path.lexists(_sidecar(candidate)):
            return candidate
    raise ActionError(f"too many quarantined files named {name}")


def _lstat(path: Path) -> os.stat_result:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        raise ActionError(f"no such file: {path}") from None
    except OSError as exc:
        raise ActionError(f"cannot examine {path}: {exc.strerror}") from None


def _regular(path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise ActionError(f"{path} is a symbolic link: quarantine the file it points to")
    if not stat.S_ISREG(st.st_mode):
        raise ActionError(f"{path} is not a regular file")


def _open(path: Path) -> int:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY
    try:
        return os.open(path, flags)
    except OSError as exc:
        raise ActionError(f"cannot open {path}: {exc.strerror}") from None


def _previous(qdir: Path, original: str, run_id: int | None) -> dict[str, Any] | None:
    """The sidecar of this run's earlier quarantine of ``original`` (a retried step)."""
    if run_id is None or not qdir.is_dir():
        return None
    for side in qdir.glob("*.json"):
        try:
            data = json.loads(side.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("original") == original and data.get("run_id") == run_id:
            return dict(data)
    return None


class QuarantineFile(Action[QuarantineArgs]):
    """Move a file into the quarantine directory, record it, and seal it as evidence."""

    name = "quarantine_file"
    title: ClassVar[dict[str, str]] = {"en": "Quarantine file", "zh-CN": "隔离文件"}
    args_model = QuarantineArgs
    undo_action = "restore_file"
    changes_host = True

    def plan(self, args: QuarantineArgs, ctx: ActionContext) -> Outcome:
        """What :meth:`run` would do (the file is not examined)."""
        qdir = quarantine_dir(ctx)
        self._refuse_inside(Path(args.path), qdir)
        target = qdir / f"<sha256[:16]>-{safe_name(args.path)}"
        sealed = ctx.ports.evidence is not None
        return Outcome(
            f"would quarantine {args.path}",
            output={"original": args.path, "quarantined": str(target), "evidence": sealed},
            effects=effects(
                f"move {args.path} to {target} (mode 0400)",
                f"write {target}.json with the original path, owner, mode and SHA-256",
                "seal the file as evidence" if sealed else "no evidence store: not sealed",
            ),
        )

    @staticmethod
    def _refuse_inside(path: Path, qdir: Path) -> None:
        if _inside(path, qdir):
            raise ActionError(f"{path} is in the quarantine directory already")

    def run(self, args: QuarantineArgs, ctx: ActionContext) -> Outcome:
        """Hash, move, record and seal the file.

        Raises:
            ActionError: The file is missing, not a regular file, too large, changed while
                being moved, or could not be moved.
        """
        qdir = quarantine_dir(ctx)
        src = Path(args.path)
        self._refuse_inside(src, qdir)
        if not os.path.lexists(src):
            earlier = _previous(qdir, args.path, ctx.run_id)
            if earlier is not None:
                return self._outcome(earlier, evidence=None, changed=False)
        st = _lstat(src)
        _regular(src, st)
        if st.st_size > MAX_SIZE:
            raise ActionError(f"{src} is larger than 2 GiB ({st.st_size} bytes): not moved")
        fd = _open(src)
        try:
            if not same_file(os.fstat(fd), st):
                raise ActionError(f"{src} changed while it was being quarantined")
            digest = hash_fd(fd)
            _prepare(qdir)
            dest = _free_name(qdir, f"{digest[:16]}-{safe_name(args.path)}")
            self._move(fd, src, dest, st, digest)
        finally:
            os.close(fd)
        os.chmod(dest, 0o400)
        record = {
            "original": args.path,
            "quarantined": str(dest),
            "mode": f"{stat.S_IMODE(st.st_mode):04o}",
            "uid": st.st_uid,
            "gid": st.st_gid,
            "size": st.st_size,
            "mtime": datetime.fromtimestamp(st.st_mtime, UTC).isoformat(),
            "sha256": digest,
            "run_id": ctx.run_id,
            "incident_id": args.incident_id,
            "reason": args.reason,
            "quarantined_at": ctx.clock.now().isoformat(),
        }
        _write_sidecar(_sidecar(dest), record)
        return self._outcome(record, evidence=self._seal(ctx, dest, args), changed=True)

    @staticmethod
    def _move(fd: int, src: Path, dest: Path, st: os.stat_result, digest: str) -> None:
        if st.st_dev == os.stat(dest.parent).st_dev:
            os.rename(src, dest)  # rename never follows a link; checked just below
            if not same_file(os.lstat(dest), st):
                os.rename(dest, src)
                raise ActionError(f"{src} was replaced while it was being quarantined")
            return
        copy_exclusive(fd, dest, digest)  # another file system: copy, verify, then remove
        if not same_file(_lstat(src), st):
            os.unlink(dest)
            raise ActionError(f"{src} was replaced while it was being quarantined")
        os.unlink(src)

    @staticmethod
    def _seal(ctx: ActionContext, dest: Path, args: QuarantineArgs) -> bool | str:
        port: EvidencePort | None = ctx.ports.evidence
        if port is None:
            return False
        try:
            port.add_file(
                dest,
                incident_id=args.incident_id,
                name=Path(args.path).name,
                note=args.reason,
                actor=ctx.actor,
            )
        except (GarrisonError, OSError) as exc:
            # The file is safe in quarantine already; failing the step now would make a retry
            # look for a file that has moved. Say so in the output instead.
            log.warning("quarantined %s but could not seal it as evidence: %s", dest, exc)
            return f"not sealed: {exc}"[:300]
        return True

    @staticmethod
    def _outcome(record: dict[str, Any], *, evidence: bool | str | None, changed: bool) -> Outcome:
        original, dest = record["original"], record["quarantined"]
        output = {
            "sha256": record["sha256"],
            "original": original,
            "quarantined": dest,
            "sidecar": str(_sidecar(Path(dest))),
            "evidence": evidence is True,
        }
        if isinstance(evidence, str):
            output["evidence_error"] = evidence
        what = "sealed as evidence" if evidence is True else "not sealed as evidence"
        summary = f"quarantined {original} as {dest}" + (f", {what}" if changed else "")
        return Outcome(
            summary,
            output=output,
            effects=effects(f"moved {original} to {dest}", f"wrote {_sidecar(Path(dest))}")
            if changed
            else (),
            undo=Undo("restore_file", {"quarantined": dest, "original": original}),
            changed=changed,
        )


def _prepare(qdir: Path) -> None:
    qdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(qdir)
    if not stat.S_ISDIR(st.st_mode):
        raise ActionError(f"the quarantine directory {qdir} is not a directory")
    os.chmod(qdir, 0o700)


def _write_sidecar(path: Path, record: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
    os.chmod(path, 0o400)


class RestoreFile(Action[RestoreArgs]):
    """Put a quarantined file back where it came from."""

    name = "restore_file"
    title: ClassVar[dict[str, str]] = {"en": "Restore quarantined file", "zh-CN": "恢复隔离文件"}
    args_model = RestoreArgs
    changes_host = True

    def plan(self, args: RestoreArgs, ctx: ActionContext) -> Outcome:
        """What :meth:`run` would do (nothing is examined)."""
        self._check_location(Path(args.quarantined), quarantine_dir(ctx))
        return Outcome(
            f"would restore {args.original}",
            output={"original": args.original, "quarantined": args.quarantined},
            effects=effects(
                f"move {args.quarantined} back to {args.original} if nothing is there",
                "restore its mode from the sidecar and remove the sidecar",
            ),
        )

    @staticmethod
    def _check_location(path: Path, qdir: Path) -> None:
        if Path(os.path.realpath(path.parent)) != qdir:
            raise ActionError(f"{path} is not in the quarantine directory {qdir}")

    def run(self, args: RestoreArgs, ctx: ActionContext) -> Outcome:
        """Move the file back and restore its mode (and owner, when allowed).

        Raises:
            ActionError: The file is not a quarantined one, its sidecar names another place,
                its hash changed, or something exists at the original path.
        """
        qdir = quarantine_dir(ctx)
        held, original = Path(args.quarantined), Path(args.original)
        self._check_location(held, qdir)
        st = _lstat(held)
        _regular(held, st)
        try:
            record = json.loads(_sidecar(held).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ActionError(f"the sidecar of {held} is missing or unreadable: {exc}") from None
        if record.get("original") != args.original:
            raise ActionError(f"{held} came from {record.get('original')!r}, not {original}")
        if os.path.lexists(original):
            raise ActionError(f"{original} exists: a restore never overwrites a file")
        fd = _open(held)
        try:
            if hash_fd(fd) != record.get("sha256"):
                raise ActionError(f"{held} no longer matches its recorded SHA-256: not restored")
            self._put_back(fd, held, original, str(record["sha256"]))
        finally:
            os.close(fd)
        os.chmod(original, int(str(record.get("mode", "0600")), 8))
        if os.geteuid() == 0:
            os.chown(original, int(record.get("uid", 0)), int(record.get("gid", 0)))
        _sidecar(held).unlink()
        return Outcome(
            f"restored {original}",
            output={"original": args.original, "sha256": record["sha256"], "restored": True},
            effects=effects(f"moved {held} back to {original}", f"removed {_sidecar(held)}"),
        )

    @staticmethod
    def _put_back(fd: int, held: Path, original: Path, digest: str) -> None:
        try:
            os.link(held, original)  # fails rather than replace a file created meanwhile
        except FileExistsError:
            raise ActionError(f"{original} exists: a restore never overwrites a file") from None
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM):
                raise ActionError(f"cannot restore {original}: {exc.strerror}") from None
            copy_exclusive(fd, original, digest)
        os.unlink(held)


ACTIONS = (QuarantineFile(), RestoreFile())

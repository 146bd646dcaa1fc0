"""File helpers of the quarantine actions: where quarantine lives, hashing, safe copies."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from garrison.core.errors import ActionError
from garrison.respond.actions.base import ActionContext, Effect

_CHUNK = 1024 * 1024


def quarantine_dir(ctx: ActionContext) -> Path:
    """The quarantine directory: ``[response] quarantine_dir`` or ``<home>/quarantine``."""
    configured = ctx.settings.quarantine_dir
    return Path(os.path.realpath(configured if configured else ctx.home / "quarantine"))


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    """Whether two stat results describe the same file (device and inode)."""
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def hash_fd(fd: int) -> str:
    """The SHA-256 of an open file, read from its start in chunks."""
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, _CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def copy_exclusive(fd: int, dest: Path, digest: str) -> None:
    """Copy the open file to ``dest`` (which must not exist) and check the copy's hash.

    Used when source and target are on different file systems, where a rename cannot work.

    Raises:
        ActionError: ``dest`` exists, the copy failed, or it does not hash to ``digest``.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        out = os.open(dest, flags, 0o600)
    except FileExistsError:
        raise ActionError(f"{dest} exists: it is never overwritten") from None
    except OSError as exc:
        raise ActionError(f"cannot create {dest}: {exc.strerror}") from None
    copied = hashlib.sha256()
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        while chunk := os.read(fd, _CHUNK):
            copied.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(out, view) :]
        os.fsync(out)
    except OSError as exc:
        os.close(out)
        os.unlink(dest)
        raise ActionError(f"copying to {dest} failed: {exc.strerror}") from None
    os.close(out)
    if copied.hexdigest() != digest:
        os.unlink(dest)
        raise ActionError(f"the copy at {dest} does not match the original's hash: removed")


def effects(*lines: str) -> tuple[Effect, ...]:
    """``record`` effects, one per line (file operations are not host commands)."""
    return tuple(Effect("record", line) for line in lines)

"""Private, durable file handling shared by the key file and the evidence store.

Keys and evidence must survive a crash in either their old or their new form, never half
written, and must not be readable by other local users. POSIX permission checks and the
advisory lock are skipped on Windows, where ``os.chmod`` only toggles read-only and access is
governed by ACLs on the data directory instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from garrison.core.errors import ConfigError

POSIX = os.name == "posix"

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if missing; a folder created here gets mode 0700.

    An existing folder keeps its mode: tightening an administrator's choice silently could
    break other tools, and the files inside are checked on their own.
    """
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    if POSIX:
        # mkdir's mode is filtered by the umask, so set it explicitly.
        path.chmod(PRIVATE_DIR_MODE)


def check_private(path: Path) -> None:
    """Refuse a file that group or others may read or write.

    Raises:
        ConfigError: The file is not a regular file or is accessible beyond its owner.
    """
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{path} is not a regular file", hint="point it at the key file")
    if POSIX and st.st_mode & 0o077:
        raise ConfigError(
            f"refusing to use {path}: it is accessible by group or others "
            f"(mode {stat.S_IMODE(st.st_mode):04o})",
            hint=f"run: chmod 600 {path}",
        )


def temp_path(final: Path) -> Path:
    """A unique hidden temporary name beside ``final`` (same folder, so rename is atomic)."""
    return final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")


def open_private_new(path: Path) -> int:
    """Create ``path`` exclusively with mode 0600 and return a writable descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, PRIVATE_FILE_MODE)


def write_private_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file (0600), fsync, rename, fsync the folder."""
    tmp = temp_path(path)
    fd = open_private_new(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows cannot open folders for this)."""
    if not POSIX:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_file`` across processes (POSIX only).

    The lock lives on a file that is never replaced: locking the key file itself would not
    work because rotation swaps it for a new inode.
    """
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        if sys.platform != "win32":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        # Closing the descriptor releases the flock.
        os.close(fd)

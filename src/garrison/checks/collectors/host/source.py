"""Where host facts come from: the files of a Linux host, read-only.

Every host collector reads through a :class:`HostSource`, so the same collector runs on this
machine (``LocalSource()``), on a fixture tree in the tests (``LocalSource(root)``) and on a
remote host over SSH/SFTP. Sources only read: a baseline scan must never change the host.
Paths are always absolute paths *on the host* (``/etc/ssh/sshd_config``); a source maps them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: Files larger than this are not read whole (a config file never is; a log may be).
MAX_READ = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileInfo:
    """The metadata of one file (from ``lstat``: symbolic links are not followed).

    Attributes:
        path: The absolute path on the host.
        mode: ``st_mode`` (type and permission bits).
        uid: Owner.
        gid: Group.
        size: Size in bytes.
    """

    path: str
    mode: int
    uid: int
    gid: int
    size: int

    @property
    def perms(self) -> int:
        """The permission bits (``0o644``)."""
        return stat.S_IMODE(self.mode)

    @property
    def is_dir(self) -> bool:
        """A directory."""
        return stat.S_ISDIR(self.mode)

    @property
    def is_file(self) -> bool:
        """A regular file."""
        return stat.S_ISREG(self.mode)

    @property
    def is_link(self) -> bool:
        """A symbolic link."""
        return stat.S_ISLNK(self.mode)


class HostSource(Protocol):
    """Read-only access to a host's files."""

    #: Shown in findings and reports (``local``, ``ssh://ops@10.0.0.5``, a fixture path).
    description: str

    def read_text(self, path: str, limit: int = MAX_READ) -> str | None:
        """The text of ``path`` (UTF-8, undecodable bytes replaced), ``None`` when unreadable."""
        ...

    def stat(self, path: str) -> FileInfo | None:
        """The ``lstat`` of ``path``, ``None`` when it does not exist or cannot be seen."""
        ...

    def listdir(self, path: str) -> list[str]:
        """The names in directory ``path`` (sorted); empty when it is missing or unreadable."""
        ...

    def walk(self, top: str, limit: int = 200_000) -> Iterator[FileInfo]:
        """Every file and directory under ``top`` (not following links), at most ``limit``."""
        ...


class LocalSource:
    """This machine's files, or a fixture tree standing in for a host's ``/``.

    Args:
        root: The directory that plays the host's ``/``. Absolute symbolic links inside a
            fixture tree resolve inside it, never onto the test machine's real files.
    """

    def __init__(self, root: Path | str = "/") -> None:
        self.root = Path(root)
        self._real = str(self.root) == "/"
        self.description = "local" if self._real else str(self.root)

    def _local(self, path: str, *, follow: bool) -> Path | None:
        """The local path of host path ``path``; ``None`` when a link loops or leaves the root."""
        if not path.startswith("/"):
            raise ValueError(f"host paths are absolute: {path!r}")
        if self._real:
            return Path(path)
        parts = [p for p in path.split("/") if p]
        done: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if done:
                    done.pop()
                continue
            local = self.root.joinpath(*done, part)
            last = not parts
            if local.is_symlink() and (follow or not last):
                hops += 1
                if hops > 40:
                    return None
                target = os.readlink(local)
                if target.startswith("/"):
                    done = []
                parts = [p for p in target.split("/") if p] + parts
                continue
            done.append(part)
        return self.root.joinpath(*done)

    def read_text(self, path: str, limit: int = MAX_READ) -> str | None:
        """The text of ``path``, ``None`` when missing, unreadable or not a regular file."""
        local = self._local(path, follow=True)
        if local is None:
            return None
        try:
            with local.open("rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                return handle.read(limit).decode("utf-8", "replace")
        except OSError:
            return None

    def stat(self, path: str) -> FileInfo | None:
        """The ``lstat`` of ``path``."""
        local = self._local(path, follow=False)
        if local is None:
            return None
        try:
            st = local.lstat()
        except OSError:
            return None
        return FileInfo(path, st.st_mode, st.st_uid, st.st_gid, st.st_size)

    def listdir(self, path: str) -> list[str]:
        """The names in directory ``path``."""
        local = self._local(path, follow=True)
        if local is None:
            return []
        try:
            return sorted(os.listdir(local))
        except OSError:
            return []

    def walk(self, top: str, limit: int = 200_000) -> Iterator[FileInfo]:
        """Files and directories under ``top``, depth first, links not followed."""
        local_top = self._local(top, follow=True)
        if local_top is None:
            return
        prefix = str(local_top)
        seen = 0
        for dirpath, dirnames, filenames in os.walk(local_top, followlinks=False):
            dirnames.sort()
            rel = dirpath[len(prefix) :]
            host_dir = (top.rstrip("/") + rel) or "/"
            for name in [*sorted(dirnames), *sorted(filenames)]:
                try:
                    st = os.lstat(os.path.join(dirpath, name))
                except OSError:
                    continue
                yield FileInfo(
                    f"{host_dir.rstrip('/')}/{name}", st.st_mode, st.st_uid, st.st_gid, st.st_size
                )
                seen += 1
                if seen >= limit:
                    return

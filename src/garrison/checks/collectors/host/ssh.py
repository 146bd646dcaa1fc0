"""A remote Linux host over SSH/SFTP, read-only, as a :class:`HostSource`.

Only SFTP is used (no commands are run on the host), so a scan cannot change the host and
nothing read from it is ever handed to a shell. asyncssh is asynchronous and the collectors
are not: the source runs a private event loop in a background thread and each call waits for
its result there, so the :class:`HostSource` protocol stays synchronous.

The host key is always verified: against a known_hosts file (``~/.ssh/known_hosts`` unless
another is given) or against a key pinned explicitly with ``host_key`` (an OpenSSH public key
line, or its ``SHA256:`` fingerprint as ``ssh-keygen -lf`` prints it). There is no option to
skip verification: an unverified host could feed the scan a forged ``sshd_config``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import getpass
import posixpath
import stat as statmod
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import asyncssh

from garrison.checks.collectors.host.source import MAX_READ, FileInfo
from garrison.core.errors import ConfigError, GarrisonError, TargetError

T = TypeVar("T")
DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"


class SshUnreachableError(TargetError):
    """The SSH host could not be reached, or the connection dropped."""

    code = "ssh.unreachable"
    exit_code = 1


class SshLoginError(TargetError):
    """The SSH host refused the login (user, key or password)."""

    code = "ssh.login"


class HostKeyError(TargetError):
    """The host's key is unknown or differs from the trusted one (possible impostor)."""

    code = "ssh.host_key"


class _PinnedClient(asyncssh.SSHClient):
    """Accepts only the host key whose SHA256 fingerprint was pinned."""

    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        return bool(key.get_fingerprint("sha256") == self._fingerprint)


class SshSource:
    """Read-only access to a host's files over SFTP.

    Args:
        host: Host name or address.
        port: SSH port.
        username: The user to log in as (default: the local user, as ssh does). root, or a
            user that can read ``/etc/shadow``, sees the most; others get ``manual`` results
            where a file is unreadable.
        key_file: Private key file; without it the SSH agent and default keys are tried.
        password: Password (prefer keys: a password is kept only for the login).
        known_hosts: known_hosts file to verify the host key (``~/.ssh/known_hosts``).
        host_key: Trust exactly this host key instead: an OpenSSH public key line
            (``ssh-ed25519 AAAA...``) or its fingerprint (``SHA256:...``).
        timeout: Seconds to connect, and for each file operation.

    Raises:
        SshLoginError: The login was refused.
        HostKeyError: The host key is unknown or does not match.
        SshUnreachableError: The host cannot be reached.
        ConfigError: The key or known_hosts file cannot be used.
    """

    def __init__(
        self,
        host: str,
        port: int = 22,
        username: str | None = None,
        key_file: str | Path | None = None,
        password: str | None = None,
        known_hosts: str | Path | None = None,
        host_key: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username or getpass.getuser()  # like ssh: the local user name
        self.timeout = timeout
        self.description = f"ssh://{self.username}@{host}:{port}"
        options = self._options(key_file, password, known_hosts, host_key)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"garrison-ssh-{host}", daemon=True
        )
        self._thread.start()
        self._conn: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None
        try:
            self._conn, self._sftp = self._run(self._connect(options), timeout + 5)
        except BaseException:
            self._stop_loop()
            raise

    # -- connection ------------------------------------------------------------------------

    def _options(
        self,
        key_file: str | Path | None,
        password: str | None,
        known_hosts: str | Path | None,
        host_key: str | None,
    ) -> dict[str, Any]:
        options: dict[str, Any] = {
            "port": self.port,
            "username": self.username,
            "connect_timeout": self.timeout,
            "config": None,  # the scan must not depend on the service user's ~/.ssh/config
        }
        if key_file is not None:
            try:
                options["client_keys"] = [asyncssh.read_private_key(str(key_file))]
            except (OSError, asyncssh.KeyImportError) as exc:
                raise ConfigError(
                    f"cannot use SSH key {key_file}: {exc}",
                    hint="give an unencrypted OpenSSH private key readable by Garrison",
                ) from exc
        if password is not None:
            options["password"] = password
        if host_key is not None:
            pinned = host_key.strip()
            if pinned.startswith("SHA256:"):
                options["known_hosts"] = ([], [], [])
                options["client_factory"] = lambda: _PinnedClient(pinned)
            else:
                try:
                    key = asyncssh.import_public_key(pinned)
                except (asyncssh.KeyImportError, ValueError) as exc:
                    raise ConfigError(
                        "host_key is neither an OpenSSH public key nor a SHA256 fingerprint",
                        hint="copy a line of /etc/ssh/ssh_host_*_key.pub, or ssh-keygen -lf's",
                    ) from exc
                options["known_hosts"] = ([key], [], [])
            return options
        path = Path(known_hosts or DEFAULT_KNOWN_HOSTS).expanduser()
        if not path.is_file():
            raise HostKeyError(
                f"cannot verify the host key of {self.host}: no known_hosts file at {path}",
                hint="add the host with ssh-keyscan after checking its fingerprint, "
                "or pin its key (host_key)",
            )
        options["known_hosts"] = str(path)
        return options

    async def _connect(
        self, options: dict[str, Any]
    ) -> tuple[asyncssh.SSHClientConnection, asyncssh.SFTPClient]:
        where = f"{self.host}:{self.port}"
        try:
            conn = await asyncssh.connect(self.host, **options)
        except asyncssh.HostKeyNotVerifiable as exc:
            raise HostKeyError(
                f"the host key of {where} is not trusted ({exc.reason})",
                hint="if the host was reinstalled, verify the new fingerprint and update "
                "known_hosts; otherwise someone may be impersonating it",
            ) from exc
        except asyncssh.PermissionDenied as exc:
            raise SshLoginError(
                f"SSH login as {self.username!r} on {where} was refused",
                hint="check the user name and that its key is in authorized_keys",
            ) from exc
        except asyncssh.DisconnectError as exc:
            raise SshUnreachableError(f"SSH to {where} failed: {exc.reason}") from exc
        except OSError as exc:  # TimeoutError (connect_timeout) is an OSError too
            reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror
            raise SshUnreachableError(
                f"cannot reach {where}: {reason or exc}",
                hint="check the address, the port and firewalls",
            ) from exc
        try:
            sftp = await conn.start_sftp_client()
        except (asyncssh.Error, OSError) as exc:
            conn.close()
            raise SshUnreachableError(
                f"{where} does not offer SFTP: {exc}",
                hint="enable 'Subsystem sftp' in the host's sshd_config",
            ) from exc
        return conn, sftp

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the private loop and wait for it."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self.timeout if timeout is None else timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise SshUnreachableError(f"{self.description}: no answer in time") from exc

    def _client(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            raise SshUnreachableError(f"{self.description}: the connection is closed")
        return self._sftp

    def close(self) -> None:
        """Close the connection and stop the background loop (idempotent)."""
        conn, self._conn, self._sftp = self._conn, None, None
        if conn is not None and self._loop.is_running():

            async def _close() -> None:
                conn.close()
                await conn.wait_closed()

            # Closing a dead connection must not hide the scan's results.
            with contextlib.suppress(GarrisonError):
                self._run(_close(), 5)
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()

    def __enter__(self) -> SshSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- HostSource ------------------------------------------------------------------------

    @staticmethod
    def _check(path: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"host paths are absolute: {path!r}")

    def read_text(self, path: str, limit: int = MAX_READ) -> str | None:
        """The text of ``path``, ``None`` when missing, unreadable or not a regular file."""
        self._check(path)
        sftp = self._client()

        async def _read() -> bytes | None:
            try:
                attrs = await sftp.stat(path)  # follows links, like open() does
                if attrs.permissions is None or not statmod.S_ISREG(attrs.permissions):
                    return None
                async with sftp.open(path, "rb") as handle:
                    data: bytes = await handle.read(limit)
                    return data
            except (asyncssh.SFTPError, OSError):
                return None

        data = self._run(_read())
        return None if data is None else data.decode("utf-8", "replace")

    def stat(self, path: str) -> FileInfo | None:
        """The ``lstat`` of ``path``, ``None`` when it does not exist or cannot be seen."""
        self._check(path)
        sftp = self._client()

        async def _lstat() -> asyncssh.SFTPAttrs | None:
            try:
                return await sftp.lstat(path)
            except (asyncssh.SFTPError, OSError):
                return None

        attrs = self._run(_lstat())
        return None if attrs is None else _info(path, attrs)

    def listdir(self, path: str) -> list[str]:
        """The names in directory ``path`` (sorted); empty when missing or unreadable."""
        self._check(path)
        return sorted(name for name, _ in self._entries(path))

    def _entries(self, path: str) -> list[tuple[str, asyncssh.SFTPAttrs]]:
        sftp = self._client()

        async def _readdir() -> list[tuple[str, asyncssh.SFTPAttrs]]:
            try:
                names = await sftp.readdir(path)
            except (asyncssh.SFTPError, OSError):
                return []
            return [(str(n.filename), n.attrs) for n in names if n.filename not in (".", "..")]

        return self._run(_readdir())

    def _is_dir_link(self, path: str) -> bool:
        """A link to a directory (listed with the directories, never descended into)."""
        sftp = self._client()

        async def _stat() -> bool:
            try:
                attrs = await sftp.stat(path)
            except (asyncssh.SFTPError, OSError):
                return False
            return attrs.permissions is not None and statmod.S_ISDIR(attrs.permissions)

        return self._run(_stat())

    def walk(self, top: str, limit: int = 200_000) -> Iterator[FileInfo]:
        """Every file and directory under ``top`` (links not followed), at most ``limit``.

        Same order as :meth:`LocalSource.walk`: a directory's subdirectories then its files,
        each sorted, then each subdirectory in turn.
        """
        self._check(top)
        seen = 0
        pending = [top.rstrip("/") or "/"]
        while pending:
            directory = pending.pop(0)
            dirs: list[FileInfo] = []
            files: list[FileInfo] = []
            descend: list[str] = []
            for name, attrs in sorted(self._entries(directory), key=lambda entry: entry[0]):
                info = _info(posixpath.join(directory, name), attrs)
                if info.is_dir:
                    dirs.append(info)
                    descend.append(info.path)
                elif info.is_link and self._is_dir_link(info.path):
                    dirs.append(info)
                else:
                    files.append(info)
            for info in [*dirs, *files]:
                yield info
                seen += 1
                if seen >= limit:
                    return
            pending[0:0] = descend


def _info(path: str, attrs: asyncssh.SFTPAttrs) -> FileInfo:
    return FileInfo(path, attrs.permissions or 0, attrs.uid or 0, attrs.gid or 0, attrs.size or 0)

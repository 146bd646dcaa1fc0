"""The SSH source against a real local asyncssh server whose SFTP root is a fixture tree."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from garrison.checks.collectors.host import accounts, password_policy, sshd
from garrison.checks.collectors.host.source import LocalSource
from garrison.checks.collectors.host.ssh import (
    HostKeyError,
    SshLoginError,
    SshSource,
    SshUnreachableError,
)
from garrison.core.errors import ConfigError, GarrisonError, TargetError

HERE = Path(__file__).parent
HOST_FIXTURES = HERE.parent.parent / "host"


class _Server(asyncssh.SSHServer):
    """Keys from authorized_keys, or the password 'correct horse' for user 'pw'."""

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == "pw" and password == "correct horse"


@dataclass
class Server:
    port: int
    root: Path
    known_hosts: Path
    host_key: asyncssh.SSHKey
    client_key: Path


def _tree(root: Path) -> None:
    """A host: Debian-style sshd with a drop-in, PAM, accounts, and a link to a directory."""
    files = {
        "etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n"
        "Match User backup\n  PasswordAuthentication yes\n",
        "etc/ssh/sshd_config.d/50-cloud.conf": "PermitRootLogin yes\nMaxAuthTries 3\n",
        "etc/profile.d/tmout.sh": "readonly TMOUT=600\n",
        "etc/pam.d/common-password": "password requisite pam_pwquality.so retry=3 minlen=14\n"
        "password [success=1 default=ignore] pam_unix.so obscure remember=5\n",
        "etc/security/pwquality.conf": "minclass = 4\n",
        "etc/login.defs": "PASS_MAX_DAYS 90\nUID_MIN 1000\n",
        "etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n",
        "etc/shadow": "root:*:19000:0:99999:7:::\nalice:$y$j9T$salt$fakefakefake:19000:0:90:7:::\n",
        "etc/group": "root:x:0:\nalice:x:1000:\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    os.chmod(root / "etc/shadow", 0o640)
    os.symlink("sshd_config.d", root / "etc/ssh/dropins")  # relative: stays in the tree


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("ssh")
    root = base / "host"
    _tree(root)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key.write_private_key(str(base / "id_ed25519"))
    client_key.write_public_key(str(base / "authorized_keys"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.create_server(
            _Server,
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            authorized_client_keys=str(base / "authorized_keys"),
            sftp_factory=functools.partial(asyncssh.SFTPServer, chroot=str(root)),
        )

    acceptor = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    port = acceptor.sockets[0].getsockname()[1]
    known = base / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_key.export_public_key().decode()}")
    yield Server(port, root, known, host_key, base / "id_ed25519")

    async def stop() -> None:
        acceptor.close()
        await acceptor.wait_closed()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def connect(server: Server, **options: Any) -> SshSource:
    defaults: dict[str, Any] = {
        "port": server.port,
        "username": "ops",
        "key_file": server.client_key,
        "known_hosts": server.known_hosts,
        "timeout": 10,
    }
    defaults.update(options)
    return SshSource("127.0.0.1", **defaults)


def test_collectors_give_the_same_facts_over_ssh_as_locally(server: Server) -> None:
    local = LocalSource(server.root)
    with connect(server) as remote:
        assert remote.description == f"ssh://ops@127.0.0.1:{server.port}"
        for collect in (sshd.collect, password_policy.collect, accounts.collect):
            assert collect(remote) == collect(local)
        config = sshd.collect(remote)
    assert config.effective("PermitRootLogin").file == "/etc/ssh/sshd_config.d/50-cloud.conf"
    assert config.matches[0].criteria == "User backup"
    assert config.tmout[0].value == "600"


def test_file_primitives_match_the_local_source(server: Server) -> None:
    local = LocalSource(server.root)
    with connect(server) as remote:
        assert remote.read_text("/etc/ssh/sshd_config") == local.read_text("/etc/ssh/sshd_config")
        assert remote.read_text("/etc/ssh/sshd_config", limit=7) == "Include"
        assert remote.read_text("/etc/missing") is None
        assert remote.read_text("/etc/ssh") is None  # a directory is not text
        assert remote.read_text("/etc/ssh/dropins/50-cloud.conf") is not None
        assert remote.listdir("/etc/ssh") == local.listdir("/etc/ssh")
        assert remote.listdir("/nope") == []
        for path in ("/etc/shadow", "/etc/ssh/dropins", "/etc/ssh"):
            assert remote.stat(path) == local.stat(path), path
        shadow = remote.stat("/etc/shadow")
        assert shadow is not None and shadow.perms == 0o640 and shadow.is_file
        link = remote.stat("/etc/ssh/dropins")
        assert link is not None and link.is_link
        assert remote.stat("/etc/nothing") is None
        assert list(remote.walk("/etc")) == list(local.walk("/etc"))
        assert len(list(remote.walk("/", limit=4))) == 4
        with pytest.raises(ValueError, match="absolute"):
            remote.read_text("etc/passwd")


def test_password_login(server: Server) -> None:
    with connect(server, username="pw", key_file=None, password="correct horse") as remote:
        assert remote.read_text("/etc/group") == "root:x:0:\nalice:x:1000:\n"
    with pytest.raises(SshLoginError, match="refused"):
        connect(server, username="pw", key_file=None, password="wrong")


def test_a_key_that_is_not_authorized_is_refused(server: Server, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519")
    other.write_private_key(str(tmp_path / "other"))
    with pytest.raises(SshLoginError) as caught:
        connect(server, key_file=tmp_path / "other")
    assert caught.value.code == "ssh.login" and caught.value.hint


def test_an_unknown_host_key_is_refused(server: Server, tmp_path: Path) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} {stranger}")
    with pytest.raises(HostKeyError, match="not trusted") as caught:
        connect(server, known_hosts=known)
    assert caught.value.code == "ssh.host_key" and isinstance(caught.value, TargetError)
    with pytest.raises(HostKeyError, match="no known_hosts"):
        connect(server, known_hosts=tmp_path / "missing")


def test_a_pinned_host_key_or_fingerprint(server: Server) -> None:
    line = server.host_key.export_public_key().decode().strip()
    with connect(server, known_hosts=None, host_key=line) as remote:
        assert remote.listdir("/etc")
    fingerprint = server.host_key.get_fingerprint("sha256")
    with connect(server, known_hosts=None, host_key=fingerprint) as remote:
        assert remote.stat("/etc/passwd") is not None
    with pytest.raises(HostKeyError):
        connect(server, host_key="SHA256:" + "A" * 43)
    with pytest.raises(ConfigError):
        connect(server, host_key="not a key")


def test_unreachable_host(server: Server) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    with pytest.raises(SshUnreachableError, match="cannot reach") as caught:
        connect(server, port=free, timeout=3)
    assert isinstance(caught.value, GarrisonError) and caught.value.hint


def test_unusable_key_file(server: Server, tmp_path: Path) -> None:
    (tmp_path / "bad").write_text("not a key\n")
    with pytest.raises(ConfigError, match="cannot use SSH key"):
        connect(server, key_file=tmp_path / "bad")


def test_close_is_idempotent_and_stops_the_thread(server: Server) -> None:
    remote = connect(server)
    remote.close()
    remote.close()
    assert not remote._thread.is_alive()
    with pytest.raises(SshUnreachableError, match="closed"):
        remote.read_text("/etc/passwd")

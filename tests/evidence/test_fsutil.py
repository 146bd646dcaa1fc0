"""Private, atomic file helpers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.evidence import fsutil


def test_write_private_atomic_replaces_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")
    fsutil.write_private_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_check_private_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a regular file"):
        fsutil.check_private(tmp_path)


def test_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    fsutil.ensure_private_dir(folder)
    if os.name == "posix":
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_temp_names_are_hidden_and_unique(tmp_path: Path) -> None:
    a, b = fsutil.temp_path(tmp_path / "x"), fsutil.temp_path(tmp_path / "x")
    assert a != b and a.parent == tmp_path and a.name.startswith(".x.")


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_lock_excludes_another_holder(tmp_path: Path) -> None:
    import fcntl

    lock = tmp_path / "lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with fsutil.locked(lock), pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once released
    finally:
        os.close(fd)

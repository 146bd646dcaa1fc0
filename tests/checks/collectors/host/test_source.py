"""The local host source: fixture trees stand in for ``/`` and never leak onto the real one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from garrison.checks.collectors.host.source import LocalSource


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "etc/ssh").mkdir(parents=True)
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "usr/lib/os-release").write_text("ID=debian\n")
    (tmp_path / "etc/ssh/sshd_config").write_text("PermitRootLogin no\n")
    os.chmod(tmp_path / "etc/ssh/sshd_config", 0o600)
    os.symlink("/usr/lib/os-release", tmp_path / "etc/os-release")
    os.symlink("/etc/hostname", tmp_path / "etc/escape")  # absent in the tree
    os.symlink("../../etc/ssh", tmp_path / "usr/lib/ssh")
    return tmp_path


def test_absolute_links_resolve_inside_the_tree(tree: Path) -> None:
    source = LocalSource(tree)
    assert source.read_text("/etc/os-release") == "ID=debian\n"
    assert source.read_text("/etc/escape") is None  # not the test machine's /etc/hostname
    assert source.read_text("/usr/lib/ssh/sshd_config") == "PermitRootLogin no\n"


def test_stat_does_not_follow_the_last_link(tree: Path) -> None:
    source = LocalSource(tree)
    link = source.stat("/etc/os-release")
    assert link is not None and link.is_link
    config = source.stat("/etc/ssh/sshd_config")
    assert config is not None and config.is_file and config.perms == 0o600
    assert source.stat("/etc/missing") is None


def test_listdir_and_walk_use_host_paths(tree: Path) -> None:
    source = LocalSource(tree)
    assert source.listdir("/etc") == ["escape", "os-release", "ssh"]
    assert source.listdir("/nope") == []
    paths = [f.path for f in source.walk("/etc")]
    assert "/etc/ssh/sshd_config" in paths and "/etc/os-release" in paths
    assert len(list(source.walk("/", limit=3))) == 3


def test_relative_paths_are_refused(tree: Path) -> None:
    with pytest.raises(ValueError, match="absolute"):
        LocalSource(tree).read_text("etc/passwd")


def test_directories_are_not_read_as_text(tree: Path) -> None:
    assert LocalSource(tree).read_text("/etc/ssh") is None

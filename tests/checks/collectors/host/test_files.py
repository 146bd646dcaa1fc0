"""The ``file_modes`` collector: sensitive files, bounded walks, sticky folders, web roots."""

from __future__ import annotations

import os
from pathlib import Path

from garrison.checks.collectors.host import files
from garrison.checks.collectors.host.source import LocalSource


def _file(root: Path, path: str, mode: int, text: str = "x\n") -> Path:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    os.chmod(target, mode)
    return target


def test_sensitive_files_are_read_in_order(tmp_path: Path) -> None:
    _file(tmp_path, "/etc/sudoers", 0o440)
    _file(tmp_path, "/etc/shadow", 0o640)
    found = files.collect(LocalSource(tmp_path)).sensitive
    assert [(i.path, i.perms) for i in found] == [("/etc/shadow", 0o640), ("/etc/sudoers", 0o440)]


def test_world_writable_and_777_skip_links_and_sticky_folders(tmp_path: Path) -> None:
    _file(tmp_path, "/etc/open", 0o666)
    _file(tmp_path, "/usr/bin/tool", 0o777)
    (tmp_path / "etc/spool").mkdir()
    os.chmod(tmp_path / "etc/spool", 0o1777)  # noqa: S103 - a /tmp-like folder
    os.symlink("/etc/open", tmp_path / "etc/link")
    modes = files.collect(LocalSource(tmp_path))
    assert [i.path for i in modes.world_writable] == ["/etc/open", "/usr/bin/tool"]
    assert [i.path for i in modes.mode_777] == ["/usr/bin/tool"]
    assert modes.system_roots == ("/etc", "/usr/bin") and not modes.truncated


def test_a_root_that_is_a_link_is_not_walked_twice(tmp_path: Path) -> None:
    _file(tmp_path, "/usr/bin/tool", 0o777)
    os.symlink("usr/bin", tmp_path / "bin")
    modes = files.collect(LocalSource(tmp_path))
    assert modes.system_roots == ("/usr/bin",)
    assert [i.path for i in modes.mode_777] == ["/usr/bin/tool"]


def test_web_roots_flag_folders_above_750_and_files_above_640(tmp_path: Path) -> None:
    _file(tmp_path, "/var/www/html/ok.php", 0o640)
    _file(tmp_path, "/var/www/html/loose.php", 0o644)
    _file(tmp_path, "/var/www/html/run.sh", 0o750)  # executable bit is above 640
    os.chmod(tmp_path / "var/www/html", 0o750)  # noqa: S103 - a web folder
    os.chmod(tmp_path / "var/www", 0o755)  # noqa: S103 - the usual default
    modes = files.collect(LocalSource(tmp_path))
    assert modes.web_roots == ("/var/www",)
    assert {i.path for i in modes.web_loose} == {
        "/var/www",
        "/var/www/html/loose.php",
        "/var/www/html/run.sh",
    }
    assert modes.web_loose_count == 3


def test_roots_can_be_passed_in(tmp_path: Path) -> None:
    _file(tmp_path, "/opt/app/www/index.html", 0o666)
    modes = files.collect(LocalSource(tmp_path), system_roots=(), web_roots=("/opt/app/www",))
    assert [i.path for i in modes.world_writable] == ["/opt/app/www/index.html"]
    assert modes.web_roots == ("/opt/app/www",)


def test_the_walk_stops_at_its_bound_and_says_so(tmp_path: Path) -> None:
    for n in range(20):
        _file(tmp_path, f"/etc/f{n:02}", 0o666)
    modes = files.collect(LocalSource(tmp_path), max_entries=5)
    assert modes.truncated and modes.scanned == 5
    assert len(modes.world_writable) <= 5


def test_the_walk_stops_at_its_time_budget(tmp_path: Path) -> None:
    for n in range(600):
        _file(tmp_path, f"/etc/f{n:03}", 0o644)
    modes = files.collect(LocalSource(tmp_path), max_seconds=-1)
    assert modes.truncated and modes.scanned < 600


def test_no_roots_means_nothing_walked(tmp_path: Path) -> None:
    modes = files.collect(LocalSource(tmp_path))
    assert modes.system_roots == () and modes.web_roots == () and modes.scanned == 0


def test_describe_shows_octal_and_symbolic_modes(tmp_path: Path) -> None:
    _file(tmp_path, "/etc/x", 0o777)
    info = LocalSource(tmp_path).stat("/etc/x")
    assert info is not None and files.describe(info) == "0777 (-rwxrwxrwx)"

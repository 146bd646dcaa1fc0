"""The ``processes`` collector: ``comm`` names, and ``cmdline`` where ``comm`` was cut."""

from __future__ import annotations

from pathlib import Path

from garrison.checks.collectors.host import processes
from garrison.checks.collectors.host.source import LocalSource


def _proc(root: Path, pid: int, comm: str, cmdline: str | None = None) -> None:
    folder = root / "proc" / str(pid)
    folder.mkdir(parents=True)
    (folder / "comm").write_text(comm + "\n")
    if cmdline is not None:
        (folder / "cmdline").write_text(cmdline)


def test_names_from_comm_and_cut_names_from_cmdline(tmp_path: Path) -> None:
    _proc(tmp_path, 1, "systemd")
    _proc(tmp_path, 400, "systemd-timesyn", "/lib/systemd/systemd-timesyncd\0")
    _proc(tmp_path, 401, "rsyslogd", "/usr/sbin/rsyslogd\0-n\0")
    (tmp_path / "proc/self").mkdir()  # not a pid
    found = processes.collect(LocalSource(tmp_path))
    assert found.available and found.count == 3
    assert found.names == {"systemd", "systemd-timesyn", "systemd-timesyncd", "rsyslogd"}
    assert found.running("systemd-timesyncd") and found.running("nope", "rsyslogd")
    assert not found.running("auditd")


def test_long_names_match_their_cut(tmp_path: Path) -> None:
    _proc(tmp_path, 9, "systemd-timesyn")  # cmdline unreadable
    assert processes.collect(LocalSource(tmp_path)).running("systemd-timesyncd")


def test_no_proc(tmp_path: Path) -> None:
    found = processes.collect(LocalSource(tmp_path))
    assert not found.available and found.names == frozenset()

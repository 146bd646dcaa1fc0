"""The ``updates`` collector: apt periodic settings, unattended-upgrades, dnf-automatic, yum-cron."""

from __future__ import annotations

import os
from pathlib import Path

from garrison.checks.collectors.host import updates
from garrison.checks.collectors.host.source import LocalSource
from tests.checks.host._trees import write_tree


def test_debian_settings_last_file_wins(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/debian_version": "12.5\n",
            "/etc/apt/apt.conf.d/20auto-upgrades": 'APT::Periodic::Unattended-Upgrade "1";\n',
            "/etc/apt/apt.conf.d/99off": '// off\nAPT::Periodic::Unattended-Upgrade "0";\n',
            "/etc/apt/apt.conf.d/50unattended-upgrades": "Unattended-Upgrade::Origins-Pattern {\n"
            '  // "origin=Debian,label=Debian-Security";\n  "origin=Debian,label=Debian";\n};\n',
            "/var/lib/dpkg/info/unattended-upgrades.list": "",
        },
    )
    found = updates.collect(source)
    assert found.family == "debian" and found.unattended_installed
    setting = found.apt["apt::periodic::unattended-upgrade"]
    assert (setting.value, setting.file, setting.line) == ("0", "/etc/apt/apt.conf.d/99off", 2)
    assert found.unattended_security is False  # the security origin is commented out


def test_rhel_dnf_automatic_and_its_timer(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/redhat-release": "Rocky Linux release 9.4 (Blue Onyx)\n",
            "/etc/dnf/automatic.conf": "[commands]\nupgrade_type = security\napply_updates = yes\n",
        },
    )
    wants = tmp_path / "etc/systemd/system/timers.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/usr/lib/systemd/system/dnf-automatic.timer", wants / "dnf-automatic.timer")
    found = updates.collect(source)
    assert found.family == "rhel" and found.dnf is not None
    assert found.dnf["apply_updates"].value == "yes" and found.dnf["apply_updates"].line == 3
    assert found.dnf_timers == ("dnf-automatic.timer",)


def test_yum_cron(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {"/etc/yum/yum-cron.conf": "[commands]\napply_updates = no\n", "/etc/yum.conf": ""},
    )
    found = updates.collect(source)
    assert found.family == "rhel" and found.yum_cron is not None
    assert found.yum_cron["apply_updates"].value == "no" and not found.yum_cron_enabled


def test_unknown_family(tmp_path: Path) -> None:
    assert updates.collect(LocalSource(tmp_path)).family is None

"""The ``timesync`` collector: chrony, ntp and timesyncd servers, enabled units, containers."""

from __future__ import annotations

import os
from pathlib import Path

from garrison.checks.collectors.host import timesync
from garrison.checks.collectors.host.source import LocalSource
from tests.checks.host._trees import write_tree


def test_chrony_servers_from_main_file_and_sources(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/chrony.conf": "# server commented.example\npool 2.rhel.pool.ntp.org iburst\n",
            "/etc/chrony/sources.d/local.sources": "server 10.0.0.1 iburst\n",
        },
    )
    (service,) = timesync.collect(source).services
    assert service.name == "chrony" and service.config == "/etc/chrony.conf"
    assert service.servers == ("2.rhel.pool.ntp.org", "10.0.0.1") and service.configured


def test_timesyncd_enabled_without_servers_uses_its_fallback(tmp_path: Path) -> None:
    source = write_tree(tmp_path, {"/etc/systemd/timesyncd.conf": "[Time]\n#NTP=\n"})
    wants = tmp_path / "etc/systemd/system/sysinit.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/lib/systemd/system/systemd-timesyncd.service", wants / "systemd-timesyncd.service")
    (service,) = timesync.collect(source).services
    assert service.enabled and service.servers == () and service.configured


def test_timesyncd_ntp_assignment_replaces() -> None:
    assert timesync.timesyncd_servers("NTP=a b\nNTP=c\n# NTP=d\n") == ["c"]


def test_ntp_without_servers_is_not_configured(tmp_path: Path) -> None:
    source = write_tree(tmp_path, {"/etc/ntp.conf": "driftfile /var/lib/ntp/drift\n"})
    (service,) = timesync.collect(source).services
    assert service.name == "ntp" and not service.configured


def test_container_markers(tmp_path: Path) -> None:
    write_tree(tmp_path, {"/.dockerenv": ""})
    found = timesync.collect(LocalSource(tmp_path))
    assert found.container and found.services == ()

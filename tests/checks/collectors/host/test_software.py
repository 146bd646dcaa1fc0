"""The ``software`` collector: OS release, dpkg and apk packages, RPM hosts, BT PHP, DedeCMS."""

from __future__ import annotations

from pathlib import Path

from garrison.checks.collectors.host import software
from garrison.checks.collectors.host.source import LocalSource
from tests.checks.host._trees import write_tree


def test_os_release() -> None:
    found = software.parse_os_release(
        'NAME="CentOS Stream"\nVERSION_ID="9"\nID="centos"\nPRETTY_NAME="CentOS Stream 9"\n',
        "/etc/os-release",
    )
    assert found == software.OsRelease("centos", "9", "CentOS Stream 9", "/etc/os-release")
    assert software.parse_os_release("NAME=x\n", "/x") is None


def test_old_releases_without_os_release(tmp_path: Path) -> None:
    source = write_tree(tmp_path, {"/etc/redhat-release": "CentOS release 6.10 (Final)\n"})
    os_ = software.collect(source).os
    assert os_ is not None and (os_.id, os_.version_id) == ("centos", "6")
    rhel = software.parse_redhat_release(
        "Red Hat Enterprise Linux Server release 5.11 (Tikanga)", "/etc/redhat-release"
    )
    assert rhel is not None and (rhel.id, rhel.version_id) == ("rhel", "5")
    debian = software.collect(write_tree(tmp_path / "d", {"/etc/debian_version": "8.11\n"})).os
    assert debian is not None and (debian.id, debian.version_id) == ("debian", "8")


def test_dpkg_status_keeps_installed_packages_only() -> None:
    text = (
        "Package: a\nStatus: install ok installed\nVersion: 1.0\nDescription: x\n long\n\n"
        "Package: b\nStatus: deinstall ok config-files\nVersion: 2.0\n\n"
        "Package: c\nStatus: install ok installed\n"
    )
    assert software.parse_dpkg_status(text) == [
        software.Package("a", "1.0", "dpkg"),
        software.Package("c", "", "dpkg"),
    ]


def test_apk_database(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {"/lib/apk/db/installed": "C:Q1x\nP:musl\nV:1.2.4-r2\n\nP:libssl1.1\nV:1.1.1w-r1\n"},
    )
    found = software.collect(source)
    assert found.package_db == "apk"
    assert [(p.name, p.version) for p in found.packages] == [
        ("musl", "1.2.4-r2"),
        ("libssl1.1", "1.1.1w-r1"),
    ]


def test_rpm_hosts_say_their_database_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    found = software.collect(LocalSource(tmp_path))
    assert found.package_db == "rpm" and found.packages == ()


def test_bt_panel_php_and_dedecms(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/www/server/php/56/bin/php": "",
            "/www/server/php/74/bin/php": "",
            "/www/wwwroot/shop/data/admin/ver.txt": "20180109\n",
        },
    )
    found = software.collect(source).packages
    assert [(p.name, p.version) for p in found] == [
        ("php", "5.6"),
        ("php", "7.4"),
        ("dedecms", "20180109"),
    ]
    assert found[2].source == "/www/wwwroot/shop/data/admin/ver.txt"

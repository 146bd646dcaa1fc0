"""Host checks, part B (files, listeners, logging, updates, time, sysctl, end of life): each
failing fixture tree fails on the right resource (and line), each passing one does not fail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from garrison.checks.base import Check, Facts, Status
from garrison.checks.collectors.host.files import FileModes
from garrison.checks.collectors.host.listening import Listener, Listening
from garrison.checks.collectors.host.processes import Processes
from garrison.checks.collectors.host.registry import collect_host
from garrison.checks.collectors.host.software import OsRelease, Package, Software
from garrison.checks.collectors.host.source import FileInfo, LocalSource
from garrison.checks.collectors.host.sysctl import Sysctl, SysctlValue
from garrison.checks.collectors.host.timesync import TimeService, TimeSync
from garrison.checks.collectors.host.updates import Setting, Updates
from garrison.checks.loader import ROOT, load_check
from garrison.checks.runner import run_checks
from tests.checks.host._trees import tree

HERE = Path(__file__).parent
#: When the end-of-life checks think the scan runs.
NOW = datetime(2025, 6, 1, tzinfo=UTC)
#: check -> the (resource, line) of every failure its failing fixture gives.
FAILURES: dict[str, list[tuple[str, int | None]]] = {
    "files_sensitive_modes": [("/etc/shadow", None)],
    "files_world_writable": [("/etc/cron.d/backup", None)],
    "files_mode_777": [("/usr/local/bin/deploy.sh", None)],
    "files_web_root_modes": [("/var/www/html/index.php", None)],
    "listening_high_risk_ports": [("tcp/0.0.0.0:6379", None), ("tcp/[::]:27017", None)],
    "logging_syslog": [("/etc/rsyslog.conf", None)],
    "logging_auditd": [("/etc/audit/rules.d/audit.rules", None)],
    "logging_retention": [("/etc/logrotate.d/rsyslog", 1)],
    "updates_automatic_security": [("/etc/apt/apt.conf.d/20auto-upgrades", 2)],
    "time_sync": [("/etc/chrony/chrony.conf", None)],
    "sysctl_hardening": [
        ("/etc/sysctl.d/60-hardening.conf", 2),
        ("/etc/sysctl.d/60-hardening.conf", 4),
        ("/etc/sysctl.d/99-local.conf", 2),
    ],
    "eol_os": [("/etc/os-release", None)],
    "eol_software": [("php7.0-cli", None)],
}
CHECKS: dict[str, Check] = {i: load_check("host", ROOT / "host" / i)() for i in FAILURES}


def _facts(check: Check, kind: str, tmp_path: Path) -> Facts:
    root = tree(HERE / check.id / kind, tmp_path / kind)
    return collect_host(LocalSource(root), check.needs, target="fixture", now=NOW)


@pytest.mark.parametrize("check_id", sorted(FAILURES))
def test_failing_fixture_fails_where_expected(check_id: str, tmp_path: Path) -> None:
    check = CHECKS[check_id]
    results = check.run(_facts(check, "fail", tmp_path))
    failed = [r for r in results if r.status is Status.FAIL]
    assert [(r.resource, r.line) for r in failed] == FAILURES[check_id]
    assert all(r.expected and r.actual for r in failed)
    assert not [r for r in results if r.status is Status.ERROR]


@pytest.mark.parametrize("check_id", sorted(FAILURES))
def test_passing_fixture_passes(check_id: str, tmp_path: Path) -> None:
    check = CHECKS[check_id]
    results = check.run(_facts(check, "pass", tmp_path))
    assert results
    assert all(r.status is Status.PASS for r in results), [
        (r.status, r.resource, r.message) for r in results if r.status is not Status.PASS
    ]


def test_every_check_of_part_b_has_a_fixture_folder() -> None:
    for check_id in FAILURES:
        assert (HERE / check_id / "fail").is_dir() and (HERE / check_id / "pass").is_dir()


def test_missing_facts_raise_so_the_runner_reports_an_error() -> None:
    results = run_checks(CHECKS.values(), Facts("empty"))
    assert {r.check_id for r in results} == set(CHECKS)
    assert all(r.status is Status.ERROR for r in results)


def test_an_empty_host_gives_no_pass(tmp_path: Path) -> None:
    """A bare tree (nothing installed, no /proc) never passes the logging or update checks."""
    needs = {n for c in CHECKS.values() for n in c.needs}
    facts = collect_host(LocalSource(tmp_path), needs, now=NOW)
    for check_id in ("logging_syslog", "logging_auditd", "updates_automatic_security"):
        statuses = {r.status for r in CHECKS[check_id].run(facts)}
        assert Status.PASS not in statuses, check_id
    listening = CHECKS["listening_high_risk_ports"].run(facts)
    assert [r.status for r in listening] == [Status.MANUAL]


# --- Branches the fixture trees do not reach, on hand-made facts. ---------------------------


def _run(check_id: str, now: datetime | None = NOW, **values: object) -> list[tuple[Status, str]]:
    results = CHECKS[check_id].run(Facts("t", dict(values), now=now))
    return [(r.status, r.message) for r in results]


def _os(distro: str, version: str, name: str = "") -> Software:
    return Software(
        OsRelease(distro, version, name or f"{distro} {version}", "/etc/os-release"), (), None
    )


@pytest.mark.parametrize(
    ("os", "now", "status"),
    [
        (_os("centos", "7"), NOW, Status.FAIL),
        (_os("centos", "8", "CentOS Stream 8"), datetime(2024, 1, 1, tzinfo=UTC), Status.PASS),
        (_os("ubuntu", "18.04"), None, Status.FAIL),  # ended before 2024: known without a date
        (_os("ubuntu", "22.04"), None, Status.MANUAL),  # ends later: the scan time matters
        (_os("debian", "13"), NOW, Status.PASS),  # newer than the table
        (_os("kylin", "v10"), NOW, Status.MANUAL),
        (Software(None, (), None), NOW, Status.MANUAL),
    ],
)
def test_eol_os_table(os: Software, now: datetime | None, status: Status) -> None:
    assert [s for s, _ in _run("eol_os", now, software=os)] == [status]


def _packages(*packages: tuple[str, str], db: str | None = "dpkg") -> Software:
    return Software(None, tuple(Package(n, v, "dpkg") for n, v in packages), db)


def test_eol_software_groups_a_branch_and_knows_products() -> None:
    software = _packages(
        ("php7.4-cli", "7.4.33-1+deb11u5"),
        ("php7.4-fpm", "7.4.33-1+deb11u5"),
        ("php-common", "2:93"),  # the packaging version, not PHP's
        ("mysql-server-5.7", "5.7.42-0ubuntu0.18.04.1"),
        ("python", "2.7.16-1"),
        ("python3", "3.11.2-1+b1"),
        ("libssl1.1", "1.1.1n-0+deb11u5"),
        ("nginx", "1.18.0-6ubuntu14"),
        ("tomcat9", "9.0.43-2"),
    )
    results = CHECKS["eol_software"].run(Facts("t", {"software": software}, now=NOW))
    failed = sorted(r.message.split(" reached")[0] for r in results if r.status is Status.FAIL)
    assert failed == ["MySQL 5.7", "OpenSSL 1.1", "PHP 7.4", "Python 2 2.7", "nginx 1.18"]
    assert len(results) == 5


def test_eol_software_dedecms_and_rpm_need_a_person() -> None:
    dede = Software(None, (Package("dedecms", "20180109", "/var/www/data/admin/ver.txt"),), None)
    assert [s for s, _ in _run("eol_software", software=dede)] == [Status.MANUAL]
    assert [s for s, _ in _run("eol_software", software=_packages(db="rpm"))] == [Status.MANUAL]


def test_eol_software_unknown_time_fails_only_old_branches() -> None:
    software = _packages(("php5", "5.6.40+dfsg-0+deb8u12"), ("mariadb-server", "1:10.4.32-1"))
    statuses = sorted(s for s, _ in _run("eol_software", None, software=software))
    assert statuses == [Status.FAIL, Status.MANUAL]


def test_listening_loopback_and_udp_memcached() -> None:
    listening = Listening(
        (
            Listener("tcp", "127.0.0.1", 6379, 1),
            Listener("tcp", "::1", 9200, 2),
            Listener("udp", "0.0.0.0", 11211, 3),
        ),
        ("tcp", "udp"),
    )
    assert [
        (s, m.split(" listens")[0])
        for s, m in _run("listening_high_risk_ports", listening=listening)
    ] == [(Status.FAIL, "Memcached (UDP, used for amplification)")]


def test_sysctl_ip_forward_needs_a_person_and_missing_keys() -> None:
    live = Sysctl(
        {
            "net.ipv4.ip_forward": SysctlValue(
                "net.ipv4.ip_forward", "1", "/proc/sys/net/ipv4/ip_forward"
            )
        },
        True,
    )
    results = CHECKS["sysctl_hardening"].run(Facts("t", {"sysctl": live}))
    by_key = {r.resource: r.status for r in results}
    assert by_key["/proc/sys/net/ipv4/ip_forward"] is Status.MANUAL
    assert by_key["/proc/sys/kernel/randomize_va_space"] is Status.NOT_APPLICABLE
    configured = CHECKS["sysctl_hardening"].run(Facts("t", {"sysctl": Sysctl({}, False)}))
    assert {r.status for r in configured} == {Status.MANUAL}


def test_time_sync_in_a_container_and_without_proc() -> None:
    chrony = TimeService("chrony", ("chronyd",), "/etc/chrony.conf", ("pool.ntp.org",), True)
    none = Processes(frozenset(), 0, False)
    assert (
        _run("time_sync", timesync=TimeSync((chrony,), True), processes=none)[0][0]
        is Status.NOT_APPLICABLE
    )
    assert (
        _run("time_sync", timesync=TimeSync((chrony,), False), processes=none)[0][0]
        is Status.MANUAL
    )
    assert _run("time_sync", timesync=TimeSync((), False), processes=none)[0][0] is Status.FAIL


@pytest.mark.parametrize(
    ("updates", "status"),
    [
        (
            Updates(
                "rhel",
                dnf={"apply_updates": Setting("no", "/etc/dnf/automatic.conf", 3)},
                dnf_timers=("dnf-automatic.timer",),
            ),
            Status.FAIL,
        ),
        (Updates("rhel", dnf={}, dnf_timers=("dnf-automatic-install.timer",)), Status.PASS),
        (
            Updates("rhel", dnf={"apply_updates": Setting("yes", "/etc/dnf/automatic.conf", 3)}),
            Status.FAIL,
        ),
        (
            Updates(
                "rhel",
                yum_cron={"apply_updates": Setting("yes", "/etc/yum/yum-cron.conf", 2)},
                yum_cron_enabled=True,
            ),
            Status.PASS,
        ),
        (Updates("rhel"), Status.FAIL),
        (Updates("alpine"), Status.MANUAL),
        (Updates("debian", unattended_installed=False), Status.FAIL),
    ],
)
def test_updates_families(updates: Updates, status: Status) -> None:
    assert [s for s, _ in _run("updates_automatic_security", updates=updates)] == [status]


def test_walk_checks_cap_their_results_and_report_a_truncated_walk() -> None:
    entries = tuple(FileInfo(f"/etc/f{n}", 0o100777, 0, 0, 1) for n in range(150))
    modes = FileModes((), entries, entries, entries, 400, ("/etc",), ("/var/www",), 9999, True)
    for check_id, cap in (
        ("files_world_writable", 100),
        ("files_mode_777", 100),
        ("files_web_root_modes", 50),
    ):
        results = CHECKS[check_id].run(Facts("t", {"file_modes": modes}))
        statuses = [r.status for r in results]
        assert statuses.count(Status.FAIL) == cap + 1 and statuses[-1] is Status.MANUAL, check_id

"""The compliance service: scans stored, scored, diffed and alerted; reports; schedules."""

from __future__ import annotations

import html
import logging
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from garrison.alerts.query import AlertFilter
from garrison.checks.loader import all_checks
from garrison.checks.targets import ScanTarget
from garrison.compliance import Compliance
from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, NotFoundError
from garrison.platform import Platform
from garrison.settings import CheckSettings, Settings
from tests.checks.host._trees import tree
from tests.checks.web._harness import Route, Site, serve

HERE = Path(__file__).parent
SSH_FAIL = HERE / "checks" / "host" / "ssh_root_login" / "fail"
VCS_FAIL = HERE / "checks" / "web" / "web_vcs_exposed" / "fail.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
COMPOSE = """services:
  agent:
    image: registry.example.com/agent:1.4
    user: root
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
"""
SCRIPT = "#!/bin/sh\ndocker run --user=root -v /var/run/docker.sock:/var/run/docker.sock img\n"


def open_platform(tmp_path: Path, clock: FrozenClock, **checks: object) -> Platform:
    settings = Settings(
        home=tmp_path / "home",
        timezone="Asia/Shanghai",
        checks=CheckSettings.model_validate(checks),
    )
    return Platform.open(settings, clock)


@pytest.fixture
def platform(tmp_path: Path, clock: FrozenClock) -> Iterator[Platform]:
    plat = open_platform(tmp_path, clock)
    yield plat
    plat.close()


@pytest.fixture
def compliance(platform: Platform) -> Compliance:
    return Compliance(platform)


@pytest.fixture
def deploy(tmp_path: Path) -> Path:
    """The acceptance folder: a compose file and a script, each running as root on docker.sock."""
    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / "docker-compose.yml").write_text(COMPOSE)
    (folder / "run.sh").write_text(SCRIPT)
    return folder


def high(findings: object) -> set[tuple[str, str, str]]:
    return {f.key for f in findings if f.severity in ("high", "critical")}  # type: ignore[attr-defined]


def test_host_scans_are_stored_scored_diffed_and_alerted_once(
    compliance: Compliance, platform: Platform, clock: FrozenClock, tmp_path: Path
) -> None:
    root = tree(SSH_FAIL, tmp_path / "root")
    first = compliance.scan("host", "local", actor="user:li.na", options={"root": str(root)})
    assert first.stored is not None and first.previous is None
    assert first.scan.id == first.stored.id and first.stored.target == str(root)
    assert first.stored.counts["fail"] == len(first.scan.failed()) > 0
    assert sum(first.stored.counts.values()) == len(first.scan.findings)
    scores = first.stored.scores
    assert {"dengbao", "cis_linux"} <= set(scores) and "cis_docker" not in scores
    assert "8.1.4" in scores["dengbao"]["families"]
    assert scores["dengbao"]["failed"] > 0 and scores["dengbao"]["score"] is not None
    root_login = [f for f in first.scan.failed() if f.check_id == "ssh_root_login"]
    assert [(f.resource, f.line) for f in root_login] == [
        ("/etc/ssh/sshd_config.d/50-cloud-init.conf", 2)
    ]
    # New high and critical failures raise an alert each, and only those.
    assert {f.key for f in first.alerted} == high(first.scan.failed())
    assert all(f.severity in ("high", "critical") for f in first.alerted)
    alerts = platform.alerts.search(AlertFilter())
    assert len(alerts) == len(first.alerted)
    assert "garrison.check.ssh_root_login" in {a.alert.rule_id for a in alerts}

    clock.advance(timedelta(days=1))
    same = compliance.scan("host", "local", actor="scheduler", options={"root": str(root)})
    assert same.previous is not None and same.previous.id == first.stored.id
    assert same.alerted == ()
    assert len(platform.alerts.search(AlertFilter())) == len(first.alerted)

    clock.advance(timedelta(days=1))
    (root / "etc/ssh/sshd_config.d/50-cloud-init.conf").write_text("PermitRootLogin no\n")
    fixed = compliance.scan("host", "local", actor="user:li.na", options={"root": str(root)})
    assert fixed.previous is not None and fixed.previous.id == same.stored.id  # type: ignore[union-attr]
    assert fixed.stored is not None and fixed.alerted == ()
    change = compliance.diff(fixed.previous.id, fixed.stored.id)
    assert [f.check_id for f in change.fixed] == ["ssh_root_login"]
    assert change.new == () and change.still
    assert [s.id for s in platform.scans.scans(target=str(root))] == [
        fixed.stored.id,
        same.stored.id,  # type: ignore[union-attr]
        first.stored.id,
    ]


def test_alerts_follow_the_configured_severities(tmp_path: Path, clock: FrozenClock) -> None:
    plat = open_platform(tmp_path, clock, alert_severities=["medium"])
    try:
        root = tree(SSH_FAIL, tmp_path / "root")
        outcome = Compliance(plat).scan(
            "host", "local", actor="user:li.na", options={"root": str(root)}
        )
        medium = {f.key for f in outcome.scan.failed() if f.severity == "medium"}
        assert medium and {f.key for f in outcome.alerted} == medium
        assert {a.alert.level for a in plat.alerts.search(AlertFilter())} == {"medium"}
    finally:
        plat.close()


def test_a_scan_not_saved_leaves_no_trace(compliance: Compliance, deploy: Path) -> None:
    outcome = compliance.scan("config", str(deploy), actor="user:li.na", save=False)
    assert outcome.stored is None and outcome.alerted == () and outcome.scan.failed()
    assert compliance.platform.scans.scans() == []
    assert compliance.platform.alerts.search(AlertFilter()) == []


def test_the_previous_scan_is_of_the_same_kind(
    compliance: Compliance, clock: FrozenClock, tmp_path: Path
) -> None:
    """A folder scanned as a mounted host and as configuration: two histories, one name."""
    root = tree(SSH_FAIL, tmp_path / "root")
    first = compliance.scan("host", "local", actor="user:li.na", options={"root": str(root)})
    clock.advance(timedelta(hours=1))
    config = compliance.scan("config", str(root), actor="user:li.na")
    assert config.stored is not None and config.stored.target == str(root)
    assert config.previous is None
    clock.advance(timedelta(hours=1))
    again = compliance.scan("host", "local", actor="user:li.na", options={"root": str(root)})
    assert again.previous is not None and again.previous.id == first.stored.id  # type: ignore[union-attr]
    assert again.alerted == ()  # nothing is new since the last *host* scan


def test_a_config_scan_finds_root_and_the_docker_socket_with_lines(
    compliance: Compliance, deploy: Path
) -> None:
    outcome = compliance.scan("config", str(deploy), actor="user:li.na")
    found = {(f.check_id, Path(f.resource).name, f.line) for f in outcome.scan.failed()}
    assert {
        ("compose_root_user", "docker-compose.yml", 4),
        ("compose_docker_sock", "docker-compose.yml", 6),
        ("docker_run_root_user", "run.sh", 2),
        ("docker_run_docker_sock", "run.sh", 2),
    } <= found
    assert outcome.stored is not None and outcome.stored.kind == "config"
    assert "cis_docker" in outcome.stored.scores
    with pytest.raises(InputError, match="no such file"):
        compliance.scan("config", str(deploy / "missing"), actor="user:li.na")
    with pytest.raises(InputError, match="unknown scan kind"):
        compliance.scan("database", "x", actor="user:li.na")


def test_sarif_of_a_config_scan(compliance: Compliance, deploy: Path) -> None:
    outcome = compliance.scan("config", str(deploy), actor="user:li.na")
    assert outcome.stored is not None
    log = compliance.sarif(outcome.stored.id)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    places = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert ("docker_run_docker_sock", "run.sh", 2) in places
    assert ("compose_root_user", "docker-compose.yml", 4) in places
    assert len(results) == len(outcome.scan.failed())
    with pytest.raises(NotFoundError):
        compliance.sarif(999)


def test_a_web_target_is_scanned_under_its_name(compliance: Compliance, platform: Platform) -> None:
    fixture = Site.load(VCS_FAIL)
    fixture.routes["/manager/html"] = Route(
        basic_auth={"realm": "Tomcat Manager Application", "user": "tomcat", "password": "tomcat"}
    )
    with serve(fixture) as site:
        compliance.save_target(
            ScanTarget("shop", "web", site.url, {"try_default_credentials": False}),
            actor="user:li.na",
        )
        outcome = compliance.run_target("shop", actor="user:li.na")
    assert outcome.scan.target == "shop" and outcome.stored is not None
    assert outcome.stored.target_id == platform.scans.target("shop").id
    vcs = [f for f in outcome.scan.failed() if f.check_id == "web_vcs_exposed"]
    assert vcs and vcs[0].resource.startswith(site.url)
    assert all(f.target == "shop" for f in outcome.scan.findings)
    assert any(s.path == "/manager/html" for s in site.seen)
    assert not any(s.authorization for s in site.seen)  # the target's option: no logins


def test_reports_in_both_languages(compliance: Compliance, deploy: Path) -> None:
    outcome = compliance.scan("config", str(deploy), actor="user:li.na")
    assert outcome.stored is not None
    ids = [outcome.stored.id]
    chinese = compliance.report(ids, "zh-CN", "html").decode()
    assert "网络安全审计报告" in chinese
    meta = next(c.metadata for c in all_checks() if c.metadata.id == "docker_run_docker_sock")
    remedy = meta.remediation.text.in_("zh-CN")
    assert html.escape(remedy) in chinese or remedy in chinese
    english = compliance.report(ids, "en", "html").decode()
    assert "Cybersecurity Audit Report" in english
    assert compliance.report(ids, "en", "pdf").startswith(b"%PDF")
    with pytest.raises(InputError):
        compliance.report(ids, "en", "docx")
    with pytest.raises(InputError):
        compliance.report(ids, "fr", "html")
    with pytest.raises(InputError):
        compliance.report([], "en", "html")
    with pytest.raises(NotFoundError):
        compliance.report([999], "en", "html")


def test_next_runs_fall_in_the_window_of_the_site_zone(
    compliance: Compliance, clock: FrozenClock
) -> None:
    # 2026-11-23 12:00 UTC is Monday 20:00 in Shanghai: the next working day is Tuesday.
    weekdays = compliance.save_target(
        ScanTarget("weekdays", "host", "local", schedule="0 7 * * 1-5"), actor="user:li.na"
    )
    assert weekdays.next_run == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    noon = compliance.save_target(
        ScanTarget("noon", "host", "local", schedule="30 12 * * *"), actor="user:li.na"
    )
    assert noon.next_run is not None and noon.next_run > clock.now()
    local = noon.next_run.astimezone(SHANGHAI)
    assert 7 <= local.hour < 9 and local.date() == datetime(2026, 11, 24).date()
    off = compliance.save_target(
        ScanTarget("off", "host", "local", schedule="0 7 * * *", enabled=False),
        actor="user:li.na",
    )
    manual = compliance.save_target(ScanTarget("manual", "host", "local"), actor="user:li.na")
    assert off.next_run is None and manual.next_run is None


def test_a_due_target_is_scanned_once(
    compliance: Compliance, platform: Platform, clock: FrozenClock, deploy: Path
) -> None:
    saved = compliance.save_target(
        ScanTarget("deploy", "config", str(deploy), schedule="0 7 * * 1-5"), actor="user:li.na"
    )
    assert saved.next_run is not None
    assert compliance.step() == []  # not due yet
    clock.set(saved.next_run + timedelta(minutes=1))
    done = compliance.step()
    assert len(done) == 1 and done[0].stored is not None
    assert done[0].stored.created_by == "scheduler" and done[0].scan.target == "deploy"
    moved = platform.scans.target("deploy").next_run
    assert moved is not None and moved > clock.now()
    assert 7 <= moved.astimezone(SHANGHAI).hour < 9
    assert compliance.step() == []
    assert len(platform.scans.scans(target="deploy")) == 1


def test_two_workers_scan_a_due_target_once(
    tmp_path: Path, clock: FrozenClock, deploy: Path
) -> None:
    first, second = open_platform(tmp_path, clock), open_platform(tmp_path, clock)
    try:
        one, two = Compliance(first), Compliance(second)
        saved = one.save_target(
            ScanTarget("deploy", "config", str(deploy), schedule="0 7 * * 1-5"),
            actor="user:li.na",
        )
        assert saved.next_run is not None
        clock.set(saved.next_run)
        # Both workers read the due target before either claims it.
        seen = second.scans.due(clock.now())
        assert [t.name for t in seen] == ["deploy"]
        second.scans.due = lambda now: seen  # type: ignore[method-assign]
        assert len(one.step()) == 1
        assert two.step() == []
        assert len(first.scans.scans(target="deploy")) == 1
    finally:
        first.close()
        second.close()


def test_a_failing_scheduled_scan_does_not_stop_the_others(
    compliance: Compliance,
    platform: Platform,
    clock: FrozenClock,
    deploy: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    for name, folder in (("a-gone", gone), ("b-deploy", deploy)):
        compliance.save_target(
            ScanTarget(name, "config", str(folder), schedule="0 7 * * 1-5"), actor="user:li.na"
        )
    shutil.rmtree(gone)
    due = platform.scans.target("a-gone").next_run
    assert due is not None
    clock.set(due)
    with caplog.at_level(logging.ERROR, logger="garrison.compliance"):
        done = compliance.step()
    assert [o.scan.target for o in done] == ["b-deploy"]
    assert "scheduled scan of a-gone failed" in caplog.text
    for name in ("a-gone", "b-deploy"):
        later = platform.scans.target(name).next_run
        assert later is not None and later > clock.now()  # both claimed, neither retried now
    assert compliance.step() == []

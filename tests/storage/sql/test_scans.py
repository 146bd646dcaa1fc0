"""Scans on both databases: stored whole, history per target, findings, alerts, targets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from garrison.alerts.query import AlertFilter
from garrison.checks.base import Status
from garrison.checks.scan import Finding, Scan
from garrison.checks.targets import ScanTarget
from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, NotFoundError
from garrison.platform import Platform
from garrison.settings import Settings
from garrison.storage.sql.scans import CHECK_RULE_PREFIX


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def finding(check_id: str, status: Status, severity: str = "high", line: int = 3) -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=severity,
        target="web-01",
        resource="/etc/ssh/sshd_config",
        message=f"{check_id} says {status.value}",
        line=line,
        expected="no",
        actual="yes",
        frameworks={"dengbao": ("8.1.4.1 a)",), "cis": ("Linux 5.2.10",)},
    )


def scan(clock: FrozenClock, *found: Finding) -> Scan:
    start = clock.now()
    return Scan(
        target="web-01",
        kind="host",
        started=start,
        finished=start + timedelta(seconds=4),
        check_ids=tuple(sorted({f.check_id for f in found})),
        findings=found,
    )


def test_scans_are_stored_whole_with_history(platform: Platform, clock: FrozenClock) -> None:
    store = platform.scans
    first = store.save(
        scan(
            clock,
            finding("ssh_root_login", Status.FAIL),
            finding("ssh_max_auth_tries", Status.PASS),
        ),
        scores={"dengbao": {"score": 50.0}},
        actor="user:li.na",
    )
    clock.advance(timedelta(days=1))
    second = store.save(
        scan(clock, finding("ssh_root_login", Status.PASS)), scores={}, actor="scheduler"
    )
    stored = store.get(first)
    assert stored.counts == {"fail": 1, "pass": 1} and stored.scores["dengbao"]["score"] == 50.0
    assert stored.created_by == "user:li.na" and stored.check_ids == (
        "ssh_max_auth_tries",
        "ssh_root_login",
    )
    assert [s.id for s in store.scans(target="web-01")] == [second, first]
    assert store.previous(store.get(second)) == stored
    assert store.previous(stored) is None
    assert store.latest("web-01") == store.get(second)
    loaded = store.load(first)
    assert [f.status for f in loaded.findings] == [Status.FAIL, Status.PASS]
    assert loaded.findings[0].frameworks["dengbao"] == ("8.1.4.1 a)",)
    failed = store.findings(first, statuses=["fail"])
    assert [f.finding.check_id for f in failed] == ["ssh_root_login"]
    assert store.finding(failed[0].id).finding == failed[0].finding
    assert store.findings(first, severities=["low"]) == []
    with pytest.raises(NotFoundError):
        store.get(999)
    with pytest.raises(NotFoundError):
        store.finding(999)
    actions = [e.action for e in platform.audit_entries(limit=10)]
    assert actions.count("scan.run") == 2


def test_alerts_are_raised_for_the_findings_given(platform: Platform, clock: FrozenClock) -> None:
    bad = finding("ssh_root_login", Status.FAIL, severity="critical")
    platform.scans.save(
        scan(clock, bad), scores={}, actor="scheduler", alerts=[(bad, "Root may log in over SSH")]
    )
    alerts = platform.alerts.search(AlertFilter())
    assert len(alerts) == 1
    alert = alerts[0].alert
    assert alert.rule_id == CHECK_RULE_PREFIX + "ssh_root_login"
    assert alert.level == "critical" and "dengbao.8.1.4.1 a)" in alert.tags


def test_targets_are_kept_and_claimed_once(platform: Platform, clock: FrozenClock) -> None:
    store = platform.scans
    due_at = clock.now() - timedelta(minutes=1)
    saved = store.save_target(
        ScanTarget(
            "web-01", "host", "ssh://ops@10.0.0.5", {"key_file": "/k"}, "0 7 * * 1-5", True, due_at
        ),
        actor="user:li.na",
    )
    assert saved.id is not None and saved.options == {"key_file": "/k"}
    store.save_target(ScanTarget("portal", "web", "https://portal.example.cn/"), actor="user:li.na")
    assert [t.name for t in store.targets()] == ["portal", "web-01"]
    assert [t.name for t in store.due(clock.now())] == ["web-01"]
    later = clock.now() + timedelta(days=1)
    assert store.claim(saved, later) is True
    assert store.claim(saved, later) is False  # another worker read the old next run
    assert store.due(clock.now()) == []
    store.remove_target("portal", actor="user:li.na")
    with pytest.raises(NotFoundError):
        store.target("portal")
    with pytest.raises(NotFoundError):
        store.remove_target("portal", actor="user:li.na")
    with pytest.raises(InputError):
        store.claim(ScanTarget("x", "host", "local"), later)

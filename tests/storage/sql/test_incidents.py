"""Incidents on SQLite and PostgreSQL: from alerts, graded by asset, clocks swept once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from garrison.alerts.query import AlertFilter
from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, NotFoundError, RejectedError
from garrison.incidents.assets import Asset, parse_csv, parse_yaml
from garrison.incidents.grading import Grade
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Milestone
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from garrison.settings import Settings

BRUTE = "203.0.113.45"


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def store(platform: Platform, tmp_path: Path, name: str, lines: list[str]) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    summary = IngestSummary()
    ingest_path(
        str(path),
        sink=platform.store,
        summary=summary,
        options=IngestOptions(year=2026),
        clock=platform.clock,
    )
    assert summary.errors == [] and summary.unparsed == 0


def brute_force_then_success(ip: str = BRUTE, host: str = "bastion") -> list[str]:
    lines = [
        f"Nov 23 10:00:{s:02d} {host} sshd[{4000 + s}]: Failed password for root from {ip}"
        f" port {40000 + s} ssh2"
        for s in range(0, 60, 5)
    ]
    lines.append(
        f"Nov 23 10:01:30 {host} sshd[5000]: Accepted password for root from {ip} port 1 ssh2"
    )
    return lines


def test_a_brute_force_with_a_success_opens_one_incident_graded_by_the_asset(
    platform: Platform, clock: FrozenClock, tmp_path: Path
) -> None:
    platform.assets.upsert(
        [Asset("bastion", "critical", "ops@corp", ("bastion", "10.0.0.1"), "server")],
        actor="cli:root",
    )
    store(platform, tmp_path, "auth.log", brute_force_then_success())
    platform.detect()
    report, clocks = platform.incident_step()
    assert len(report.opened) == 1 and clocks == []
    incident = platform.incidents.get(report.opened[0])
    alerts = {a.id for a in platform.alerts.search(AlertFilter())}
    assert set(incident.alert_ids) == alerts  # the brute force alerts joined the critical one
    assert incident.assets == ("bastion",) and incident.importance == "critical"
    # critical system, considerable loss (the default assessment): grade III.
    assert incident.grade is Grade.III and incident.type == "brute_force"
    assert (incident.category, incident.subcategory) == ("network_attack", "brute_force")
    kinds = {d.kind: d for d in incident.deadlines}
    assert set(kinds) == {"confirm", "report", "recover"}
    assert kinds["confirm"].due == incident.milestones[Milestone.DETECTED] + timedelta(minutes=15)
    assert incident.tasks[0].title_en.startswith("Confirm the source")
    # A second pass sees nothing new; more failures later attach, they do not open another.
    store(
        platform,
        tmp_path,
        "more.log",
        [
            f"Nov 23 11:00:{s:02d} bastion sshd[{7000 + s}]: Failed password for admin from {BRUTE}"
            f" port {41000 + s} ssh2"
            for s in range(0, 60, 5)
        ],
    )
    platform.detect()
    again, _ = platform.incident_step()
    assert again.opened == [] and list(again.attached) == [incident.id]
    assert len(platform.incidents.list()) == 1
    actions = [e.action for e in platform.audit_entries(limit=50)]
    assert "incident.open" in actions


def test_clocks_warn_then_breach_exactly_once_and_stop_when_met(
    platform: Platform, clock: FrozenClock
) -> None:
    incident = platform.incidents.open("Web shell on portal", actor="user:li.na", loss="serious")
    assert incident.grade is Grade.IV  # no asset known: a general system
    clock.advance(timedelta(minutes=12))
    _, events = platform.incident_step()
    assert [(e.kind, e.event) for e in events] == [("confirm", "warning")]
    assert platform.incident_step()[1] == []
    clock.advance(timedelta(minutes=3))
    _, events = platform.incident_step()
    assert [(e.kind, e.event) for e in events] == [("confirm", "breach")]
    platform.incidents.transition(incident.id, Phase.CONTAIN, actor="user:li.na", reason="real")
    clock.advance(timedelta(minutes=40))
    _, events = platform.incident_step()
    assert [(e.kind, e.event) for e in events] == [("report", "warning")]
    platform.incidents.mark(incident.id, Milestone.REPORTED, actor="user:li.na")
    clock.advance(timedelta(hours=2))
    assert platform.incident_step()[1] == []
    timeline = [e.kind for e in platform.incidents.timeline(incident.id)]
    assert timeline.count("sla") == 3


def test_phases_regrade_and_the_clocks_follow(platform: Platform, clock: FrozenClock) -> None:
    incident = platform.incidents.open("Ransomware", actor="user:li.na", incident_type="malware")
    with pytest.raises(InputError, match="reason"):
        platform.incidents.regrade(incident.id, Grade.I, actor="user:li.na", reason=" ")
    red = platform.incidents.regrade(
        incident.id, Grade.I, actor="user:li.na", reason="payroll encrypted"
    )
    assert red.grade is Grade.I and red.computed_grade is Grade.IV
    assert {d.kind for d in red.deadlines} == {"confirm", "report", "escalate", "recover"}
    with pytest.raises(InputError, match="cannot move"):
        platform.incidents.transition(incident.id, Phase.RECOVER, actor="u", reason="skip")
    for phase in (Phase.CONTAIN, Phase.ERADICATE, Phase.RECOVER, Phase.REVIEW):
        clock.advance(timedelta(minutes=10))
        done = platform.incidents.transition(incident.id, phase, actor="u", reason=phase.value)
    assert Milestone.RECOVERED in done.milestones
    kinds = {d.kind: d for d in done.deadlines}
    assert kinds["recover"].met_at == done.milestones[Milestone.RECOVERED]
    assert kinds["post_report"].due == done.milestones[Milestone.RECOVERED] + timedelta(hours=72)
    closed = platform.incidents.transition(incident.id, Phase.CLOSED, actor="u", reason="done")
    assert not closed.is_open and platform.incidents.list() == []
    with pytest.raises(NotFoundError):
        platform.incidents.get(999)


def test_an_override_needs_a_reason_and_alerts_join_only_one_incident(
    platform: Platform, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="give a reason"):
        platform.incidents.open("x", actor="u", grade=Grade.I)
    store(platform, tmp_path, "auth.log", brute_force_then_success())
    platform.detect()
    first = platform.alerts.search(AlertFilter())[0]
    platform.incidents.open("one", actor="u", alert_ids=[first.id])
    with pytest.raises(InputError, match="already belongs"):
        platform.incidents.open("two", actor="u", alert_ids=[first.id])
    with pytest.raises(NotFoundError):
        platform.incidents.open("three", actor="u", alert_ids=[424242])


def test_asset_lists_from_csv_and_yaml() -> None:
    assets = parse_csv(
        "name,importance,owner,addresses\nportal,特别重要,web team,10.0.0.0/24;portal\n"
        "wiki,general,,wiki.corp\n"
    )
    assert assets[0] == Asset("portal", "critical", "web team", ("10.0.0.0/24", "portal"))
    assert assets[0].matches(["ip:10.0.0.7"]) and not assets[1].matches(["ip:10.0.0.7"])
    with pytest.raises(RejectedError) as caught:
        parse_csv("name,importance\nportal,vital\n,general\n")
    assert [d["where"] for d in caught.value.details] == ["assets.csv:2", "assets.csv:3"]
    listed = parse_yaml("- {name: db, importance: important, addresses: [10.1.0.5]}\n")
    assert listed[0].addresses == ("10.1.0.5",)
    with pytest.raises(RejectedError) as twice:
        parse_yaml("- {name: db, importance: general}\n- {name: db, importance: general}\n")
    assert "listed twice" in str(twice.value.details[0]["message"])


def test_merge_and_split(platform: Platform, tmp_path: Path) -> None:
    from garrison.storage.sql.incident_merge import merge, split

    store(platform, tmp_path, "auth.log", brute_force_then_success())
    platform.detect()
    alerts = [a.id for a in platform.alerts.search(AlertFilter())]
    assert len(alerts) == 3
    one = platform.incidents.open("brute force", actor="u", alert_ids=alerts[:1])
    two = platform.incidents.open("login", actor="u", alert_ids=alerts[1:])
    with pytest.raises(InputError, match="itself"):
        merge(platform.incidents, one.id, one.id, actor="u", reason="x")
    merged = merge(platform.incidents, one.id, two.id, actor="u", reason="same attacker")
    assert sorted(merged.alert_ids) == sorted(alerts)
    assert len(merged.tasks) == len(one.tasks) + len(two.tasks)
    gone = platform.incidents.get(two.id)
    assert not gone.is_open and gone.deadlines == () and "Merged into" in (gone.summary or "")
    with pytest.raises(InputError, match="some, not all"):
        split(platform.incidents, one.id, alerts, title="all", actor="u", reason="x")
    with pytest.raises(InputError, match="not in incident"):
        split(platform.incidents, one.id, [424242], title="x", actor="u", reason="x")
    new = split(platform.incidents, one.id, alerts[:1], title="first", actor="u", reason="other")
    assert new.alert_ids == (alerts[0],)
    assert alerts[0] not in platform.incidents.get(one.id).alert_ids
    actions = [e.action for e in platform.audit_entries(limit=20)]
    assert "incident.merge" in actions and "incident.split" in actions


def test_clocks_survive_a_restart(
    platform: Platform, db_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    incident = platform.incidents.open("Defacement", actor="user:li.na")
    platform.close()  # the process stops; the deadlines are rows, not timers
    clock.advance(timedelta(minutes=20))
    again = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    try:
        _, events = again.incident_step()
        assert [(e.incident_id, e.kind, e.event) for e in events] == [
            (incident.id, "confirm", "breach")
        ]
    finally:
        again.close()

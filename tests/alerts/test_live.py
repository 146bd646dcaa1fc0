"""Live detection against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from garrison.alerts.enrich import WorkCalendar
from garrison.alerts.live import LiveDetector, StepReport
from garrison.alerts.query import AlertFilter
from garrison.core.clock import FrozenClock
from garrison.detect.ruleset import DetectionSet, build
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from garrison.settings import Settings
from garrison.storage.sql.detection import SqlDetectionStore

BRUTE = "203.0.113.45"


@pytest.fixture(scope="module")
def detection() -> DetectionSet:
    return build([], builtin=True)


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def detector(platform: Platform, detection: DetectionSet, max_events: int = 20_000) -> LiveDetector:
    """A fresh detector: what a new process (another ``garrison ingest``) would build."""
    return LiveDetector(
        detection,
        SqlDetectionStore(platform.store.engine, platform.clock),
        platform.clock,
        calendar=WorkCalendar(UTC),
        max_events=max_events,
    )


def store(platform: Platform, tmp_path: Path, name: str, lines: list[str]) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    summary = IngestSummary()
    ingest_path(
        str(path),
        sink=platform.store,
        summary=summary,
        options=IngestOptions(year=2026, batch_size=4),
        clock=platform.clock,
    )
    assert summary.errors == [] and summary.unparsed == 0


def failures(start: int, count: int, ip: str = BRUTE, minute: int = 0) -> list[str]:
    return [
        f"Nov 23 10:{minute:02d}:{s:02d} bastion sshd[{4000 + s}]: Failed password for root"
        f" from {ip} port {40000 + s} ssh2"
        for s in range(start, start + count * 5, 5)
    ]


def run(det: LiveDetector) -> StepReport:
    total = StepReport()
    for step in det.run():
        total.add(step)
    return total


def brute_force_alerts(platform: Platform, status: str = "new") -> list[dict[str, object]]:
    found = platform.alerts.search(AlertFilter(statuses=(status,)))
    return [a.to_dict() for a in found if a.alert.title == "SSH brute force from one source"]


def test_an_attack_split_across_runs_and_processes_is_one_alert(
    platform: Platform, detection: DetectionSet, tmp_path: Path
) -> None:
    store(platform, tmp_path, "a.log", failures(0, 7))
    # Per source and per account (all attempts are for root).
    assert run(detector(platform, detection, max_events=4)).new_alerts == 2
    store(platform, tmp_path, "b.log", failures(35, 5))
    report = run(detector(platform, detection))
    assert (report.events, report.new_alerts, report.updated_alerts) == (5, 0, 2)
    (alert,) = brute_force_alerts(platform)
    assert alert["group"] == {"source.ip": BRUTE}
    assert alert["count"] == 12
    assert (alert["first_seen"], alert["last_seen"]) == (
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:00:55Z",
    )
    assert len(alert["event_ids"]) == 12  # type: ignore[arg-type]
    # Nothing is detected twice.
    assert run(detector(platform, detection)).events == 0


def test_below_threshold_matches_survive_between_runs(
    platform: Platform, detection: DetectionSet, tmp_path: Path
) -> None:
    store(platform, tmp_path, "a.log", failures(0, 3))
    assert run(detector(platform, detection)).new_alerts == 0
    store(platform, tmp_path, "b.log", failures(15, 2))
    run(detector(platform, detection))
    (alert,) = brute_force_alerts(platform)
    assert alert["count"] == 5


def test_success_after_brute_force_across_runs(
    platform: Platform, detection: DetectionSet, tmp_path: Path
) -> None:
    store(platform, tmp_path, "a.log", failures(0, 6))
    run(detector(platform, detection))
    store(
        platform,
        tmp_path,
        "b.log",
        [
            f"Nov 23 10:04:00 bastion sshd[5000]: Accepted password for root from {BRUTE} port 1 ssh2"
        ],
    )
    run(detector(platform, detection))
    titles = [a.alert.title for a in platform.alerts.search(AlertFilter())]
    assert "SSH login success after brute force" in titles


def test_a_suppression_mutes_without_losing_and_is_audited(
    platform: Platform, detection: DetectionSet, tmp_path: Path, clock: FrozenClock
) -> None:
    made = platform.alerts.suppress(
        actor="cli:alice",
        reason="our vulnerability scanner",
        rule_id="6f2c1b7e-3a41-4d0e-9a55-1b7f0c2d9e02",
        conditions={"source.ip": "203.0.113.0/24"},
        duration=timedelta(hours=1),
    )
    store(platform, tmp_path, "a.log", failures(0, 6) + failures(0, 6, ip="198.51.100.9", minute=1))
    report = run(detector(platform, detection))
    assert report.suppressed == 1
    (muted,) = brute_force_alerts(platform, "suppressed")
    assert muted["group"] == {"source.ip": BRUTE} and muted["suppression_id"] == made.id
    (loud,) = brute_force_alerts(platform)
    assert loud["group"] == {"source.ip": "198.51.100.9"}
    (listed,) = platform.alerts.suppressions()
    assert listed["hits"] == 1 and listed["active"] is True
    # The snooze ends: the same attack alerts again.
    clock.advance(timedelta(hours=2))
    store(platform, tmp_path, "b.log", failures(0, 6, minute=30))
    run(detector(platform, detection))
    assert [a["group"] for a in brute_force_alerts(platform)] == [
        {"source.ip": BRUTE},
        {"source.ip": "198.51.100.9"},
    ]
    platform.alerts.unsuppress(made.id or 0, actor="cli:alice", reason="done")
    entries = platform.audit_entries()
    assert [e.action for e in entries] == ["suppression.remove", "suppression.create"]
    assert entries[1].details["conditions"] == {"source.ip": "203.0.113.0/24"}
    assert platform.audit_verify().ok


def test_single_event_alerts_group_within_the_window(
    platform: Platform, detection: DetectionSet, tmp_path: Path
) -> None:
    line = "Nov 23 {t} bastion sudo:    bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/chmod 777 /etc/passwd"
    store(platform, tmp_path, "a.log", [line.format(t="10:00:00"), line.format(t="10:30:00")])
    run(detector(platform, detection))
    store(platform, tmp_path, "b.log", [line.format(t="13:00:00")])
    run(detector(platform, detection))
    found = [
        a for a in platform.alerts.search(AlertFilter()) if a.alert.title.startswith("High-risk")
    ]
    assert sorted(a.alert.count for a in found) == [1, 2]


def test_new_source_baseline_is_kept_in_the_database(
    platform: Platform, detection: DetectionSet, tmp_path: Path
) -> None:
    ok = (
        "Nov {d} 09:00:00 bastion sshd[6101]: Accepted password for alice from {ip} port 50001 ssh2"
    )
    store(platform, tmp_path, "a.log", [ok.format(d=20, ip="10.0.0.5")])
    run(detector(platform, detection))
    store(platform, tmp_path, "b.log", [ok.format(d=23, ip="203.0.113.9")])
    run(detector(platform, detection))
    (alert,) = [a for a in platform.alerts.search(AlertFilter()) if "not seen" in a.alert.title]
    assert alert.alert.count == 1


def test_alert_filters_are_validated(platform: Platform) -> None:
    from garrison.core.errors import InputError

    with pytest.raises(InputError, match="unknown status"):
        AlertFilter(statuses=("open",))
    with pytest.raises(InputError, match="unknown level"):
        AlertFilter(min_level="severe")
    assert platform.alerts.search(AlertFilter(min_level="high")) == []

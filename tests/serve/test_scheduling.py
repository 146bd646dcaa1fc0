"""The worker's scheduler: one leader runs due jobs once, history records every run."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from garrison.automation import Automation
from garrison.checks.targets import ScanTarget
from garrison.compliance import Compliance
from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, NotFoundError
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.config import ResponseSettings
from garrison.scheduler.jobs import JobSpec
from garrison.serve.scheduling import BUILTIN, Scheduler, schedule_forever
from garrison.settings import Settings
from garrison.storage.sql.jobs import LEADER

COMPOSE = "services:\n  agent:\n    image: agent:1.4\n    privileged: true\n"
PLAYBOOK = """\
id: nightly-sweep
title: {{en: Nightly sweep, zh-CN: 夜间巡检}}
trigger:
  schedule: "{cron}"
steps:
  - id: tell
    action: notify
    args: {{subject: Sweep, message: Nightly sweep ran, roles: [technical]}}
"""


@pytest.fixture
def playbooks(tmp_path: Path) -> Path:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "nightly.yml").write_text(PLAYBOOK.format(cron="0 2 * * *"))
    return folder


@pytest.fixture
def platform(
    db_url: str, clock: FrozenClock, tmp_path: Path, playbooks: Path
) -> Iterator[Platform]:
    settings = Settings(
        home=tmp_path / "home",
        database_url=db_url,
        timezone="Asia/Shanghai",
        response=ResponseSettings(playbooks=[playbooks], builtin_playbooks=False),
    )
    plat = Platform.open(settings, clock)
    yield plat
    plat.close()


def scheduler(platform: Platform, holder: str) -> Scheduler:
    automation = Automation(platform, runner=RecordingRunner())
    return Scheduler(platform, automation=automation, holder=holder)


def test_builtin_jobs_are_added_once_and_stay_as_the_user_left_them(platform: Platform) -> None:
    first = scheduler(platform, "a")
    assert sorted(first.ensure_builtin()) == sorted(s.name for s in BUILTIN)
    first.jobs.disable("scans", actor="cli:root")
    first.jobs.remove("housekeeping", actor="cli:root")
    assert first.ensure_builtin() == ["housekeeping"]
    jobs = {j.name: j for j in first.jobs.list()}
    assert not jobs["scans"].spec.enabled
    assert not jobs["retention"].spec.enabled  # deleting events is the user's decision
    assert jobs["housekeeping"].spec.enabled


def test_only_the_leader_runs_a_due_slot_and_a_dead_leader_is_replaced(
    platform: Platform, clock: FrozenClock
) -> None:
    a, b = scheduler(platform, "worker-a"), scheduler(platform, "worker-b")
    a.add(JobSpec("tidy", "housekeeping", "*/5 * * * *"), actor="cli:root")
    clock.advance(timedelta(minutes=5))
    assert [r.status for r in a.tick()] == ["ok"]
    for _ in range(10):  # a ticks more often than its lease lasts: b never leads
        clock.advance(timedelta(seconds=30))
        assert b.tick() == []
        a.tick()
    assert [r.slot.minute for r in a.jobs.history(job="tidy")] == [10, 5]
    # a dies: after its lease runs out, b leads and runs the next slot.
    clock.advance(a.ttl)
    assert b.tick() == []  # the next slot (12:15) is not due yet
    clock.advance(timedelta(minutes=5))
    runs = b.tick()
    assert [(r.job, r.holder, r.status) for r in runs] == [("tidy", "worker-b", "ok")]
    assert b.jobs.holder(LEADER) == "worker-b"
    assert len(b.jobs.history(job="tidy")) == 3


def test_two_workers_ticking_at_once_run_each_slot_once(
    platform: Platform, clock: FrozenClock
) -> None:
    workers = [scheduler(platform, f"worker-{i}") for i in range(4)]
    workers[0].add(JobSpec("tidy", "housekeeping", "* * * * *"), actor="cli:root")
    clock.advance(timedelta(minutes=1))
    results: list[int] = []
    barrier = threading.Barrier(len(workers))

    def tick(worker: Scheduler) -> None:
        barrier.wait(timeout=10)
        results.append(len(worker.tick()))

    threads = [threading.Thread(target=tick, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [0, 0, 0, 1]
    assert len(workers[0].jobs.history(job="tidy")) == 1


def test_failures_are_recorded_with_their_reason_and_the_next_slot_still_runs(
    platform: Platform, clock: FrozenClock
) -> None:
    worker = scheduler(platform, "worker-a")
    worker.add(JobSpec("scan-web", "scan", "0 * * * *", args={"target": "web"}), actor="x")
    clock.advance(timedelta(hours=1))
    (run,) = worker.tick()
    assert run.status == "failed" and "web" in (run.error or "")
    # A row edited by hand so its arguments no longer fit is refused when it runs.
    worker.jobs.upsert(JobSpec("scan-web", "scan", "0 * * * *", args={"tgt": 1}), actor="x")
    clock.advance(timedelta(minutes=1))
    record = worker.run_now("scan-web", actor="cli:root")
    assert record.status == "failed" and "bad argument 'target'" in (record.error or "")


def test_add_refuses_unknown_kinds_and_bad_arguments(platform: Platform) -> None:
    worker = scheduler(platform, "a")
    with pytest.raises(InputError, match="unknown job kind"):
        worker.add(JobSpec("x", "nope", "* * * * *"), actor="cli:root")
    with pytest.raises(InputError, match="'language'"):
        worker.add(JobSpec("x", "report", "* * * * *", args={"language": "fr"}), actor="c")
    with pytest.raises(NotFoundError):
        worker.run_now("nothing", actor="cli:root")


def test_playbook_schedules_become_jobs_that_follow_the_files(
    platform: Platform, clock: FrozenClock, playbooks: Path
) -> None:
    worker = scheduler(platform, "worker-a")
    assert worker.sync_playbooks() == ["+playbook.nightly-sweep"]
    assert worker.sync_playbooks() == []
    worker.jobs.disable("playbook.nightly-sweep", actor="cli:root")
    (playbooks / "nightly.yml").write_text(PLAYBOOK.format(cron="0 3 * * *"))
    assert worker.sync_playbooks() == ["~playbook.nightly-sweep"]
    job = worker.jobs.get("playbook.nightly-sweep")
    assert job.spec.cron == "0 3 * * *" and not job.spec.enabled  # the user's switch stays
    (playbooks / "nightly.yml").unlink()
    assert worker.sync_playbooks() == ["-playbook.nightly-sweep"]


def test_a_scheduled_playbook_is_queued_then_run_by_the_response_worker(
    platform: Platform, clock: FrozenClock
) -> None:
    worker = scheduler(platform, "worker-a")
    worker.sync_playbooks()
    # 2026-11-23 12:00 UTC is 20:00 in Shanghai; 02:00 there is 18:00 UTC.
    clock.advance(timedelta(hours=6))
    (run,) = worker.tick()
    assert run.status == "ok" and run.summary == "queued run 1 of playbook nightly-sweep"
    automation = worker.services.automation
    queued = automation.runs.get(1)
    assert (queued.trigger, queued.status, queued.created_by) == (
        "schedule",
        "pending",
        "scheduler",
    )
    automation.step()
    assert automation.runs.get(1).status == "succeeded"


def test_the_scans_job_runs_due_targets(
    platform: Platform, clock: FrozenClock, tmp_path: Path
) -> None:
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "docker-compose.yml").write_text(COMPOSE)
    worker = scheduler(platform, "worker-a")
    worker.ensure_builtin()
    compliance = worker.services.compliance
    saved = compliance.save_target(
        ScanTarget("deploy", "config", str(deploy), schedule="0 7 * * 1-5"), actor="cli:root"
    )
    assert saved.next_run is not None
    clock.set(saved.next_run)
    runs = worker.tick()
    scans = [r for r in runs if r.job == "scans"]
    assert [r.status for r in scans] == ["ok"]
    assert (scans[0].summary or "").startswith("1 scheduled scan(s): deploy (scan 1, ")
    assert len(platform.scans.scans(target="deploy")) == 1


def test_the_report_job_writes_the_audit_report_of_the_newest_scans(
    platform: Platform, clock: FrozenClock, tmp_path: Path
) -> None:
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "docker-compose.yml").write_text(COMPOSE)
    worker = scheduler(platform, "worker-a")
    args = {"language": "en", "format": "html", "folder": str(tmp_path / "out")}
    worker.add(JobSpec("monthly", "report", "0 8 1 * *", args=args), actor="cli:root")
    assert worker.run_now("monthly", actor="cli:root").status == "failed"  # nothing scanned
    Compliance(platform).save_target(ScanTarget("deploy", "config", str(deploy)), actor="cli:root")
    worker.services.compliance.run_target("deploy", actor="cli:root")
    clock.advance(timedelta(minutes=1))
    record = worker.run_now("monthly", actor="cli:root")
    assert record.status == "ok", record.error
    (path,) = (tmp_path / "out").iterdir()
    assert path.name == "audit-report-20261123-2001-en.html"
    assert "deploy" in path.read_text() and str(path) in (record.summary or "")


def test_the_loop_survives_a_failing_tick_renews_the_lease_and_releases_it(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    worker = scheduler(platform, "worker-a")
    calls: list[int] = []
    real = worker.tick
    renewed: list[bool] = []
    real_renew = worker.renew

    def tick() -> list[object]:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("database unreachable")
        if len(calls) == 2:
            real()
            threading.Event().wait(0.3)  # a long job: the loop renews meanwhile
        return []

    def renew() -> bool:
        renewed.append(real_renew())
        return renewed[-1]

    worker.tick = tick  # type: ignore[method-assign,assignment]
    worker.renew = renew  # type: ignore[method-assign]

    async def loop() -> None:
        task = asyncio.create_task(schedule_forever(worker, interval=0.05))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with caplog.at_level(logging.INFO, logger="garrison.serve.scheduling"):
        asyncio.run(asyncio.wait_for(loop(), 30))
    assert "scheduler tick failed" in caplog.text
    assert renewed and all(renewed)
    assert worker.jobs.holder(LEADER) is None  # released on the way out

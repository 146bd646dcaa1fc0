"""Scheduled jobs on both databases: jobs, the leader lease, claims, run history."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, NotFoundError
from garrison.scheduler.jobs import JobSpec
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros
from garrison.storage.sql.jobs import LEADER, JobStore

TTL = timedelta(seconds=30)
T = TypeVar("T")


@pytest.fixture
def jobs(engine: sa.Engine, clock: FrozenClock) -> JobStore:
    return JobStore(engine, clock)


def hourly(name: str = "sweep", **kw: Any) -> JobSpec:
    return JobSpec(name, "sweep", "0 * * * *", **kw)


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def together(*calls: Callable[[], T]) -> list[T]:
    """Run the calls in threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return results


def audit_actions(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(t.audit_log.c.action).order_by("seq"))]


def test_jobs_are_added_changed_disabled_enabled_and_removed(
    jobs: JobStore, clock: FrozenClock, engine: sa.Engine
) -> None:
    added = jobs.upsert(hourly(args={"grace": 5}), actor="user:li.na")
    assert added.next_run == at(13) and added.last_slot == at(12)
    assert added.created_by == "user:li.na" and added.spec.args == {"grace": 5}
    clock.advance(timedelta(minutes=10))
    same_schedule = jobs.upsert(hourly(args={"grace": 9}, missed="all"), actor="user:li.na")
    assert (same_schedule.next_run, same_schedule.last_slot) == (at(13), at(12))
    assert same_schedule.spec.missed == "all" and same_schedule.spec.args == {"grace": 9}
    moved = jobs.upsert(JobSpec("sweep", "sweep", "30 * * * *"), actor="user:li.na")
    assert (moved.next_run, moved.last_slot) == (at(12, 30), at(12, 10))
    assert jobs.disable("sweep", actor="user:li.na").next_run is None
    clock.advance(timedelta(hours=3))
    enabled = jobs.enable("sweep", actor="user:li.na")
    assert (enabled.next_run, enabled.last_slot) == (at(15, 30), at(15, 10))
    jobs.upsert(
        JobSpec("report.weekly", "report", "0 8 * * 1", timezone="Asia/Shanghai"), actor="x"
    )
    assert [j.name for j in jobs.list()] == ["report.weekly", "sweep"]
    assert jobs.get("report.weekly").next_run == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    jobs.remove("sweep", actor="user:li.na")
    with pytest.raises(NotFoundError):
        jobs.get("sweep")
    with pytest.raises(NotFoundError):
        jobs.remove("sweep", actor="user:li.na")
    assert audit_actions(engine) == [
        "job.add",
        "job.update",
        "job.update",
        "job.update",
        "job.update",
        "job.add",
        "job.remove",
    ]


def test_one_of_two_holders_has_the_lease_until_it_expires(
    jobs: JobStore, clock: FrozenClock
) -> None:
    assert jobs.acquire(LEADER, "worker-a", TTL)
    assert not jobs.acquire(LEADER, "worker-b", TTL)
    assert jobs.holder(LEADER) == "worker-a"
    clock.advance(timedelta(seconds=20))
    assert jobs.renew(LEADER, "worker-a", TTL) and not jobs.renew(LEADER, "worker-b", TTL)
    clock.advance(timedelta(seconds=29))
    assert not jobs.acquire(LEADER, "worker-b", TTL)  # renewed: still a's
    clock.advance(timedelta(seconds=2))
    assert jobs.holder(LEADER) is None  # a stopped renewing
    assert jobs.acquire(LEADER, "worker-b", TTL)
    assert not jobs.renew(LEADER, "worker-a", TTL) and not jobs.acquire(LEADER, "worker-a", TTL)
    assert not jobs.release(LEADER, "worker-a")
    assert jobs.release(LEADER, "worker-b") and jobs.holder(LEADER) is None
    assert jobs.acquire(LEADER, "worker-a", TTL)
    with pytest.raises(InputError):
        jobs.acquire(LEADER, "worker-a", timedelta(0))


def test_holders_racing_for_a_new_lease_get_it_once(jobs: JobStore) -> None:
    for round_ in range(5):
        name = f"race-{round_}"
        won = together(*(lambda h=h, n=name: jobs.acquire(n, h, TTL) for h in ("a", "b", "c")))
        assert sorted(won) == [False, False, True]
        assert jobs.holder(name) == "abc"[won.index(True)]


def test_a_due_slot_is_claimed_once_and_its_run_recorded(
    jobs: JobStore, clock: FrozenClock
) -> None:
    jobs.upsert(hourly(), actor="system")
    assert jobs.acquire(LEADER, "worker-a", TTL)
    assert jobs.claim_due(clock.now(), "worker-a") == []
    clock.set(at(13, 1))
    assert jobs.renew(LEADER, "worker-a", TTL)  # the leader renews on every tick
    [(job, slots)] = jobs.claim_due(clock.now(), "worker-a")
    assert slots == [at(13)] and job.next_run == at(14) and job.last_slot == at(13)
    assert jobs.claim_due(clock.now(), "worker-a") == []
    assert [(r.status, r.slot) for r in jobs.history("sweep")] == [("running", at(13))]
    clock.advance(timedelta(seconds=2))
    run_id = jobs.start_run("sweep", at(13), holder="worker-a")
    assert jobs.history()[0].id == run_id and jobs.history()[0].started == clock.now()
    clock.advance(timedelta(seconds=3))
    done = jobs.finish_run(run_id, True, summary="3 blocks lifted")
    assert done.status == "ok" and done.duration == timedelta(seconds=3)
    assert done.finished == clock.now() and done.summary == "3 blocks lifted"
    with pytest.raises(InputError, match="handled already"):
        jobs.start_run("sweep", at(13), holder="worker-a")
    with pytest.raises(InputError, match="finished already"):
        jobs.finish_run(run_id, False, error="again")
    with pytest.raises(NotFoundError):
        jobs.finish_run(run_id + 100, True)


def test_only_the_lease_holder_claims(jobs: JobStore, clock: FrozenClock) -> None:
    jobs.upsert(hourly(), actor="system")
    clock.set(at(13, 1))
    assert jobs.claim_due(clock.now(), "worker-a") == []  # nobody holds the lease
    assert jobs.acquire(LEADER, "worker-a", TTL)
    assert jobs.claim_due(clock.now(), "worker-b") == []
    clock.advance(TTL * 2)
    assert jobs.claim_due(clock.now(), "worker-a") == []  # a's lease ran out
    assert jobs.acquire(LEADER, "worker-b", TTL)
    assert [slots for _, slots in jobs.claim_due(clock.now(), "worker-b")] == [[at(13)]]


def test_downtime_is_handled_by_policy_and_shows_in_history(
    jobs: JobStore, clock: FrozenClock
) -> None:
    expected = {  # policy: (slots run, first and last slot let go)
        "once": ([at(17)], (at(13), at(16))),
        "all": ([at(15), at(16), at(17)], (at(13), at(14))),
        "skip": ([], (at(13), at(17))),
    }
    for missed in expected:
        jobs.upsert(hourly(missed, missed=missed, catch_up=3), actor="system")
    clock.set(at(17, 20))  # down from 12:00 to 17:20
    assert jobs.acquire(LEADER, "worker-a", TTL)
    claimed = jobs.claim_due(clock.now(), "worker-a")
    claims = {job.name: job for job, _ in claimed}
    assert {job.name: slots for job, slots in claimed} == {k: v[0] for k, v in expected.items()}
    assert jobs.claim_due(clock.now(), "worker-a") == []  # all claimed by the first call
    for name, (runs, (first, last)) in expected.items():
        assert claims[name].next_run == at(18) and claims[name].last_slot == at(17)
        history = jobs.history(name)
        assert sorted(r.slot for r in history if r.status == "running") == runs
        [skipped] = [r for r in history if r.status == "skipped"]
        assert skipped.slot == last and first.isoformat() in (skipped.summary or "")


def test_two_threads_claiming_the_same_due_job_run_each_slot_once(
    jobs: JobStore, clock: FrozenClock, engine: sa.Engine
) -> None:
    jobs.upsert(hourly(), actor="system")
    jobs.upsert(hourly("other"), actor="system")
    assert jobs.acquire(LEADER, "worker-a", TTL)
    for hour in (13, 14, 15):
        clock.set(at(hour, 0) + timedelta(seconds=1))
        jobs.renew(LEADER, "worker-a", TTL)
        results = together(
            lambda: jobs.claim_due(clock.now(), "worker-a"),
            lambda: jobs.claim_due(clock.now(), "worker-a"),
        )
        claimed = sorted(
            (job.name, slot) for result in results for job, slots in result for slot in slots
        )
        assert claimed == [("other", at(hour)), ("sweep", at(hour))]
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(t.job_runs)).scalar_one()
    assert count == 6


def test_runs_of_a_crashed_leader_are_abandoned_by_the_next(
    jobs: JobStore, clock: FrozenClock
) -> None:
    jobs.upsert(hourly(missed="all"), actor="system")
    clock.set(at(14, 1))
    assert jobs.acquire(LEADER, "worker-a", TTL)
    [(_, slots)] = jobs.claim_due(clock.now(), "worker-a")
    assert slots == [at(13), at(14)]
    started = jobs.start_run("sweep", at(13), holder="worker-a")  # then worker-a dies
    clock.advance(TTL + timedelta(seconds=1))
    assert jobs.acquire(LEADER, "worker-b", TTL)
    assert jobs.claim_due(clock.now(), "worker-b") == []
    lost = jobs.history(status="abandoned")
    assert sorted(r.slot for r in lost) == [at(13), at(14)]
    assert all(r.holder == "worker-a" and r.error for r in lost)
    # A run that did finish after all still records how it ended.
    assert jobs.finish_run(started, False, error="x" * 10_000).status == "failed"
    assert len(jobs.run(started).error or "") == 4000


def test_manual_runs_history_and_pruning(
    jobs: JobStore, clock: FrozenClock, engine: sa.Engine
) -> None:
    jobs.upsert(hourly(), actor="system")
    first = jobs.start_run("sweep", clock.now(), holder="user:li.na")
    jobs.finish_run(first, True, duration=timedelta(milliseconds=250))
    assert jobs.run(first).duration == timedelta(milliseconds=250)
    with pytest.raises(NotFoundError):
        jobs.start_run("nothing", clock.now(), holder="user:li.na")
    clock.advance(timedelta(days=10))
    second = jobs.start_run("sweep", clock.now(), holder="user:li.na")
    assert [r.id for r in jobs.history("sweep", limit=1)] == [second]
    assert [r.id for r in jobs.history(before=second)] == [first]
    clock.advance(timedelta(days=10))
    assert jobs.prune_history(keep_days=15) == 1  # the first; the second is still running
    assert [r.id for r in jobs.history()] == [second]
    with pytest.raises(InputError):
        jobs.prune_history(keep_days=0)
    assert jobs.run(second).to_json()["status"] == "running"
    assert jobs.get("sweep").to_json()["next_run"] == "2026-11-23T13:00:00+00:00"


def test_a_stored_job_that_cannot_be_scheduled_is_stopped_visibly(
    jobs: JobStore, clock: FrozenClock, engine: sa.Engine
) -> None:
    jobs.upsert(hourly(), actor="system")
    jobs.upsert(hourly("good"), actor="system")
    with engine.begin() as conn:  # as if edited by hand
        conn.execute(t.jobs.update().where(t.jobs.c.name == "sweep").values(cron="0 0 31 2 *"))
    clock.set(at(13, 1))
    assert jobs.acquire(LEADER, "worker-a", TTL)
    assert [job.name for job, _ in jobs.claim_due(clock.now(), "worker-a")] == ["good"]
    [failed] = jobs.history("sweep")
    assert failed.status == "failed" and failed.error and "never fires" in failed.error
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.jobs).where(t.jobs.c.name == "sweep")).one()
    assert row.next_run is None and row.last_slot == to_micros(at(12))


def test_last_runs_are_the_newest_run_of_each_job(jobs: JobStore, clock: FrozenClock) -> None:
    jobs.upsert(hourly("sweep"), actor="cli:root")
    jobs.upsert(hourly("tidy"), actor="cli:root")
    jobs.upsert(hourly("idle"), actor="cli:root")
    first = jobs.start_run("sweep", at(13), holder="user:li.na")
    jobs.finish_run(first, False, error="down")
    second = jobs.start_run("sweep", at(14), holder="user:li.na")
    jobs.finish_run(second, True, summary="fine")
    tidy = jobs.start_run("tidy", at(13), holder="user:li.na")
    last = jobs.last_runs()
    assert {name: run.id for name, run in last.items()} == {"sweep": second, "tidy": tidy}
    assert (last["sweep"].status, last["tidy"].status) == ("ok", "running")

"""Playbook runs on both databases: queue, leases, concurrency, journal, approvals, blocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from garrison.core.clock import FrozenClock
from garrison.core.errors import ForbiddenError, InputError, NotFoundError
from garrison.respond.actions.base import ActiveBlock
from garrison.respond.runs import StepRecord
from garrison.storage.sql import audit
from garrison.storage.sql.blocks import BlockStore
from garrison.storage.sql.playbook_runs import RunStore, TriggerFeed

LEASE = timedelta(minutes=5)


@pytest.fixture
def runs(engine: sa.Engine, clock: FrozenClock) -> RunStore:
    return RunStore(engine, clock)


def _create(runs: RunStore, playbook: str = "p", dedupe: str | None = None) -> int:
    run = runs.create(
        playbook,
        "rev",
        trigger="alert",
        subject="alert:1",
        dry_run=False,
        inputs={"address": "203.0.113.7"},
        context={"alert": {"id": 1}},
        created_by="t",
        dedupe=dedupe,
    )
    assert run is not None
    return run.id


def test_create_dedupes_per_subject_and_is_audited(runs: RunStore, engine: sa.Engine) -> None:
    first = _create(runs, dedupe="p|alert:1")
    assert _create(runs, dedupe="p|alert:2") != first
    assert (
        runs.create(
            "p",
            "rev",
            trigger="alert",
            subject="alert:1",
            dry_run=False,
            inputs={},
            context={},
            created_by="t",
            dedupe="p|alert:1",
        )
        is None
    )
    run = runs.get(first)
    assert run.status == "pending" and run.inputs == {"address": "203.0.113.7"}
    assert run.context == {"alert": {"id": 1}}
    assert [e.action for e in audit.entries(engine, action="playbook.run")] == ["playbook.run"] * 2
    with pytest.raises(NotFoundError):
        runs.get(999)


def test_claim_leases_and_takes_over_after_expiry(runs: RunStore, clock: FrozenClock) -> None:
    run_id = _create(runs)
    assert [r.id for r in runs.claim("w1", limits={}, lease=LEASE)] == [run_id]
    assert runs.claim("w2", limits={}, lease=LEASE) == []  # w1 holds it
    clock.advance(LEASE + timedelta(seconds=1))  # w1 died
    assert [r.id for r in runs.claim("w2", limits={}, lease=LEASE)] == [run_id]
    runs.release(run_id, "w2")
    assert runs.claim_one(run_id, "w3", lease=LEASE)[0].id == run_id
    assert runs.claim_one(run_id, "w4", lease=LEASE) == []


def test_concurrency_limit_keeps_later_runs_queued(runs: RunStore) -> None:
    first, second = _create(runs), _create(runs)
    claimed = runs.claim("w", limits={"p": 1}, lease=LEASE)
    assert [r.id for r in claimed] == [first]
    runs.update_run(replace(runs.get(first), status="running"))
    runs.release(first, "w")
    assert [r.id for r in runs.claim("w", limits={"p": 1}, lease=LEASE)] == [first]
    runs.release(first, "w")
    assert second not in [r.id for r in runs.claim("w", limits={"p": 1}, lease=LEASE)]


def test_steps_upsert_in_order(runs: RunStore, clock: FrozenClock) -> None:
    run_id = _create(runs)
    runs.save_step(run_id, StepRecord("a", 0, "action", "block_ip", "running", 1, args={"x": 1}))
    runs.save_step(run_id, StepRecord("b", 0, "approval", None, "waiting", 1))
    runs.save_step(
        run_id,
        StepRecord(
            "a",
            0,
            "action",
            "block_ip",
            "succeeded",
            1,
            args={"x": 1},
            output={"ok": True},
            effects=[{"kind": "command", "detail": "nft", "argv": ["nft"]}],
            undo={"action": "unblock_ip", "args": {}},
            finished_at=clock.now(),
        ),
    )
    steps = runs.steps(run_id)
    assert [(s.step, s.status) for s in steps] == [("a", "succeeded"), ("b", "waiting")]
    assert steps[0].effects[0]["argv"] == ["nft"] and steps[0].finished_at == clock.now()


def test_approvals_count_distinct_people_and_check_roles(
    runs: RunStore, clock: FrozenClock
) -> None:
    run_id = _create(runs)
    due = clock.now() + timedelta(hours=1)
    request = runs.request_approval(
        run_id,
        "ok",
        required=2,
        approvers={"roles": ["admin"], "users": ["li.na", "token:kestra"]},
        message="Block?",
        on_timeout="reject",
        due_at=due,
    )
    assert (
        runs.request_approval(
            run_id, "ok", required=2, approvers={}, message="x", on_timeout="reject", due_at=due
        ).id
        == request.id
    )  # idempotent
    assert [a.id for a in runs.approvals()] == [request.id]
    with pytest.raises(ForbiddenError):
        runs.decide(request.id, actor="bob", roles=["auditor"], decision="approve")
    with pytest.raises(ForbiddenError):  # a bare name is a console person, not a token
        runs.decide(request.id, actor="token:li.na", roles=[], decision="approve")
    got = runs.decide(request.id, actor="user:li.na", roles=["analyst"], decision="approve")
    assert got.status == "waiting" and len(got.decisions) == 1
    with pytest.raises(InputError, match="already decided"):
        runs.decide(request.id, actor="user:li.na", roles=["analyst"], decision="approve")
    got = runs.decide(request.id, actor="token:kestra", roles=[], decision="approve", comment="ok")
    assert got.status == "approved"
    assert [d.actor for d in got.decisions] == ["user:li.na", "token:kestra"]
    with pytest.raises(InputError, match="not waiting"):
        runs.decide(request.id, actor="zed", roles=["admin"], decision="reject")


def test_late_decisions_are_refused_and_cancel_ends_approvals(
    runs: RunStore, clock: FrozenClock
) -> None:
    run_id = _create(runs)
    request = runs.request_approval(
        run_id,
        "ok",
        required=1,
        approvers={"roles": ["admin"]},
        message="m",
        on_timeout="reject",
        due_at=clock.now() + timedelta(minutes=1),
    )
    clock.advance(timedelta(minutes=2))
    with pytest.raises(InputError, match="deadline"):
        runs.decide(request.id, actor="root", roles=["admin"], decision="approve")
    cancelled = runs.cancel(run_id, actor="root", reason="false positive")
    assert cancelled.status == "cancelled" and cancelled.error == "false positive"
    assert runs.approval_by_id(request.id).status == "cancelled"
    with pytest.raises(InputError, match="already"):
        runs.cancel(run_id, actor="root", reason="again")


def test_block_ledger(engine: sa.Engine, clock: FrozenClock) -> None:
    blocks = BlockStore(engine, clock)
    soon = clock.now() + timedelta(hours=1)
    blocks.record(ActiveBlock("203.0.113.7", "nftables", soon, "brute force", 3))
    blocks.record(ActiveBlock("203.0.113.7", "nftables", soon + timedelta(hours=1), "again", 4))
    blocks.record(ActiveBlock("2001:db8::1", "nftables", soon + timedelta(hours=5), "", None))
    active = blocks.active("203.0.113.7")
    assert active is not None and active.run_id == 4 and active.reason == "again"
    assert blocks.due(soon + timedelta(hours=1)) == [active]
    assert [b.address for b in blocks.list()] == ["203.0.113.7", "2001:db8::1"]
    blocks.release("203.0.113.7")
    assert blocks.active("203.0.113.7") is None


def test_trigger_cursor_moves_once(engine: sa.Engine) -> None:
    feed = TriggerFeed(engine)
    assert feed.cursor("alerts") is None
    assert feed.advance("alerts", None, 5)
    assert not feed.advance("alerts", None, 6)  # another worker initialised it
    assert feed.advance("alerts", 5, 9) and not feed.advance("alerts", 5, 10)
    assert feed.cursor("alerts") == 9

"""``kestra`` and ``kestra_resume`` against a fake Kestra server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.base import ActionContext
from garrison.respond.actions.kestra_flow import ResumeFlow, StartFlow
from garrison.respond.actions.registry import registry
from garrison.respond.config import KestraSettings, ResponseSettings

from ..kestra_fake import FakeKestra, serve
from .conftest import MakeContext, scripted

START, RESUME = StartFlow(), ResumeFlow()
TOKEN = "kestra-t0ken-for-garrison"
KEY = "wh-secret-key-42"


@pytest.fixture
def fake() -> FakeKestra:
    server = FakeKestra(token=TOKEN)
    server.flows[("soc", "contain_host")] = KEY
    return server


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def ctx(fake: FakeKestra, make_ctx: MakeContext, sleeps: list[float]) -> Iterator[ActionContext]:
    with serve(fake) as url:
        kestra = KestraSettings(url=url, token=SecretStr(TOKEN))
        yield make_ctx(scripted(), settings=ResponseSettings(kestra=kestra), sleep=sleeps.append)


def run(action: Any, ctx: ActionContext, **raw: Any) -> Any:
    return action.run(action.parse(raw), ctx)


def test_both_actions_are_registered() -> None:
    assert {"kestra", "kestra_resume"} <= set(registry())


def test_start_and_wait_until_success(
    fake: FakeKestra, ctx: ActionContext, sleeps: list[float]
) -> None:
    outcome = run(
        START,
        ctx,
        namespace="soc",
        flow_id="contain_host",
        inputs={"host": "web-1", "alert_id": 42, "force": True},
        labels={"source": "garrison"},
        wait="10m",
    )
    execution_id = "4Vh1E2dWwm6MSvsCnVkS00"
    assert fake.paths() == [
        "POST /api/v1/main/executions/soc/contain_host?labels=source:garrison",
        *[f"GET /api/v1/main/executions/{execution_id}"] * 3,
    ]
    assert fake.seen[0].form == {"host": "web-1", "alert_id": "42", "force": "true"}
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in fake.seen)
    assert sleeps == [1.0, 2.0, 4.0]
    assert outcome.output == {
        "execution_id": execution_id,
        "namespace": "soc",
        "flow_id": "contain_host",
        "state": "SUCCESS",
        "url": f"{fake.url}/ui/main/executions/soc/contain_host/{execution_id}",
    }
    assert outcome.changed
    assert TOKEN not in repr(outcome)


def test_without_wait_the_step_returns_at_once(fake: FakeKestra, ctx: ActionContext) -> None:
    outcome = run(START, ctx, namespace="soc", flow_id="contain_host")
    assert outcome.output["state"] == "CREATED"
    assert len(fake.seen) == 1


@pytest.mark.parametrize(
    ("end", "fail_on", "fails"),
    [
        ("FAILED", None, True),
        ("KILLED", None, True),
        ("WARNING", None, False),
        ("WARNING", ["WARNING", "FAILED"], True),
        ("FAILED", ["KILLED"], False),
    ],
)
def test_fail_on_states(
    fake: FakeKestra, ctx: ActionContext, end: str, fail_on: list[str] | None, fails: bool
) -> None:
    fake.script = ["RUNNING", end]
    raw: dict[str, Any] = {"namespace": "soc", "flow_id": "contain_host", "wait": 60}
    if fail_on is not None:
        raw["fail_on"] = fail_on
    if not fails:
        assert run(START, ctx, **raw).output["state"] == end
        return
    with pytest.raises(ActionError) as caught:
        run(START, ctx, **raw)
    assert caught.value.message == (
        f"Kestra execution 4Vh1E2dWwm6MSvsCnVkS00 of soc.contain_host ended {end}"
    )
    assert not caught.value.retryable
    assert (
        caught.value.hint is not None
        and "/ui/main/executions/soc/contain_host/" in caught.value.hint
    )


def test_a_garrison_approval_resumes_a_paused_flow(fake: FakeKestra, ctx: ActionContext) -> None:
    fake.script = ["RUNNING", "PAUSED"]
    started = run(START, ctx, namespace="soc", flow_id="contain_host", wait="1h")
    assert started.output["state"] == "PAUSED"
    execution_id = started.output["execution_id"]
    fake.seen.clear()

    resumed = run(RESUME, ctx, execution_id=execution_id, inputs={"approved_by": "alice"})
    assert fake.paths() == [
        f"GET /api/v1/main/executions/{execution_id}",
        f"POST /api/v1/main/executions/{execution_id}/resume",
    ]
    assert fake.seen[1].form == {"approved_by": "alice"}
    assert fake.executions[execution_id]["resumed_with"] == {"approved_by": "alice"}
    assert resumed.changed and resumed.output["state"] == "RUNNING"
    assert resumed.output["url"] == started.output["url"]

    fake.seen.clear()
    again = run(RESUME, ctx, execution_id=execution_id)
    assert not again.changed
    assert fake.paths() == [f"GET /api/v1/main/executions/{execution_id}"]


def test_a_resume_race_is_reported_unchanged(fake: FakeKestra, ctx: ActionContext) -> None:
    started = run(START, ctx, namespace="soc", flow_id="contain_host")
    execution_id = started.output["execution_id"]
    fake.pause(execution_id)
    fake.fail[("POST", f"/api/v1/main/executions/{execution_id}/resume")] = 409
    outcome = run(RESUME, ctx, execution_id=execution_id)
    assert not outcome.changed
    assert [s.method for s in fake.seen[1:]] == ["GET", "POST", "GET"]


def test_webhook_start_keeps_the_key_out_of_records(fake: FakeKestra, ctx: ActionContext) -> None:
    raw = {"namespace": "soc", "flow_id": "contain_host", "webhook_key": KEY, "inputs": {"h": "x"}}
    outcome = run(START, ctx, **raw)
    assert fake.paths() == [f"POST /api/v1/main/executions/webhook/soc/contain_host/{KEY}"]
    assert fake.seen[0].body == b'{"h":"x"}'
    assert outcome.output["state"] == "CREATED"
    plan = START.plan(START.parse(raw), ctx)
    for record in (outcome, plan):
        assert KEY not in repr(record)
    assert plan.effects[0].detail.endswith("/executions/webhook/soc/contain_host/%3Ckey%3E")


def test_without_a_kestra_url_the_actions_say_what_to_set(make_ctx: MakeContext) -> None:
    ctx = make_ctx(scripted(), settings=ResponseSettings())
    cases: list[tuple[Any, dict[str, Any]]] = [
        (START, {"namespace": "soc", "flow_id": "x"}),
        (RESUME, {"execution_id": "abc"}),
    ]
    for action, raw in cases:
        for call in (action.plan, action.run):
            with pytest.raises(ActionError) as caught:
                call(action.parse(raw), ctx)
            assert caught.value.message == "Kestra is not configured"
            assert caught.value.hint is not None and "[response.kestra] url" in caught.value.hint


def test_a_dry_run_sends_nothing(fake: FakeKestra, ctx: ActionContext) -> None:
    plan = START.plan(
        START.parse({"namespace": "soc", "flow_id": "contain_host", "wait": "5m"}), ctx
    )
    resume = RESUME.plan(RESUME.parse({"execution_id": "abc"}), ctx)
    assert fake.seen == []
    assert [e.detail for e in plan.effects] == [
        f"POST {fake.url}/api/v1/main/executions/soc/contain_host",
        f"GET {fake.url}/api/v1/main/executions/%3Cid%3E until it ends or pauses",
    ]
    assert [e.detail for e in resume.effects] == [
        f"GET {fake.url}/api/v1/main/executions/abc",
        f"POST {fake.url}/api/v1/main/executions/abc/resume",
    ]


def test_an_unknown_flow_fails_for_good(fake: FakeKestra, ctx: ActionContext) -> None:
    with pytest.raises(ActionError) as caught:
        run(START, ctx, namespace="soc", flow_id="missing")
    assert not caught.value.retryable


@pytest.mark.parametrize(
    "raw",
    [
        {"namespace": "soc/../x", "flow_id": "f"},
        {"namespace": "..", "flow_id": "flows"},
        {"namespace": "soc", "flow_id": "."},
        {"namespace": "soc", "flow_id": "f", "webhook_key": ".."},
        {"namespace": "soc", "flow_id": "f g"},
        {"namespace": "", "flow_id": "f"},
        {"namespace": "soc", "flow_id": "f", "inputs": {"bad name": "x"}},
        {"namespace": "soc", "flow_id": "f", "inputs": {"x": "a\x00b"}},
        {"namespace": "soc", "flow_id": "f", "inputs": {"x": {"nested": 1}}},
        {"namespace": "soc", "flow_id": "f", "labels": {"system.correlationId": "x"}},
        {"namespace": "soc", "flow_id": "f", "labels": {"a:b": "x"}},
        {"namespace": "soc", "flow_id": "f", "labels": {"a": ""}},
        {"namespace": "soc", "flow_id": "f", "labels": {"case": "INC:7"}},
        {"namespace": "soc", "flow_id": "f", "labels": {"case": "a,b"}},
        {"namespace": "soc", "flow_id": "f", "webhook_key": "k", "labels": {"a": "b"}},
        {"namespace": "soc", "flow_id": "f", "webhook_key": "k/../x"},
        {"namespace": "soc", "flow_id": "f", "wait": "25h"},
        {"namespace": "soc", "flow_id": "f", "fail_on": ["EXPLODED"]},
        {"namespace": "soc", "flow_id": "f", "unknown": 1},
    ],
)
def test_start_arguments_are_validated(raw: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        START.parse(raw)


@pytest.mark.parametrize("execution_id", ["", "a/b", "../x", "x" * 65, "id?x=1"])
def test_execution_ids_are_validated(execution_id: str) -> None:
    with pytest.raises(InputError):
        RESUME.parse({"execution_id": execution_id})


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=30))
def test_any_flow_name_that_parses_is_a_plain_path_segment(name: str) -> None:
    try:
        args = START.parse({"namespace": name, "flow_id": name})
    except InputError:
        return
    assert args.namespace == name
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in name)
    assert name[0].isalnum()  # never "." or "..": the name is a URL path segment

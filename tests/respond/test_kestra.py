"""The Kestra API client against a fake Kestra server: exact requests, auth, follow, resume."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from garrison.core.errors import ActionError
from garrison.respond.config import KestraSettings
from garrison.respond.kestra import Execution, KestraClient, form_value

from .kestra_fake import FakeKestra, serve

TOKEN = "kestra-api-t0ken-secret"
PASSWORD = "kestra-pässword"


@pytest.fixture
def fake() -> FakeKestra:
    server = FakeKestra(token=TOKEN)
    server.flows[("soc", "contain_host")] = "hook-key-123"
    return server


@pytest.fixture
def url(fake: FakeKestra) -> Iterator[str]:
    with serve(fake) as address:
        yield address


@pytest.fixture
def client(url: str) -> Iterator[KestraClient]:
    with KestraClient(KestraSettings(url=url + "/", token=SecretStr(TOKEN))) as kestra:
        yield kestra


def test_start_sends_inputs_as_multipart_fields_and_labels_as_query(
    fake: FakeKestra, client: KestraClient, url: str
) -> None:
    execution = client.start(
        "soc",
        "contain_host",
        {"host": "web-1", "count": 3, "ratio": 0.5, "dry_run": False},
        {"source": "garrison", "case": "INC-7"},
    )
    assert fake.paths() == [
        "POST /api/v1/main/executions/soc/contain_host?labels=source:garrison&labels=case:INC-7"
    ]
    seen = fake.seen[0]
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert seen.form == {"host": "web-1", "count": "3", "ratio": "0.5", "dry_run": "false"}
    assert seen.files == []  # plain fields: no file names
    assert execution == Execution(
        id="4Vh1E2dWwm6MSvsCnVkS00",
        namespace="soc",
        flow_id="contain_host",
        state="CREATED",
        url=f"{url}/ui/main/executions/soc/contain_host/4Vh1E2dWwm6MSvsCnVkS00",
    )
    assert fake.executions[execution.id]["labels"] == [
        {"key": "source", "value": "garrison"},
        {"key": "case", "value": "INC-7"},
    ]


def test_labels_kestra_cannot_read_are_refused_before_sending(
    fake: FakeKestra, client: KestraClient
) -> None:
    for labels in ({"case": "INC:7"}, {"a:b": "c"}, {"case": ""}, {"case": "a,b"}):
        with pytest.raises(ActionError) as caught:
            client.start("soc", "contain_host", {}, labels)
        assert "without ':' or ','" in caught.value.message
    assert fake.seen == []


def test_start_without_inputs_sends_no_body(fake: FakeKestra, client: KestraClient) -> None:
    client.start("soc", "contain_host", {})
    seen = fake.seen[0]
    assert seen.body == b"" and "content-type" not in seen.headers
    assert fake.paths() == ["POST /api/v1/main/executions/soc/contain_host"]


def test_basic_authentication(fake: FakeKestra, url: str) -> None:
    fake.token = None
    fake.basic = "Basic " + base64.b64encode(f"admin@kestra.io:{PASSWORD}".encode()).decode()
    settings = KestraSettings(url=url, username="admin@kestra.io", password=SecretStr(PASSWORD))
    with KestraClient(settings) as kestra:
        kestra.start("soc", "contain_host", {"host": "web-1"})
    assert fake.seen[0].headers["authorization"] == fake.basic


def test_refused_credentials_are_not_retryable_and_not_shown(fake: FakeKestra, url: str) -> None:
    settings = KestraSettings(url=url, token=SecretStr("wrong-" + TOKEN))
    with KestraClient(settings) as kestra, pytest.raises(ActionError) as caught:
        kestra.get("4Vh1E2dWwm6MSvsCnVkS00")
    assert caught.value.message == "Kestra refused Garrison's credentials (401)"
    assert not caught.value.retryable
    assert TOKEN not in f"{caught.value} {caught.value.hint}"


def test_webhook_posts_json_to_the_trigger(fake: FakeKestra, client: KestraClient) -> None:
    execution = client.webhook("soc", "contain_host", "hook-key-123", {"host": "web-1", "n": 2})
    assert fake.paths() == ["POST /api/v1/main/executions/webhook/soc/contain_host/hook-key-123"]
    assert fake.seen[0].headers["content-type"] == "application/json"
    assert fake.seen[0].body == b'{"host":"web-1","n":2}'
    assert execution is not None and execution.state == "CREATED"


def test_a_wrong_webhook_key_is_not_found(fake: FakeKestra, client: KestraClient) -> None:
    with pytest.raises(ActionError) as caught:
        client.webhook("soc", "contain_host", "guess", {})
    assert not caught.value.retryable
    assert "no webhook trigger with that key" in caught.value.message
    assert "guess" not in caught.value.message


def test_follow_polls_until_success(fake: FakeKestra, client: KestraClient) -> None:
    sleeps: list[float] = []
    start = client.start("soc", "contain_host", {})
    done = client.follow(start, wait_seconds=600, sleep=sleeps.append)
    assert done.state == "SUCCESS"
    assert sleeps == [1.0, 2.0, 4.0]
    assert fake.paths()[1:] == [f"GET /api/v1/main/executions/{start.id}"] * 3


def test_follow_stops_at_paused_and_resume_continues(
    fake: FakeKestra, client: KestraClient
) -> None:
    fake.script = ["RUNNING", "PAUSED"]
    start = client.start("soc", "contain_host", {})
    paused = client.follow(start, wait_seconds=600, sleep=lambda _: None)
    assert paused.state == "PAUSED"
    assert client.resume(start.id, {"approved": True, "by": "alice"}) is True
    resume = fake.seen[-1]
    assert (resume.method, resume.path) == ("POST", f"/api/v1/main/executions/{start.id}/resume")
    assert resume.form == {"approved": "true", "by": "alice"}
    assert (
        client.follow(client.get(start.id), wait_seconds=600, sleep=lambda _: None).state
        == "SUCCESS"
    )
    assert client.resume(start.id, {}) is False  # not paused any more: Kestra answers 409


def test_follow_gives_up_after_the_wait(fake: FakeKestra, client: KestraClient) -> None:
    fake.script = ["RUNNING"]
    sleeps: list[float] = []
    start = client.start("soc", "contain_host", {})
    still = client.follow(start, wait_seconds=30, sleep=sleeps.append)
    assert still.state == "RUNNING"
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 5.0]
    assert sum(sleeps) == 30


def test_unknown_flows_and_executions(fake: FakeKestra, client: KestraClient) -> None:
    with pytest.raises(ActionError) as flow:
        client.start("soc", "nope", {})
    with pytest.raises(ActionError) as execution:
        client.get("missing")
    assert flow.value.message == "Kestra has no flow soc.nope (Flow not found: soc.nope)"
    assert execution.value.message.startswith("Kestra has no execution missing")
    assert not flow.value.retryable and not execution.value.retryable


def test_server_errors_and_unreachable_servers_are_retryable(
    fake: FakeKestra, client: KestraClient
) -> None:
    fake.fail[("POST", "/api/v1/main/executions/soc/contain_host")] = 503
    with pytest.raises(ActionError) as failed:
        client.start("soc", "contain_host", {})
    assert failed.value.retryable and "(503)" in failed.value.message
    with (
        KestraClient(KestraSettings(url="http://127.0.0.1:9")) as down,
        pytest.raises(ActionError) as unreachable,
    ):
        down.get("x")
    assert unreachable.value.retryable


def test_another_tenant_is_in_every_path(fake: FakeKestra, url: str) -> None:
    fake.tenant = "soc-team"
    settings = KestraSettings(url=url, tenant="soc-team", token=SecretStr(TOKEN))
    with KestraClient(settings) as kestra:
        execution = kestra.start("soc", "contain_host", {})
    assert fake.paths() == ["POST /api/v1/soc-team/executions/soc/contain_host"]
    assert "/ui/soc-team/executions/" in execution.url


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (KestraSettings(), "Kestra is not configured"),
        (KestraSettings(url="ftp://kestra"), "is not http(s)://"),
        (KestraSettings(url="http://kestra", tenant="a/b"), "is not a tenant id"),
    ],
)
def test_configuration_problems(settings: KestraSettings, message: str) -> None:
    with pytest.raises(ActionError) as caught:
        KestraClient(settings)
    assert message in caught.value.message


def test_form_values() -> None:
    assert [form_value(v) for v in (True, False, 3, 1.5, "x")] == ["true", "false", "3", "1.5", "x"]

"""Generic webhook: exact body, HMAC signature recomputed from the captured request."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import ConfigError
from garrison.notify.base import Message, Recipient
from garrison.notify.registry import parse_channel_config
from garrison.notify.webhook import WebhookChannel, WebhookConfig, sign, verify
from tests.notify.conftest import Receiver

SECRET = "webhook-shared-secret-0123456789"
ALICE = Recipient(id="alice", name="张三", email="alice@example.com", mobile="13800000001")


def _channel(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, **extra: object
) -> WebhookChannel:
    config = WebhookConfig.model_validate(
        {"type": "webhook", "url": receiver.url + "/hooks/garrison", "secret": SECRET, **extra}
    )
    return WebhookChannel("hook", config, clock=clock, client=client)


def test_posts_signed_json(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    delivery = _channel(receiver, client, clock).send(breach, [ALICE])
    assert delivery.ok and delivery.status == "sent" and delivery.http_status == 200

    [request] = receiver.requests
    assert request.path == "/hooks/garrison"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["x-garrison-event"] == "sla.breach"
    assert request.headers["x-garrison-timestamp"] == "1795435200"
    expected_mac = hmac.new(
        SECRET.encode(), b"1795435200." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["x-garrison-signature"] == f"sha256={expected_mac}"
    assert verify(
        SECRET,
        request.headers["x-garrison-timestamp"],
        request.body,
        request.headers["x-garrison-signature"],
    )

    # Compact, key-sorted UTF-8 JSON (Chinese as is, not \u escapes).
    assert request.body.startswith(b'{"event":"sla.breach","fields":{')
    assert "失陷".encode() in request.body
    assert json.loads(request.body) == {
        "event": "sla.breach",
        "language": "zh-CN",
        "subject": breach.subject,
        "text": breach.text,
        "markdown": breach.markdown,
        "url": "https://garrison.example/incidents/INC-42",
        "fields": dict(breach.fields),
        "recipients": [{"id": "alice", "name": "张三", "language": "zh-CN"}],
    }


def test_tampering_breaks_the_signature() -> None:
    body = b'{"event":"incident.new"}'
    good = sign(SECRET, 100, body)
    assert verify(SECRET, "100", body, good)
    assert not verify(SECRET, "101", body, good)
    assert not verify(SECRET, "100", body + b" ", good)
    assert not verify("another-secret-0123456789", "100", body, good)
    assert not verify(SECRET, "1e2", body, good)


def test_contacts_and_custom_headers(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    channel = _channel(
        receiver,
        client,
        clock,
        include_contacts=True,
        headers={"Authorization": "Bearer receiver-token-xyz"},
    )
    assert channel.send(breach, [ALICE]).ok
    [request] = receiver.requests
    assert request.headers["authorization"] == "Bearer receiver-token-xyz"
    assert json.loads(request.body)["recipients"] == [
        {
            "id": "alice",
            "name": "张三",
            "language": "zh-CN",
            "email": "alice@example.com",
            "mobile": "13800000001",
        }
    ]


def test_server_error_is_retryable_and_redacted(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    receiver.replies.append((503, {"Retry-After": "7"}, b"down; saw Bearer receiver-token-xyz"))
    channel = _channel(
        receiver, client, clock, headers={"Authorization": "Bearer receiver-token-xyz"}
    )
    delivery = channel.send(breach, [])
    assert not delivery.ok and delivery.retryable
    assert delivery.http_status == 503 and delivery.retry_after == 7.0
    assert delivery.error is not None and "receiver-token-xyz" not in delivery.error
    assert "***" in delivery.error


def test_client_error_is_not_retryable(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    receiver.replies.append((400, {}, b"bad request"))
    delivery = _channel(receiver, client, clock).send(breach, [])
    assert not delivery.ok and not delivery.retryable and delivery.http_status == 400


def test_redirect_is_not_followed(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    receiver.replies.append((302, {"Location": "http://127.0.0.1:1/elsewhere"}, b""))
    delivery = _channel(receiver, client, clock).send(breach, [])
    assert not delivery.ok and not delivery.retryable and delivery.http_status == 302
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"secret": "short"}, "secret"),
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "http://example.com/\nx"}, "url"),
        ({"headers": {"X-Garrison-Signature": "forged"}}, "headers"),
    ],
)
def test_config_errors(extra: dict[str, object], problem: str) -> None:
    data = {"type": "webhook", "url": "https://example.com/hook", "secret": SECRET, **extra}
    with pytest.raises(ConfigError) as info:
        parse_channel_config("hook", data)
    assert problem in str(info.value)
    assert SECRET not in str(info.value) and "forged" not in str(info.value)


def test_header_value_with_newline_is_refused() -> None:
    data = {
        "type": "webhook",
        "url": "https://example.com/hook",
        "secret": SECRET,
        "headers": {"Authorization": "Bearer x\r\nX-Injected: 1"},
    }
    with pytest.raises(ConfigError, match="control character") as info:
        parse_channel_config("hook", data)
    assert "X-Injected" not in str(info.value)

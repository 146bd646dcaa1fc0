"""DingTalk robot: exact URL and body, signature recomputed from the captured request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import ConfigError
from garrison.notify.base import Message, Recipient
from garrison.notify.dingtalk import DingTalkChannel, DingTalkConfig, dingtalk_sign
from garrison.notify.registry import parse_channel_config
from tests.notify.conftest import Receiver

TOKEN = "dingtalk-access-token-abcdef"
SECRET = "SEC0123456789abcdef0123456789abcdef"
ALICE = Recipient(id="alice", name="张三", mobile="13800000001")
BOB = Recipient(id="bob", name="Bob", handles={"dingtalk": "manager7"})
CAROL = Recipient(id="carol", name="Carol", email="carol@example.com")


def _channel(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, **extra: object
) -> DingTalkChannel:
    config = DingTalkConfig.model_validate(
        {
            "type": "dingtalk",
            "access_token": TOKEN,
            "secret": SECRET,
            "base_url": receiver.url + "/robot/send",
            **extra,
        }
    )
    return DingTalkChannel("ding", config, clock=clock, client=client)


def test_signature_matches_an_independent_implementation() -> None:
    # Vector from the Rust crate ``dingding`` (src/signature.rs), which follows DingTalk's docs.
    assert quote_plus(dingtalk_sign("secret", 1700000000000)) == (
        "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
    )


def test_signature_matches_openssl() -> None:
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-binary", "-mac", "HMAC", "-macopt", f"key:{SECRET}"],
        input=f"1795435200000\n{SECRET}".encode(),
        capture_output=True,
        check=True,
    ).stdout
    assert dingtalk_sign(SECRET, 1795435200000) == base64.b64encode(out).decode()


def test_posts_signed_markdown(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    delivery = _channel(receiver, client, clock).send(breach, [ALICE, BOB, CAROL])
    assert delivery.ok and delivery.status == "sent"

    [request] = receiver.requests
    timestamp = "1795435200000"  # milliseconds of the frozen clock
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.path == (
        f"/robot/send?access_token={TOKEN}&timestamp={timestamp}&sign={quote_plus(expected)}"
    )
    query = parse_qs(urlsplit(request.path).query)
    assert query == {"access_token": [TOKEN], "timestamp": [timestamp], "sign": [expected]}

    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(request.body) == {
        "msgtype": "markdown",
        "markdown": {
            "title": breach.subject,
            "text": breach.markdown + "\n\n@13800000001 @manager7",
        },
        "at": {"atMobiles": ["13800000001"], "atUserIds": ["manager7"], "isAtAll": False},
    }
    text = json.loads(request.body)["markdown"]["text"]
    # The hostile title can neither link nor mention everyone.
    assert "](" not in text.replace("](https://garrison.example/incidents/INC-42)", "")
    assert "@all" not in text


def test_without_secret_or_mentions(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    channel = _channel(receiver, client, clock, secret=None, mention=False)
    assert channel.send(breach, [ALICE]).ok
    [request] = receiver.requests
    assert request.path == f"/robot/send?access_token={TOKEN}"
    body = json.loads(request.body)
    assert body["at"] == {"atMobiles": [], "atUserIds": [], "isAtAll": False}
    assert body["markdown"]["text"] == breach.markdown


def test_errcode_is_a_failure_without_secrets(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    reply = {"errcode": 310000, "errmsg": f"sign not match, token {TOKEN}"}
    receiver.replies.append((200, {"Content-Type": "application/json"}, json.dumps(reply).encode()))
    delivery = _channel(receiver, client, clock).send(breach, [])
    assert not delivery.ok and not delivery.retryable and delivery.http_status == 200
    assert delivery.error == "errcode 310000: sign not match, token ***"
    assert TOKEN not in repr(delivery) and SECRET not in repr(delivery)


def test_non_json_reply_is_a_failure(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    receiver.replies.append((200, {}, b"<html>proxy login</html>"))
    delivery = _channel(receiver, client, clock).send(breach, [])
    assert not delivery.ok and delivery.error is not None and "not JSON" in delivery.error


def test_transport_error_is_retryable_and_hides_token(clock: FrozenClock, breach: Message) -> None:
    config = DingTalkConfig.model_validate(
        {"access_token": TOKEN, "base_url": "http://127.0.0.1:1/robot/send"}
    )
    with httpx.Client(trust_env=False) as client:
        delivery = DingTalkChannel("ding", config, clock=clock, client=client).send(breach, [])
    assert not delivery.ok and delivery.retryable and delivery.http_status is None
    assert TOKEN not in repr(delivery)


def test_config_error_never_quotes_the_token() -> None:
    with pytest.raises(ConfigError) as info:
        parse_channel_config(
            "ding", {"type": "dingtalk", "access_token": TOKEN, "base_url": "file:///etc"}
        )
    assert "base_url" in str(info.value) and TOKEN not in str(info.value)

"""Feishu/Lark bot: exact body, signature recomputed from the captured request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from dataclasses import replace

import httpx

from garrison.core.clock import FrozenClock
from garrison.notify.base import Message, Recipient
from garrison.notify.feishu import FeishuChannel, FeishuConfig, feishu_sign
from tests.notify.conftest import Receiver

HOOK = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
SECRET = "nIMtb7r3N9pkXyXdtAbx6e"
ALICE = Recipient(id="alice", name="张三", handles={"feishu": "ou_123abc"})


def _channel(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, **extra: object
) -> FeishuChannel:
    config = FeishuConfig.model_validate(
        {
            "type": "feishu",
            "hook": HOOK,
            "secret": SECRET,
            "base_url": receiver.url + "/open-apis/bot/v2/hook/",
            **extra,
        }
    )
    return FeishuChannel("feishu", config, clock=clock, client=client)


def test_signature_matches_openssl() -> None:
    # Key is "<timestamp>\n<secret>", message empty: the reverse of DingTalk's arrangement.
    out = subprocess.run(
        [
            "openssl",
            "dgst",
            "-sha256",
            "-binary",
            "-mac",
            "HMAC",
            "-macopt",
            f"key:1795435200\n{SECRET}",
        ],
        input=b"",
        capture_output=True,
        check=True,
    ).stdout
    assert feishu_sign(SECRET, 1795435200) == base64.b64encode(out).decode()


def test_posts_signed_card(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    delivery = _channel(receiver, client, clock).send(breach, [ALICE])
    assert delivery.ok

    [request] = receiver.requests
    assert request.path == f"/open-apis/bot/v2/hook/{HOOK}"
    body = json.loads(request.body)
    assert body["timestamp"] == "1795435200"
    key = f"{body['timestamp']}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body == {
        "timestamp": "1795435200",
        "sign": body["sign"],
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": breach.subject},
                "template": "red",
            },
            "elements": [
                {
                    "tag": "div",
                    "text": {
                        "tag": "lark_md",
                        "content": breach.markdown + "\n<at id=ou_123abc></at>",
                    },
                }
            ],
        },
    }
    assert "<at id=all>" not in request.body.decode()


def test_text_format_neutralises_at_tags(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    hostile = replace(breach, text='标题 <at user_id="all">所有人</at>\n')
    assert _channel(receiver, client, clock, format="text", secret=None).send(hostile, [ALICE]).ok
    [request] = receiver.requests
    assert json.loads(request.body) == {
        "msg_type": "text",
        "content": {
            "text": '标题 ＜at user_id="all"＞所有人＜/at＞\n\n<at user_id="ou_123abc"></at>'
        },
    }


def test_nonzero_code_is_a_failure(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    receiver.replies.append(
        (
            200,
            {},
            b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
        )
    )
    delivery = _channel(receiver, client, clock).send(breach, [])
    assert not delivery.ok and not delivery.retryable
    assert delivery.error is not None and delivery.error.startswith("code 19021: sign match fail")


def test_old_status_code_reply(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    receiver.replies.append((200, {}, b'{"StatusCode":0,"StatusMessage":"success"}'))
    assert _channel(receiver, client, clock).send(breach, []).ok

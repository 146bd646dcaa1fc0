"""WeCom (企业微信) group robot: exact URL and body, errcode handling."""

from __future__ import annotations

import json

import httpx

from garrison.core.clock import FrozenClock
from garrison.notify.base import Message, Recipient
from garrison.notify.wecom import MAX_CONTENT_BYTES, WeComChannel, WeComConfig, truncate_utf8
from tests.notify.conftest import Receiver

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
ALICE = Recipient(id="alice", name="张三", handles={"wecom": "zhangsan"})
BOB = Recipient(id="bob", name="Bob", handles={"wecom": "bad id>"})


def _channel(receiver: Receiver, client: httpx.Client, clock: FrozenClock) -> WeComChannel:
    config = WeComConfig.model_validate(
        {"key": KEY, "base_url": receiver.url + "/cgi-bin/webhook/send"}
    )
    return WeComChannel("wecom", config, clock=clock, client=client)


def test_posts_markdown(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    assert _channel(receiver, client, clock).send(breach, [ALICE, BOB]).ok
    [request] = receiver.requests
    assert request.path == f"/cgi-bin/webhook/send?key={KEY}"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    # Only the valid handle becomes a mention; a handle that could break the markup is dropped.
    assert json.loads(request.body) == {
        "msgtype": "markdown",
        "markdown": {"content": breach.markdown + "\n<@zhangsan>"},
    }
    assert "<@all>" not in request.body.decode() and "@all" not in request.body.decode()


def test_errcode_is_a_failure(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock, breach: Message
) -> None:
    reply = (
        b'{"errcode":93000,"errmsg":"invalid webhook url, hint: [123], key ' + KEY.encode() + b'"}'
    )
    receiver.replies.append((200, {}, reply))
    delivery = _channel(receiver, client, clock).send(breach, [])
    assert not delivery.ok and not delivery.retryable
    assert delivery.error is not None and delivery.error.startswith(
        "errcode 93000: invalid webhook"
    )
    assert KEY not in delivery.error


def test_content_is_cut_to_the_byte_limit(clock: FrozenClock, breach: Message) -> None:
    from dataclasses import replace

    long = replace(breach, markdown="安" * 3000)
    body = WeComChannel(
        "w", WeComConfig.model_validate({"key": KEY}), clock=clock, client=httpx.Client()
    ).body(long, [ALICE])
    content = body["markdown"]["content"]
    assert len(content.encode()) <= MAX_CONTENT_BYTES
    assert content.endswith("…\n<@zhangsan>")
    assert truncate_utf8("abc", 10) == "abc"

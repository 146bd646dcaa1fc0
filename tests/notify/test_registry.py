"""The channel registry: built-in types and registering a new one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from garrison.core.clock import FrozenClock
from garrison.notify.base import ChannelConfig, Delivery, Message, Recipient
from garrison.notify.registry import (
    ChannelDeps,
    build_channel,
    channel_types,
    parse_channel_config,
    register_channel,
)
from garrison.notify.wecom import WeComChannel


def test_builtin_types() -> None:
    assert {"dingtalk", "email", "feishu", "webhook", "wecom"} <= set(channel_types())


def test_build_from_dict(clock: FrozenClock) -> None:
    config = parse_channel_config("w", {"type": "wecom", "key": "k-123"})
    channel = build_channel("w", config, ChannelDeps(clock=clock))
    assert isinstance(channel, WeComChannel) and channel.name == "w"


class NullConfig(ChannelConfig):
    type: Literal["null"] = "null"


class NullChannel:
    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[Message] = []

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        self.sent.append(message)
        return Delivery(channel=self.name, ok=True, status="sent")


def test_register_a_new_type(clock: FrozenClock) -> None:
    register_channel("null", NullConfig, lambda name, cfg, deps: NullChannel(name))
    config = parse_channel_config("n", {"type": "null", "burst": 2})
    assert isinstance(config, NullConfig) and config.burst == 2
    channel = build_channel("n", config, ChannelDeps(clock=clock))
    message = Message(event="incident.new", language="en", subject="s", text="t", markdown="t")
    assert channel.send(message, []).ok

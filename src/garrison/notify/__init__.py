"""Notifications: email, signed webhooks, DingTalk, WeCom and Feishu robots, the on-call roster.

Typical use (the caller records the deliveries)::

    config = load_config(settings["notify"])
    with Notifier(config, clock=SystemClock(), sleep=time.sleep) as notifier:
        deliveries = notifier.notify("sla.breach", {"incident_id": "INC-7", ...})
"""

from __future__ import annotations

from garrison.notify.base import (
    Channel,
    ChannelConfig,
    Delivery,
    EventKind,
    Language,
    Message,
    Recipient,
)
from garrison.notify.config import NotifyConfig, Route, load_config
from garrison.notify.dispatch import Notifier, Planned
from garrison.notify.oncall import Override, Roster, Shift, on_call, timeline
from garrison.notify.registry import build_channel, parse_channel_config, register_channel
from garrison.notify.retry import RetryPolicy, send_with_retry
from garrison.notify.templates import render

__all__ = [
    "Channel",
    "ChannelConfig",
    "Delivery",
    "EventKind",
    "Language",
    "Message",
    "Notifier",
    "NotifyConfig",
    "Override",
    "Planned",
    "Recipient",
    "RetryPolicy",
    "Roster",
    "Route",
    "Shift",
    "build_channel",
    "load_config",
    "on_call",
    "parse_channel_config",
    "register_channel",
    "render",
    "send_with_retry",
    "timeline",
]

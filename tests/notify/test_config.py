"""Loading notification settings: cross-references checked, secrets never quoted."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from garrison.core.errors import ConfigError
from garrison.notify.config import load_config
from garrison.notify.dingtalk import DingTalkConfig
from garrison.notify.email import EmailConfig

EXAMPLE = """
timezone: Asia/Shanghai
default_language: zh-CN
channels:
  soc-ding: {type: dingtalk, access_token: TOKEN-123456, secret: SEC-abcdef, language: zh-CN}
  soc-mail: {type: email, host: smtp.example.com, from: soc@example.com, username: soc,
             password: PASS-98765}
people:
  alice: {name: 张三, language: zh-CN, email: alice@example.com, mobile: "13800000001"}
  bob: {name: Bob, language: en, email: bob@example.com, handles: {wecom: bob}}
roles:
  command_group: [alice]
oncall:
  members: [alice, bob]
  start: 2026-01-05T09:00:00+08:00
  shift: 12h
routes:
  - {events: [sla.breach, incident.escalated], channels: [soc-ding, soc-mail],
     roles: [on_call, command_group], grades: [I, II]}
  - {events: [task.assigned], channels: [soc-mail], roles: [assignee]}
retry: {attempts: 3}
"""


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE)
    data.update(changes)
    return data


def test_example_loads() -> None:
    config = load_config(_data())
    assert isinstance(config.channels["soc-ding"], DingTalkConfig)
    assert isinstance(config.channels["soc-mail"], EmailConfig)
    assert config.people["alice"].id == "alice" and config.people["alice"].name == "张三"
    assert config.routes[0].grades == ("I", "II")
    assert config.retry.attempts == 3
    assert "TOKEN-123456" not in repr(config) and "PASS-98765" not in repr(config)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"routes": [{"events": ["sla.breach"], "channels": ["nope"]}]}, "unknown channel 'nope'"),
        (
            {"routes": [{"events": ["sla.breach"], "channels": ["soc-mail"], "roles": ["ops"]}]},
            "unknown role 'ops'",
        ),
        ({"routes": [{"events": ["sla.bleach"], "channels": ["soc-mail"]}]}, "routes.0.events.0"),
        (
            {"routes": [{"events": ["sla.breach"], "channels": ["soc-mail"], "grades": ["V"]}]},
            "grades must be",
        ),
        ({"roles": {"command_group": ["zed"]}}, "unknown people zed"),
        ({"roles": {"on_call": ["alice"]}}, "built in"),
        ({"oncall": None}, "needs an oncall roster"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"people": {"alice": {"name": "A", "email": "not an address"}}}, "people.alice.email"),
    ],
)
def test_errors(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_data(**changes))
    assert problem in str(info.value)


def test_channel_errors_never_quote_secrets() -> None:
    data = _data()
    data["channels"]["soc-mail"]["port"] = "not-a-port"
    with pytest.raises(ConfigError) as info:
        load_config(data)
    assert "soc-mail" in str(info.value) and "port" in str(info.value)
    assert "PASS-98765" not in str(info.value)


def test_unknown_channel_type() -> None:
    data = _data()
    data["channels"]["x"] = {"type": "pager"}
    with pytest.raises(ConfigError, match="unknown type 'pager'") as info:
        load_config(data)
    assert info.value.hint is not None and "dingtalk" in info.value.hint

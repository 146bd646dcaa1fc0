"""The notifier end to end: routes, roles, on-call, languages, rate limits, real receivers."""

from __future__ import annotations

import json
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError
from garrison.notify.base import Delivery, Message, Recipient
from garrison.notify.config import NotifyConfig, load_config
from garrison.notify.dispatch import Notifier
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER, MailSink, Receiver

BREACH = {
    "incident_id": "INC-9",
    "title": "数据库异常外联",
    "grade": "II",
    "deadline_kind": "escalate",
    "deadline": datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
    "link": "https://garrison.example/incidents/INC-9",
}


def _config(receiver: Receiver, smtp_port: int, **changes: Any) -> NotifyConfig:
    data: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "channels": {
            "ding": {
                "type": "dingtalk",
                "access_token": "tok-123456",
                "secret": "SEC-abcdef",
                "base_url": receiver.url + "/ding",
                "language": "zh-CN",
            },
            "hook": {
                "type": "webhook",
                "url": receiver.url + "/hook",
                "secret": "0123456789abcdef0123",
            },
            "mail": {
                "type": "email",
                "host": "127.0.0.1",
                "port": smtp_port,
                "from": "soc@example.com",
                "username": SMTP_USER,
                "password": SMTP_PASSWORD,
            },
        },
        "people": {
            "alice": {
                "name": "张三",
                "language": "zh-CN",
                "email": "alice@example.com",
                "mobile": "13800000001",
            },
            "bob": {"name": "Bob", "language": "en", "email": "bob@example.com"},
            "carol": {"name": "Carol", "language": "en", "email": "carol@example.com"},
        },
        "roles": {"command_group": ["carol"]},
        # The frozen clock (2026-11-23 12:00 UTC) falls in alice's 12-hour shift.
        "oncall": {"members": ["alice", "bob"], "start": "2026-11-23T06:00:00Z", "shift": "12h"},
        "routes": [
            {
                "events": ["sla.breach"],
                "channels": ["ding", "hook", "mail"],
                "roles": ["on_call", "command_group"],
                "grades": ["I", "II"],
            },
            {"events": ["task.assigned"], "channels": ["mail"], "roles": ["assignee"]},
            {"events": ["incident.new"], "channels": ["ding"]},
        ],
    }
    data.update(changes)
    return load_config(data)


@pytest.fixture
def notifier(
    receiver: Receiver,
    smtp_server: MailSink,
    clock: FrozenClock,
    client: httpx.Client,
    client_tls: ssl.SSLContext,
) -> Notifier:
    return Notifier(
        _config(receiver, smtp_server.port),
        clock=clock,
        sleep=lambda s: clock.advance(timedelta(seconds=s)),
        client=client,
        ssl_context=client_tls,
        rand=lambda: 0.0,
    )


def _summary(deliveries: Sequence[Delivery]) -> list[tuple[str, str | None, tuple[str, ...], str]]:
    return [(d.channel, d.language, d.recipients, d.status) for d in deliveries]


def test_breach_reaches_on_call_and_command_group(
    notifier: Notifier, receiver: Receiver, smtp_server: MailSink
) -> None:
    deliveries = notifier.notify("sla.breach", BREACH)
    assert _summary(deliveries) == [
        ("ding", "zh-CN", ("alice", "carol"), "sent"),
        ("hook", "zh-CN", ("alice",), "sent"),
        ("hook", "en", ("carol",), "sent"),
        ("mail", "zh-CN", ("alice",), "sent"),
        ("mail", "en", ("carol",), "sent"),
    ]
    ding, hook_zh, hook_en = receiver.requests
    assert ding.path.startswith("/ding?access_token=tok-123456&timestamp=1795435200000&sign=")
    ding_body = json.loads(ding.body)
    assert ding_body["markdown"]["title"].startswith("【II级·重大·橙色】时限已超：INC-9")
    assert ding_body["at"]["atMobiles"] == ["13800000001"]
    assert json.loads(hook_zh.body)["language"] == "zh-CN"
    assert json.loads(hook_en.body)["subject"].startswith(
        "[Grade II (serious, orange)] SLA breached"
    )
    subjects = [m["Subject"] for m in smtp_server.messages()]
    assert subjects[0].startswith(
        "【II级·重大·橙色】时限已超：INC-9 上报应急指挥部（截止 2026-11-23 19:00 UTC+08:00）"
    )
    assert subjects[1].startswith("[Grade II (serious, orange)] SLA breached: escalation")
    assert [rcpt for _, rcpt, _ in smtp_server.envelopes] == [
        ["alice@example.com"],
        ["carol@example.com"],
    ]


def test_on_call_follows_the_clock(notifier: Notifier, clock: FrozenClock) -> None:
    clock.advance(timedelta(hours=12))
    plans = notifier.plan("sla.breach", BREACH)
    assert next((p.channel, [r.id for r in p.recipients]) for p in plans) == (
        "ding",
        ["bob", "carol"],
    )


def test_grade_filter(notifier: Notifier, receiver: Receiver) -> None:
    assert notifier.notify("sla.breach", {**BREACH, "grade": "III"}) == []
    assert receiver.requests == []


def test_assignee_role(notifier: Notifier, smtp_server: MailSink) -> None:
    values = {"incident_id": "INC-9", "title": "t", "task": "Reset password", "who": "Bob"}
    deliveries = notifier.notify("task.assigned", values, people=["bob"])
    assert _summary(deliveries) == [("mail", "en", ("bob",), "sent")]
    assert smtp_server.messages()[0]["Subject"] == "Task assigned: Reset password (incident INC-9)"


def test_bad_input_sends_nothing(
    notifier: Notifier, receiver: Receiver, smtp_server: MailSink
) -> None:
    with pytest.raises(InputError, match="unknown people: zed"):
        notifier.notify(
            "task.assigned",
            {"incident_id": "1", "title": "t", "task": "x", "who": "z"},
            people=["zed"],
        )
    with pytest.raises(InputError, match="needs deadline_kind"):
        notifier.notify("sla.breach", {k: v for k, v in BREACH.items() if k != "deadline_kind"})
    assert receiver.requests == [] and smtp_server.envelopes == []


def test_rate_limit_waits_then_sends(
    receiver: Receiver, smtp_server: MailSink, clock: FrozenClock, client: httpx.Client
) -> None:
    config = _config(receiver, smtp_server.port)
    ding = config.channels["ding"].model_copy(update={"rate_per_minute": 1.0, "burst": 1})
    config = config.model_copy(update={"channels": {**config.channels, "ding": ding}})
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    notifier = Notifier(config, clock=clock, sleep=sleep, client=client, rand=lambda: 0.0)
    values = {"incident_id": "INC-1", "title": "t", "grade": "IV"}
    first, second = notifier.notify("incident.new", values), notifier.notify("incident.new", values)
    assert first[0].ok and first[0].attempts == 1
    assert second[0].ok and second[0].attempts == 2
    assert slept == [60.0]
    assert len(receiver.requests) == 2

    # With a single attempt allowed the limit is reported, not waited for.
    single = config.model_copy(update={"retry": config.retry.model_copy(update={"attempts": 1})})
    strict = Notifier(single, clock=clock, sleep=sleep, client=client)
    strict.notify("incident.new", values)
    [limited] = strict.notify("incident.new", values)
    assert limited.status == "rate_limited" and limited.retryable and limited.retry_after == 60.0


class Exploding:
    name = "ding"

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        raise RuntimeError("boom with tok-123456")


def test_a_broken_channel_does_not_stop_the_others(
    receiver: Receiver,
    smtp_server: MailSink,
    clock: FrozenClock,
    client: httpx.Client,
    client_tls: ssl.SSLContext,
) -> None:
    notifier = Notifier(
        _config(receiver, smtp_server.port),
        clock=clock,
        sleep=lambda s: None,
        client=client,
        ssl_context=client_tls,
        channels={"ding": Exploding()},
    )
    deliveries = notifier.notify("sla.breach", BREACH)
    assert deliveries[0].status == "failed"
    assert deliveries[0].error == "internal error in channel (RuntimeError)"
    assert all(d.ok for d in deliveries[1:]) and len(deliveries) == 5


def test_unknown_injected_channel(receiver: Receiver, clock: FrozenClock) -> None:
    with pytest.raises(InputError, match="not in the configuration: pager"):
        Notifier(
            _config(receiver, 25),
            clock=clock,
            sleep=lambda s: None,
            channels={"pager": Exploding()},
        )


def test_owned_client_is_closed(receiver: Receiver, clock: FrozenClock) -> None:
    with Notifier(_config(receiver, 25), clock=clock, sleep=lambda s: None) as notifier:
        assert notifier.plan("incident.new", {"incident_id": "1", "title": "t", "grade": "I"})

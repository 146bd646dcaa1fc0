"""The notify action through the notify port (in memory)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError
from garrison.respond.actions import registry
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.actions.base import ActionContext, Ports
from garrison.respond.actions.memory import MemoryNotify
from garrison.respond.config import ResponseSettings

NOTIFY = registry.get("notify")


def test_notify_queues_for_roles_and_people_and_plan_does_not() -> None:
    port = MemoryNotify()
    c = ActionContext(
        ResponseSettings(),
        RecordingRunner(),
        FrozenClock(datetime(2026, 12, 3, tzinfo=UTC)),
        Ports(notify=port),
    )
    args = NOTIFY.parse(
        {
            "subject": "Blocked",
            "message": "$(reboot) `id`",
            "roles": ["command"],
            "people": ["li.na"],
        }
    )
    NOTIFY.plan(args, c)
    assert port.sent == []
    NOTIFY.run(args, c)
    assert port.sent == [
        {
            "subject": "Blocked",
            "message": "$(reboot) `id`",
            "roles": ["command"],
            "people": ["li.na"],
            "incident_id": None,
        }
    ]


@pytest.mark.parametrize(
    "raw",
    [
        {"subject": "s", "message": "m"},
        {"subject": "s", "message": "m", "roles": ["Command; rm"]},
        {"subject": "", "message": "m", "roles": ["command"]},
        {"subject": "s", "message": "m", "roles": ["command"], "channel": "x"},
    ],
)
def test_bad_arguments_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(InputError):
        NOTIFY.parse(raw)

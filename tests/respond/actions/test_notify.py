"""The notify action through the notify port (in memory)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.core.errors import ActionError, InputError
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


def test_plan_is_one_record_line_and_incident_id_is_passed_on() -> None:
    port = MemoryNotify()
    c = ActionContext(
        ResponseSettings(),
        RecordingRunner(),
        FrozenClock(datetime(2026, 12, 3, tzinfo=UTC)),
        Ports(notify=port),
    )
    args = NOTIFY.parse(
        {
            "subject": "Blocked\n203.0.113.9",
            "message": "m",
            "roles": ["oncall", "communication"],
            "incident_id": 12,
        }
    )
    plan = NOTIFY.plan(args, c)
    assert [e.to_json() for e in plan.effects] == [
        {"kind": "record", "detail": "notify oncall, communication: Blocked 203.0.113.9"}
    ]
    out = NOTIFY.run(args, c)
    assert out.output == {"roles": ["oncall", "communication"], "people": []}
    assert port.sent[0]["incident_id"] == 12 and port.sent[0]["people"] == []


def test_without_a_notify_service_the_run_fails() -> None:
    c = ActionContext(
        ResponseSettings(), RecordingRunner(), FrozenClock(datetime(2026, 12, 3, tzinfo=UTC))
    )
    with pytest.raises(ActionError, match="no notify service"):
        NOTIFY.run(NOTIFY.parse({"subject": "s", "message": "m", "people": ["li.na"]}), c)


@pytest.mark.parametrize(
    "raw",
    [
        {"subject": "s" * 201, "message": "m", "roles": ["command"]},
        {"subject": "s", "message": "m" * 4001, "roles": ["command"]},
        {"subject": "s", "message": "m", "roles": ["on.call"]},
        {"subject": "s", "message": "m", "roles": ["r" * 33]},
        {"subject": "s", "message": "m", "roles": ["-command"]},
        {"subject": "s", "message": "m", "people": ["Li.Na"]},
        {"subject": "s", "message": "m", "people": ["li.na$(id)"]},
        {"subject": "s", "message": "m", "people": ["x" * 65]},
        {"subject": "s", "message": "m", "roles": [], "people": []},
        {"subject": "s", "message": "m", "roles": ["command"], "incident_id": 0},
    ],
)
def test_more_bad_arguments_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(InputError, match="notify"):
        NOTIFY.parse(raw)


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=40))
def test_only_role_names_of_the_documented_pattern_pass(name: str) -> None:
    good = re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name) is not None
    try:
        NOTIFY.parse({"subject": "s", "message": "m", "roles": [name]})
    except InputError:
        assert not good
    else:
        assert good

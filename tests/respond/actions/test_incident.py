"""Incident actions through the incident port (in memory)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import ActionError, InputError
from garrison.incidents.phases import Phase
from garrison.respond.actions import incident, registry
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.actions.base import ActionContext, Ports
from garrison.respond.actions.memory import MemoryIncidents
from garrison.respond.config import ResponseSettings


def ctx(port: MemoryIncidents | None) -> ActionContext:
    clock = FrozenClock(datetime(2026, 12, 3, tzinfo=UTC))
    return ActionContext(
        ResponseSettings(), RecordingRunner(), clock, Ports(incidents=port), actor="playbook:t"
    )


def test_phases_match_the_incident_model() -> None:
    assert tuple(p.value for p in Phase) == incident.PHASES


def test_open_update_transition_and_task() -> None:
    port = MemoryIncidents()
    c = ctx(port)
    actions = registry.registry()
    opened = actions["open_incident"].run(
        actions["open_incident"].parse(
            {"title": "Web shell", "grade": "II", "grade_reason": "policy", "alert_ids": [4]}
        ),
        c,
    )
    assert opened.output == {"incident_id": 1}
    assert port.incidents[1]["grade"] == "II" and port.incidents[1]["alert_ids"] == [4]
    update = actions["update_incident"]
    update.run(update.parse({"incident_id": 1, "note": "isolated", "grade": "I", "reason": "x"}), c)
    move = actions["transition_incident"]
    move.run(move.parse({"incident_id": 1, "phase": "contain", "reason": "done"}), c)
    task = actions["add_task"]
    out = task.run(task.parse({"incident_id": 1, "title": "Reset password"}), c)
    assert out.output["task_id"] == 1
    assert [name for name, _ in port.calls] == ["open", "note", "regrade", "transition", "task"]
    assert port.incidents[1]["phase"] == "contain"


def test_plans_touch_nothing_and_bad_input_is_refused() -> None:
    port = MemoryIncidents()
    actions = registry.registry()
    plan = actions["open_incident"].plan(actions["open_incident"].parse({"title": "x"}), ctx(port))
    assert plan.effects[0].kind == "record" and port.calls == []
    with pytest.raises(InputError, match="grade_reason"):
        actions["open_incident"].parse({"title": "x", "grade": "I"})
    with pytest.raises(InputError, match="phase"):
        actions["transition_incident"].parse({"incident_id": 1, "phase": "party", "reason": "x"})
    with pytest.raises(InputError, match="note or a grade"):
        actions["update_incident"].parse({"incident_id": 1})
    with pytest.raises(ActionError, match="no incidents service"):
        actions["open_incident"].run(actions["open_incident"].parse({"title": "x"}), ctx(None))


def test_every_plan_is_a_record_line_without_port_calls() -> None:
    port = MemoryIncidents()
    c = ctx(port)
    actions = registry.registry()
    raws: dict[str, dict[str, object]] = {
        "open_incident": {"title": "Web shell on web-01"},
        "update_incident": {"incident_id": 3, "note": "isolated"},
        "transition_incident": {"incident_id": 3, "phase": "eradicate", "reason": "contained"},
        "add_task": {"incident_id": 3, "title": "Rotate keys", "role": "command"},
    }
    details = {}
    for name, raw in raws.items():
        action = actions[name]
        plan = action.plan(action.parse(raw), c)
        assert [e.kind for e in plan.effects] == ["record"]
        details[name] = plan.effects[0].detail
    assert details == {
        "open_incident": "open incident",
        "update_incident": "update incident 3",
        "transition_incident": "move incident 3 to eradicate",
        "add_task": "add task 'Rotate keys' to incident 3",
    }
    assert port.calls == [] and port.incidents == {}


def test_regrade_alone_and_task_defaults() -> None:
    port = MemoryIncidents()
    c = ctx(port)
    actions = registry.registry()
    actions["open_incident"].run(actions["open_incident"].parse({"title": "x"}), c)
    update = actions["update_incident"]
    update.run(update.parse({"incident_id": 1, "grade": "III", "reason": "fewer hosts"}), c)
    task = actions["add_task"]
    args = task.parse({"incident_id": 1, "title": "Check backups", "due_hours": 720})
    assert (args.role, args.due_hours) == ("technical", 720)
    task.run(args, c)
    assert port.incidents[1]["grade"] == "III"
    assert port.incidents[1]["tasks"] == [
        {"title": "Check backups", "role": "technical", "due_hours": 720}
    ]
    assert [name for name, _ in port.calls] == ["open", "regrade", "task"]


@pytest.mark.parametrize(
    ("action", "raw"),
    [
        ("open_incident", {"title": ""}),
        ("open_incident", {"title": "x" * 513}),
        ("open_incident", {"title": "x", "grade": "V", "grade_reason": "r"}),
        ("open_incident", {"title": "x", "grade": "II", "grade_reason": "  "}),
        ("open_incident", {"title": "x", "alert_ids": [0]}),
        ("open_incident", {"title": "x", "alert_ids": ["1; drop"]}),
        ("open_incident", {"title": "x", "incident_type": "Web Attack"}),
        ("open_incident", {"title": "x", "owner": "root"}),
        ("update_incident", {"incident_id": 0, "note": "n"}),
        ("update_incident", {"incident_id": 1, "grade": "I"}),
        ("transition_incident", {"incident_id": 1, "phase": "contain", "reason": ""}),
        ("add_task", {"incident_id": 1, "title": "t", "role": "legal"}),
        ("add_task", {"incident_id": 1, "title": "t", "due_hours": 0}),
        ("add_task", {"incident_id": 1, "title": "t", "due_hours": 721}),
        ("add_task", {"incident_id": 1, "title": ""}),
    ],
)
def test_bad_arguments_are_refused(action: str, raw: dict[str, object]) -> None:
    with pytest.raises(InputError, match=action):
        registry.get(action).parse(raw)


def test_a_missing_incident_fails_the_run() -> None:
    move = registry.get("transition_incident")
    with pytest.raises(ActionError, match="does not exist"):
        move.run(
            move.parse({"incident_id": 9, "phase": "contain", "reason": "x"}),
            ctx(MemoryIncidents()),
        )

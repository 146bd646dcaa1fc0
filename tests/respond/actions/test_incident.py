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

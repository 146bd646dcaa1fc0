from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.alerts.query import STATUSES
from garrison.alerts.triage import ACTIONS, RESOLUTIONS, transition
from garrison.core.errors import InputError


def test_the_triage_lifecycle() -> None:
    assert transition("new", "acknowledge") == "acknowledged"
    assert transition("acknowledged", "close", "false_positive") == "closed"
    assert transition("closed", "reopen") == "acknowledged"
    with pytest.raises(InputError, match="cannot reopen"):
        transition("new", "reopen")
    with pytest.raises(InputError, match="verdict"):
        transition("new", "close")
    with pytest.raises(InputError, match="unknown action"):
        transition("new", "delete")


@given(st.sampled_from(STATUSES), st.sampled_from(sorted(ACTIONS)), st.sampled_from(RESOLUTIONS))
def test_transitions_only_lead_to_known_statuses(status: str, action: str, verdict: str) -> None:
    try:
        target = transition(status, action, verdict)
    except InputError:
        assert status not in ACTIONS[action][0]
    else:
        assert target in STATUSES and target != "suppressed"

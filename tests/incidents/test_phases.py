"""Response phases: one step forward, triage may close a false alarm, nothing after closed."""

from __future__ import annotations

import itertools

import pytest

from garrison.core.errors import InputError
from garrison.incidents.phases import Phase, allowed, transition


def test_phases_go_forward_one_step() -> None:
    path = [Phase.DETECT, Phase.TRIAGE, Phase.CONTAIN, Phase.ERADICATE, Phase.RECOVER]
    for current, following in itertools.pairwise(path):
        assert transition(current, following) is following
    assert transition(Phase.REVIEW, Phase.CLOSED) is Phase.CLOSED
    assert transition(Phase.TRIAGE, Phase.CLOSED) is Phase.CLOSED  # a false alarm


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Phase.DETECT, Phase.CONTAIN),
        (Phase.CONTAIN, Phase.TRIAGE),
        (Phase.CONTAIN, Phase.CLOSED),
        (Phase.CLOSED, Phase.REVIEW),
    ],
)
def test_invalid_transitions_are_refused(current: Phase, target: Phase) -> None:
    with pytest.raises(InputError, match="cannot move"):
        transition(current, target)


def test_closed_allows_nothing() -> None:
    assert allowed(Phase.CLOSED) == ()

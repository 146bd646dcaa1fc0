"""On-call roster: continuity, rotation order and overrides (property tests)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from garrison.core.errors import InputError
from garrison.notify.oncall import (
    Override,
    Roster,
    on_call,
    parse_duration,
    rotation_member,
    timeline,
)

T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
US = timedelta(microseconds=1)

instants = st.integers(-(10**13), 10**13).map(lambda us: T0 + us * US)
shifts = st.integers(1, 60 * 24 * 14).map(lambda minutes: timedelta(minutes=minutes))
members = st.lists(st.sampled_from(["alice", "bob", "carol", "dave"]), min_size=1, max_size=5)


@st.composite
def rosters(draw: st.DrawFn) -> Roster:
    overrides = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(instants)
        length = draw(st.integers(1, 10**12)) * US
        overrides.append(
            Override.model_validate(
                {"from": start, "to": start + length, "member": draw(st.sampled_from(["o", "p"]))}
            )
        )
    return Roster(
        members=tuple(draw(members)),
        start=draw(instants),
        shift=draw(shifts),
        overrides=tuple(overrides),
    )


@given(rosters(), instants)
def test_every_instant_has_exactly_one_member(roster: Roster, at: datetime) -> None:
    who = on_call(roster, at)
    assert who in roster.members or who in {o.member for o in roster.overrides}


@given(rosters(), instants)
def test_overrides_win_and_the_last_listed_wins(roster: Roster, at: datetime) -> None:
    covering = [o for o in roster.overrides if o.start <= at < o.end]
    if covering:
        assert on_call(roster, at) == covering[-1].member
    else:
        assert on_call(roster, at) == rotation_member(roster, at)


@given(members, instants, shifts, st.integers(-1000, 1000), st.integers(0, 10**12))
def test_rotation_hands_over_in_order_every_shift(
    names: list[str], start: datetime, shift: timedelta, k: int, into_us: int
) -> None:
    roster = Roster(members=tuple(names), start=start, shift=shift)
    into = (into_us * US) % shift
    at = start + k * shift + into
    assert on_call(roster, at) == names[k % len(names)]


@given(rosters(), instants, st.integers(1, 10**12))
def test_timeline_tiles_the_range(roster: Roster, begin: datetime, length_us: int) -> None:
    end = begin + length_us * US
    if (end - begin) // roster.shift > 2000:
        return
    parts = timeline(roster, begin, end)
    assert parts[0].start == begin and parts[-1].end == end
    for previous, current in itertools.pairwise(parts):
        assert previous.end == current.start
        assert previous.member != current.member
    for part in parts:
        assert part.start < part.end
        assert on_call(roster, part.start) == part.member
        assert on_call(roster, part.end - US) == part.member


def test_week_rotation_with_holiday_override() -> None:
    roster = Roster.model_validate(
        yaml.safe_load(
            """
            members: [alice, bob, carol]
            start: 2026-01-05T09:00:00+08:00
            shift: 1w
            overrides:
              - {from: 2026-01-19T09:00:00+08:00, to: 2026-01-20T09:00:00+08:00, member: dave}
            """
        )
    )
    cst = timezone(timedelta(hours=8))
    assert roster.shift == timedelta(weeks=1)
    assert on_call(roster, datetime(2026, 1, 5, 9, 0, tzinfo=cst)) == "alice"
    assert on_call(roster, datetime(2026, 1, 12, 8, 59, tzinfo=cst)) == "alice"
    assert on_call(roster, datetime(2026, 1, 12, 9, 0, tzinfo=cst)) == "bob"
    assert on_call(roster, datetime(2026, 1, 19, 12, 0, tzinfo=cst)) == "dave"
    assert on_call(roster, datetime(2026, 1, 20, 9, 0, tzinfo=cst)) == "carol"
    assert on_call(roster, datetime(2026, 1, 4, 9, 0, tzinfo=cst)) == "carol"  # before start
    assert [
        (s.member, s.start.astimezone(cst).day)
        for s in timeline(
            roster, datetime(2026, 1, 5, 9, tzinfo=cst), datetime(2026, 1, 26, 9, tzinfo=cst)
        )
    ] == [("alice", 5), ("bob", 12), ("dave", 19), ("carol", 20)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12h", timedelta(hours=12)),
        ("1w", timedelta(weeks=1)),
        ("1d12h", timedelta(hours=36)),
        ("90m", timedelta(minutes=90)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert Roster(members=("a",), start=T0, shift=text).shift == expected  # type: ignore[arg-type]


def test_iso_durations_still_work() -> None:
    assert Roster(members=("a",), start=T0, shift="PT12H").shift == timedelta(hours=12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        {"members": [], "start": "2026-01-05T09:00:00Z", "shift": "12h"},
        {"members": ["a"], "start": "2026-01-05T09:00:00", "shift": "12h"},
        {"members": ["a"], "start": "2026-01-05T09:00:00Z", "shift": "0h"},
        {
            "members": ["a"],
            "start": "2026-01-05T09:00:00Z",
            "shift": "12h",
            "overrides": [
                {"from": "2026-01-06T00:00:00Z", "to": "2026-01-05T00:00:00Z", "member": "b"}
            ],
        },
    ],
)
def test_invalid_rosters(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Roster.model_validate(data)


def test_naive_instant_refused() -> None:
    roster = Roster(members=("a",), start=T0, shift=timedelta(hours=12))
    with pytest.raises(InputError):
        on_call(roster, datetime(2026, 1, 1))
    with pytest.raises(InputError):
        timeline(roster, T0, T0)

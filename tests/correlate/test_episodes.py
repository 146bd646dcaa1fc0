from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.correlate.conditions import Condition
from garrison.correlate.episodes import Episode, Observation, run_group
from garrison.correlate.windows import CorrelationKind, WindowSpec

T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)


def spec(kind: CorrelationKind = CorrelationKind.EVENT_COUNT, **cond: int) -> WindowSpec:
    return WindowSpec(
        rule_id="r",
        kind=kind,
        timespan=timedelta(minutes=5),
        condition=Condition.parse(cond or {"gte": 5}),
        lateness=timedelta(0),
    )


def obs(seconds: list[int], values: list[object] | None = None) -> list[Observation]:
    values = values or [None] * len(seconds)
    return [
        Observation(T0 + timedelta(seconds=s), i, f"e{i}", v)
        for i, (s, v) in enumerate(zip(seconds, values, strict=True))
    ]


def test_a_burst_is_one_episode_with_every_event() -> None:
    result = run_group(spec(), ("1.2.3.4",), obs(list(range(0, 60, 5))), None)
    (episode,) = result.episodes
    assert (episode.count, episode.first, episode.last) == (12, T0, T0 + timedelta(seconds=55))
    assert len(result.activations) == 8  # the firing match, then 7 that joined
    assert result.consumed == T0 + timedelta(seconds=55)


def test_a_pause_longer_than_the_timespan_starts_a_new_episode() -> None:
    seconds = [0, 1, 2, 3, 4, 1000, 1001, 1002, 1003, 1004]
    result = run_group(spec(), (), obs(seconds), None)
    assert [e.count for e in result.episodes] == [5, 5]


def test_value_sum_adds_numbers_and_ignores_the_rest() -> None:
    items = obs([0, 10, 20, 30], [600, "500", "n/a", 100])
    result = run_group(spec(CorrelationKind.VALUE_SUM, gt=1000), (), items, None)
    (episode,) = result.episodes
    assert episode.count == 1200


def test_an_open_episode_passed_in_grows_in_place() -> None:
    stored = Episode(
        group=(), first=T0, last=T0 + timedelta(seconds=4), count=5, event_ids=["a"], ref=7
    )
    result = run_group(spec(), (), obs([60, 120]), stored)
    assert result.episodes == [stored]
    assert (stored.count, stored.last, stored.ref) == (7, T0 + timedelta(seconds=120), 7)


def _incremental(
    items: list[Observation], cuts: list[int], window: WindowSpec
) -> list[tuple[int, datetime, datetime]]:
    """Run chunk by chunk as live detection does: unsettled matches and the open episode carry over."""
    stored: list[Observation] = []
    episode: Episode | None = None
    done: list[Episode] = []
    bounds = [0, *sorted(set(cuts)), len(items)]
    for lo, hi in itertools.pairwise(bounds):
        pending = stored + items[lo:hi]
        result = run_group(window, (), pending, episode)
        for touched in result.episodes:
            if touched is not episode:
                done.append(touched)
                episode = touched
        stored = [o for o in pending if result.consumed is None or o.when > result.consumed]
    return [(e.count, e.first, e.last) for e in done]


@settings(max_examples=200)
@given(
    st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=60),
    st.lists(st.integers(min_value=0, max_value=60), max_size=5),
    st.integers(min_value=2, max_value=6),
)
def test_running_in_chunks_gives_the_same_episodes_as_one_run(
    seconds: list[int], cuts: list[int], threshold: int
) -> None:
    items = obs(sorted(seconds))
    window = spec(gte=threshold)
    once = [(e.count, e.first, e.last) for e in run_group(window, (), items, None).episodes]
    cuts = [c for c in cuts if c <= len(items)]
    assert _incremental(items, cuts, window) == once

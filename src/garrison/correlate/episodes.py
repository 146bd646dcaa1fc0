"""Episodes: one alert per attack, not one per window fill.

A correlation that fires opens an *episode* for its group. Further matches of that group that
follow within the rule's timespan of the episode's last event join it instead of starting new
windows, so a brute force of 12 failures in one minute is one alert with count 12 (and its
first and last time), not one alert per 5 failures.

:func:`run_group` is the one place where windows and episodes meet. It is pure: the one-shot
hunt calls it with every match of a group held in memory; live detection calls it with the
group's stored, not yet consumed matches plus the new ones, and the group's open episode read
back from the alert store, so the result does not depend on how events were split between runs
or processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from garrison.correlate.windows import CorrelationKind, CorrelationState, Hit, WindowSpec

MAX_EPISODE_IDS = 100


@dataclass(frozen=True, slots=True, order=True)
class Observation:
    """One match a correlation counts.

    Attributes:
        when: Event time.
        seq: Tie-breaker that keeps arrival order among equal times.
        event_id: The matching event.
        value: The counted value (``value_count``/``value_sum``) or the referenced rule's
            name (temporal kinds).
    """

    when: datetime
    seq: int
    event_id: str = field(compare=False)
    value: Any = field(compare=False, default=None)


@dataclass
class Episode:
    """A fired correlation and the matches of its group that kept coming.

    Attributes:
        group: Group-by values.
        first: Time of the first contributing event.
        last: Time of the last contributing event.
        count: Events (or distinct values, or the sum) so far.
        event_ids: Contributing event ids (at most :data:`MAX_EPISODE_IDS`).
        values: Distinct values for ``value_count``; ``None`` for other kinds.
        ref: Where the episode is stored (an alert id), ``None`` while new.
    """

    group: tuple[Any, ...]
    first: datetime
    last: datetime
    count: int
    event_ids: list[str]
    values: set[Any] | None = None
    ref: int | None = None

    @classmethod
    def start(cls, hit: Hit, kind: CorrelationKind) -> Episode:
        """The episode a hit opens."""
        values = set(hit.values) if kind is CorrelationKind.VALUE_COUNT else None
        return cls(
            group=hit.group,
            first=hit.first_seen,
            last=hit.last_seen,
            count=hit.count,
            event_ids=list(hit.event_ids[:MAX_EPISODE_IDS]),
            values=values,
        )

    def add(self, item: Observation, kind: CorrelationKind) -> None:
        """Join one more match to the episode."""
        self.first = min(self.first, item.when)
        self.last = max(self.last, item.when)
        if len(self.event_ids) < MAX_EPISODE_IDS and item.event_id not in self.event_ids:
            self.event_ids.append(item.event_id)
        if kind is CorrelationKind.VALUE_COUNT:
            if item.value is None:
                return
            values = self.values if self.values is not None else set()
            before = len(values)
            values.add(
                item.value if isinstance(item.value, str | int | float) else repr(item.value)
            )
            self.values = values
            self.count += len(values) - before
        elif kind is CorrelationKind.VALUE_SUM:
            try:
                self.count += int(float(item.value))
            except (TypeError, ValueError):
                return
        else:
            self.count += 1


@dataclass
class GroupResult:
    """What :func:`run_group` decided for one group.

    Attributes:
        episodes: Episodes touched: the open one passed in (if it grew) and new ones, in order.
        activations: ``(time, event id)`` of every match that fired or joined an episode;
            correlations that reference this one count these.
        consumed: Matches up to this time are settled (fired, joined, or refused) and need not
            be kept; ``None`` when nothing was settled.
    """

    episodes: list[Episode] = field(default_factory=list)
    activations: list[tuple[datetime, str]] = field(default_factory=list)
    consumed: datetime | None = None


def run_group(
    spec: WindowSpec,
    group: tuple[Any, ...],
    items: Iterable[Observation],
    episode: Episode | None,
    *,
    watermark: datetime | None = None,
) -> GroupResult:
    """Feed one group's matches, in time order, through a window and its episodes.

    Args:
        spec: The correlation's window.
        group: The group-by values.
        items: The group's matches not settled before (any order; sorted here).
        episode: The group's open episode, if one is stored.
        watermark: Event time up to which windows may be closed (deferred, at-most
            conditions); ``None`` leaves them open.
    """
    result = GroupResult()
    state = CorrelationState(spec)
    touched: dict[int, Episode] = {}
    for item in sorted(items):
        if (
            episode is not None
            and item.when - episode.last <= spec.timespan
            and episode.first - item.when <= spec.timespan
        ):
            episode.add(item, spec.kind)
            touched[id(episode)] = episode
            result.activations.append((item.when, item.event_id))
            _settle(result, item.when)
            continue
        hit = state.observe(group, item.when, item.event_id, item.value)
        if hit is not None:
            episode = Episode.start(hit, spec.kind)
            touched[id(episode)] = episode
            result.activations.append((hit.last_seen, item.event_id))
            _settle(result, hit.last_seen)
    if watermark is not None:
        for hit in state.expire(watermark):
            late = Episode.start(hit, spec.kind)
            touched[id(late)] = late
            result.activations.append((hit.last_seen, hit.event_ids[-1] if hit.event_ids else ""))
            _settle(result, hit.last_seen)
    result.episodes = list(touched.values())
    return result


def _settle(result: GroupResult, when: datetime) -> None:
    if result.consumed is None or when > result.consumed:
        result.consumed = when

"""Pure, streaming, event-time sliding windows for Sigma correlation rules.

One :class:`CorrelationState` holds the windows of one correlation rule, one window per
group-by value tuple. The engine feeds it ``observe(group, when, event_id, value)`` for every
base-rule match and calls :meth:`CorrelationState.expire` now and then with the current event
time. Nothing here reads the wall clock: time only moves with event timestamps.

Semantics (chosen to give one alert per window fill, as pySigma backends do):

* **Window**: a window covers the closed interval ``[t, t + timespan]``; two events are in the
  same window when their timestamps differ by at most ``timespan`` (to the microsecond).
* **Eager conditions** (``gt``/``gte`` only; ``temporal``; ``temporal_ordered``): the window
  slides with the group's newest timestamp; items older than ``newest - timespan`` are dropped.
  The rule fires as soon as the items in the window satisfy it. **After firing the group's
  window is emptied** and events older than the firing window's newest timestamp are refused,
  so 12 failures within 5 minutes fire ``gte: 5`` twice (events 5 and 10), not 8 times.
* **Deferred conditions** (any ``lt``/``lte``/``eq`` bound): the window is tumbling; it opens
  at the group's first event ``t0`` and closes once the watermark passes ``t0 + timespan``. On
  closing, the events in ``[t0, t0 + timespan]`` are counted and a :class:`Hit` is produced if
  the condition holds. Such hits come out of :meth:`CorrelationState.expire`, never from
  ``observe``. Groups without any event never exist, so "at most N" means "between 1 and N".
* **Lateness**: the watermark is ``max event time seen by this rule - lateness``. Events are
  inserted in timestamp order (bisect), so reordering within a window is harmless. An event is
  refused (counted in ``late_dropped``) when it is older than ``watermark - timespan``, older
  than its group's ``newest - timespan`` (eager: it cannot share a window with the newest
  event), or older than the end of a window that already fired or closed.
* **Memory**: at most ``max_groups`` groups per rule (least recently updated evicted, counted
  in ``evicted_groups``) and ``max_items`` items per group. When a group overflows, its oldest
  items are forgotten and counted in ``overflow``; ``event_count`` keeps counting them
  (conservatively, until the newest forgotten one leaves the window; ``Hit.first_seen`` is
  then that forgotten timestamp), while ``value_count``
  and ``temporal`` forget their values.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict, deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import islice
from typing import Any

from garrison.correlate.conditions import Condition

WindowKey = tuple[str, tuple[Any, ...]]
"""A window's identity: (correlation rule id, group-by values)."""

_TICK = timedelta(microseconds=1)

# An item: (timestamp, arrival sequence, event id, value). The sequence keeps items with equal
# timestamps in arrival order and makes tuples compare without reaching the value.
_Item = tuple[datetime, int, str, Any]


class CorrelationKind(StrEnum):
    """The Sigma correlation types."""

    EVENT_COUNT = "event_count"
    VALUE_COUNT = "value_count"
    TEMPORAL = "temporal"
    TEMPORAL_ORDERED = "temporal_ordered"
    VALUE_SUM = "value_sum"


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """What a :class:`CorrelationState` counts.

    Attributes:
        rule_id: The correlation rule's id.
        kind: The correlation type.
        timespan: Window length (Sigma ``timespan``).
        condition: Count condition; required for ``event_count``/``value_count``, ignored by
            the temporal kinds.
        rules: Referenced rule names; required (order matters) for the temporal kinds.
        lateness: How far behind the newest event time an event may arrive.
        max_groups: Cap on live groups.
        max_items: Cap on kept items per group.
        max_hit_ids: Cap on event ids (and values) reported in one :class:`Hit`.
    """

    rule_id: str
    kind: CorrelationKind
    timespan: timedelta
    condition: Condition | None = None
    rules: tuple[str, ...] = ()
    lateness: timedelta = timedelta(seconds=60)
    max_groups: int = 100_000
    max_items: int = 10_000
    max_hit_ids: int = 100

    def __post_init__(self) -> None:
        if self.timespan <= timedelta(0):
            raise ValueError("timespan must be positive")
        if self.lateness < timedelta(0):
            raise ValueError("lateness must not be negative")
        if min(self.max_groups, self.max_items, self.max_hit_ids) < 1:
            raise ValueError("caps must be at least 1")
        temporal = self.kind in (CorrelationKind.TEMPORAL, CorrelationKind.TEMPORAL_ORDERED)
        if temporal and not self.rules:
            raise ValueError(f"{self.kind} correlation needs referenced rules")
        if not temporal and self.condition is None:
            raise ValueError(f"{self.kind} correlation needs a condition")

    @property
    def deferred(self) -> bool:
        """True when hits can only be decided when a window closes (upper bounds)."""
        return self.condition is not None and not self.condition.eager and not self.temporal

    @property
    def temporal(self) -> bool:
        """True for ``temporal`` and ``temporal_ordered``."""
        return self.kind in (CorrelationKind.TEMPORAL, CorrelationKind.TEMPORAL_ORDERED)


@dataclass(frozen=True, slots=True)
class Hit:
    """A correlation rule whose condition became true for one group.

    Attributes:
        rule_id: The correlation rule's id.
        group: The group-by values.
        first_seen: Timestamp of the oldest event in the window.
        last_seen: Timestamp of the newest event in the window.
        count: Events in the window (``event_count``, temporal kinds) or distinct values
            (``value_count``), or the sum of the values (``value_sum``, truncated).
        event_ids: Contributing event ids in timestamp order, at most ``max_hit_ids``.
        values: Distinct values (``value_count``) or matched rule names (temporal kinds), in
            first-seen order, at most ``max_hit_ids``.
    """

    rule_id: str
    group: tuple[Any, ...]
    first_seen: datetime
    last_seen: datetime
    count: int
    event_ids: tuple[str, ...]
    values: tuple[Any, ...] = ()

    @property
    def key(self) -> WindowKey:
        """The window's identity."""
        return (self.rule_id, self.group)


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Counters for metrics.

    Attributes:
        groups: Live groups.
        overflow: Items forgotten because a group exceeded ``max_items``.
        late_dropped: Events refused as too late.
        evicted_groups: Groups evicted because the rule exceeded ``max_groups``.
    """

    groups: int
    overflow: int
    late_dropped: int
    evicted_groups: int


@dataclass(slots=True)
class _Group:
    newest: datetime
    items: deque[_Item] = field(default_factory=deque)
    floor: datetime | None = None  # events strictly older are refused
    start: datetime | None = None  # deferred: start of the open window
    dropped: int = 0  # overflowed items still counted (event_count)
    dropped_newest: datetime | None = None


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("correlation timestamps must be timezone-aware")
    return when.astimezone(UTC)


def _number(value: Any) -> float | None:
    """A summable number from a field value (numbers, numeric strings); else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


def _ordered_match(names: Sequence[Any], wanted: Sequence[str]) -> bool:
    """Return whether ``wanted`` occurs as a subsequence of ``names`` (greedy, exact)."""
    pos = 0
    for name in names:
        if pos < len(wanted) and name == wanted[pos]:
            pos += 1
    return pos == len(wanted)


class CorrelationState:
    """Sliding-window state of one correlation rule; see the module docstring for semantics."""

    def __init__(self, spec: WindowSpec) -> None:
        """Create empty state for ``spec``."""
        self.spec = spec
        self._groups: OrderedDict[tuple[Any, ...], _Group] = OrderedDict()
        self._max_seen: datetime | None = None
        self._last_sweep: datetime | None = None
        self._pending: list[Hit] = []
        self._seq = 0
        self._overflow = 0
        self._late = 0
        self._evicted = 0

    @property
    def stats(self) -> WindowStats:
        """Current counters."""
        return WindowStats(len(self._groups), self._overflow, self._late, self._evicted)

    def __len__(self) -> int:
        """Return the number of live groups."""
        return len(self._groups)

    def observe(
        self, group: tuple[Any, ...], when: datetime, event_id: str, value: Any = None
    ) -> Hit | None:
        """Feed one base-rule match.

        Args:
            group: The group-by values of the event (``()`` when the rule has no group-by).
            when: The event's timestamp (aware).
            event_id: The event's id.
            value: ``value_count``: the counted field's value (``None`` → event ignored);
                ``value_sum``: the summed field's value (not a number → event ignored);
                temporal kinds: the name of the referenced rule that matched.

        Returns:
            A hit when an eager condition became true, else ``None``. Deferred (at-most)
            conditions only produce hits from :meth:`expire`.

        Raises:
            ValueError: On a naive timestamp or a temporal rule name not in ``spec.rules``.
        """
        spec = self.spec
        when = _utc(when)
        if spec.kind is CorrelationKind.VALUE_COUNT:
            if value is None:
                return None
            if not isinstance(value, Hashable):
                value = repr(value)
        elif spec.kind is CorrelationKind.VALUE_SUM:
            value = _number(value)
            if value is None:
                return None
        elif spec.temporal and value not in spec.rules:
            raise ValueError(f"{value!r} is not a rule referenced by {spec.rule_id}")
        if self._max_seen is None or when > self._max_seen:
            self._max_seen = when
        watermark = self._max_seen - spec.lateness
        if when < watermark - spec.timespan:
            self._late += 1
            return None
        if self._last_sweep is None:
            self._last_sweep = when
        elif self._max_seen - self._last_sweep > spec.timespan:
            self._pending.extend(self._sweep(watermark))
            self._last_sweep = self._max_seen
        grp = self._group(group, when)
        if spec.deferred:
            self._pending.extend(self._close(group, grp, watermark))
        if (grp.floor is not None and when < grp.floor) or (
            not spec.deferred and grp.items and when < grp.newest - spec.timespan
        ):
            self._late += 1
            return None
        self._insert(grp, when, event_id, value)
        if spec.deferred:
            if grp.start is None or when < grp.start:
                grp.start = when
            return None
        self._prune(grp, grp.newest - spec.timespan)
        hit = self._evaluate(group, grp, grp.items)
        if hit is not None:
            grp.items.clear()
            grp.dropped, grp.dropped_newest = 0, None
            grp.floor = grp.newest
        return hit

    def expire(self, now: datetime) -> list[Hit]:
        """Close and drop windows that the watermark has passed.

        Call it periodically with the current event time (e.g. the newest timestamp the
        engine has processed); it also runs lazily inside :meth:`observe`.

        Args:
            now: Current event time (aware). The watermark is ``max(now, newest seen) -
                lateness``.

        Returns:
            Hits of deferred (at-most / exact) conditions whose windows closed, including
            those closed lazily since the last call, in closing order.
        """
        now = _utc(now)
        if self._max_seen is None or now > self._max_seen:
            self._max_seen = now
        self._last_sweep = self._max_seen
        hits, self._pending = self._pending, []
        hits.extend(self._sweep(self._max_seen - self.spec.lateness))
        return hits

    # -- internals -------------------------------------------------------------------------

    def _group(self, group: tuple[Any, ...], when: datetime) -> _Group:
        grp = self._groups.get(group)
        if grp is None:
            while len(self._groups) >= self.spec.max_groups:
                self._groups.popitem(last=False)
                self._evicted += 1
            grp = self._groups[group] = _Group(newest=when)
        else:
            self._groups.move_to_end(group)
        return grp

    def _insert(self, grp: _Group, when: datetime, event_id: str, value: Any) -> None:
        self._seq += 1
        item: _Item = (when, self._seq, event_id, value)
        if not grp.items or when >= grp.items[-1][0]:
            grp.items.append(item)
        else:
            bisect.insort(grp.items, item, key=lambda it: (it[0], it[1]))
        if when > grp.newest:
            grp.newest = when
        while len(grp.items) > self.spec.max_items:
            old = grp.items.popleft()
            self._overflow += 1
            if self.spec.kind is CorrelationKind.EVENT_COUNT:
                grp.dropped += 1
                grp.dropped_newest = old[0]

    def _prune(self, grp: _Group, cutoff: datetime) -> None:
        items = grp.items
        while items and items[0][0] < cutoff:
            items.popleft()
        if grp.dropped_newest is not None and grp.dropped_newest < cutoff:
            grp.dropped, grp.dropped_newest = 0, None

    def _evaluate(self, group: tuple[Any, ...], grp: _Group, items: Sequence[_Item]) -> Hit | None:
        spec = self.spec
        if not items:
            return None
        values: list[Any] = []
        if spec.kind is CorrelationKind.EVENT_COUNT:
            count = len(items) + grp.dropped
        elif spec.kind is CorrelationKind.VALUE_SUM:
            count = int(sum(it[3] for it in items))
        else:
            values = list(dict.fromkeys(it[3] for it in items))
            count = len(values) if spec.kind is CorrelationKind.VALUE_COUNT else len(items)
        if spec.kind is CorrelationKind.TEMPORAL:
            ok = set(spec.rules) <= set(values)
        elif spec.kind is CorrelationKind.TEMPORAL_ORDERED:
            ok = _ordered_match([it[3] for it in items], spec.rules)
        else:
            ok = spec.condition is not None and spec.condition.matches(count)
        if not ok:
            return None
        first = items[0][0] if grp.dropped_newest is None else min(items[0][0], grp.dropped_newest)
        return Hit(
            rule_id=spec.rule_id,
            group=group,
            first_seen=first,
            last_seen=items[-1][0],
            count=count,
            event_ids=tuple(it[2] for it in islice(items, spec.max_hit_ids)),
            values=tuple(values[: spec.max_hit_ids]),
        )

    def _close(self, group: tuple[Any, ...], grp: _Group, watermark: datetime) -> list[Hit]:
        """Close the group's deferred windows that end before ``watermark``."""
        hits: list[Hit] = []
        while grp.start is not None and grp.start + self.spec.timespan < watermark:
            end = grp.start + self.spec.timespan
            closing: list[_Item] = []
            while grp.items and grp.items[0][0] <= end:
                closing.append(grp.items.popleft())
            if closing or grp.dropped:
                hit = self._evaluate(group, grp, closing)
                if hit is not None:
                    hits.append(hit)
            grp.dropped, grp.dropped_newest = 0, None
            grp.floor = end + _TICK
            grp.start = grp.items[0][0] if grp.items else None
        return hits

    def _sweep(self, watermark: datetime) -> list[Hit]:
        hits: list[Hit] = []
        horizon = watermark - self.spec.timespan
        for group in list(self._groups):
            grp = self._groups[group]
            if self.spec.deferred:
                hits.extend(self._close(group, grp, watermark))
                # keep a closed group while its floor still refuses events the global
                # cut-off would accept
                if grp.start is None and (grp.floor is None or grp.floor <= horizon):
                    del self._groups[group]
            elif grp.newest < horizon:
                del self._groups[group]
        return hits

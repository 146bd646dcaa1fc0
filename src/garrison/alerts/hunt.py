"""One-shot hunting over events (``garrison hunt``): detection, correlation, grouped alerts.

Events flow through the engine once. Matches of single-event rules are grouped per rule into
one alert (count, first and last seen, event ids). Matches of rules that correlations refer to
are kept (id, time, group values) and, once every event has been seen, fed to the correlation
windows in time order, so files read in any order correlate as if they were one stream.

A correlation that fires opens an *episode* for its group: further matches of that group
that follow within the rule's timespan of the episode's last event join it instead of
starting new windows. So a brute force of 12 failures in one minute is one alert with count
12 (and its first and last time), not one alert per 5 failures.
Rules referenced by a correlation with ``generate: false`` (Sigma's default) report only
through that correlation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule

from garrison.alerts.model import Alert
from garrison.correlate.conditions import Condition
from garrison.correlate.windows import CorrelationKind, CorrelationState, Hit, WindowSpec
from garrison.detect.compiler import CompiledRule
from garrison.detect.engine import Engine
from garrison.detect.ruleset import DetectionSet, route
from garrison.detect.values import UnsupportedRuleError
from garrison.events.model import Event
from garrison.ingest.sink import AppendResult, Checkpoint

MAX_EVENT_IDS = 100
#: Hunts sort matches before correlating, so lateness never drops one.
_HUNT_LATENESS = timedelta(0)
_END_OF_TIME = datetime(9000, 1, 1, tzinfo=UTC)


def _level(value: Any) -> str | None:
    if value is None:
        return None
    name = getattr(value, "name", None)
    return str(name).lower() if name else str(value).lower()


def _tags(rule: Any) -> tuple[str, ...]:
    return tuple(str(tag) for tag in getattr(rule, "tags", []) or [])


def _key(rule: Any) -> str:
    """How rules are told apart: their id, else their name, else their title."""
    return str(rule.id or getattr(rule, "name", None) or rule.title)


@dataclass
class _Single:
    rule: CompiledRule
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    ids: list[str] = field(default_factory=list)

    def add(self, event: Event) -> None:
        self.count += 1
        when = event.timestamp
        self.first = when if self.first is None or when < self.first else self.first
        self.last = when if self.last is None or when > self.last else self.last
        if len(self.ids) < MAX_EVENT_IDS:
            self.ids.append(event.id)


@dataclass
class _Episode:
    """A fired correlation and the matches of its group that kept coming."""

    index: int
    group: tuple[Any, ...]
    first: datetime
    last: datetime
    count: int
    ids: list[str]
    values: set[Any] | None

    @classmethod
    def start(cls, index: int, hit: Hit) -> _Episode:
        values = set(hit.values) if hit.values else None
        return cls(
            index=index,
            group=hit.group,
            first=hit.first_seen,
            last=hit.last_seen,
            count=hit.count,
            ids=list(hit.event_ids[:MAX_EVENT_IDS]),
            values=values,
        )

    def add(self, when: datetime, event_id: str, value: Any) -> None:
        self.last = max(self.last, when)
        if len(self.ids) < MAX_EVENT_IDS:
            self.ids.append(event_id)
        if self.values is not None and value is not None:
            # value_count counts distinct values; temporal kinds count matches.
            before = len(self.values)
            self.values.add(value)
            self.count += len(self.values) - before
        else:
            self.count += 1


@dataclass(frozen=True, slots=True)
class _Correlation:
    rule: SigmaCorrelationRule
    spec: WindowSpec
    group_by: tuple[str, ...]
    value_field: str | None


def _correlation(rule: SigmaCorrelationRule) -> _Correlation:
    """The window spec of a correlation rule.

    Raises:
        UnsupportedRuleError: For correlation types or conditions not evaluated yet
            (``value_sum``, ``value_avg``, percentiles, combined conditions).
    """
    try:
        kind = CorrelationKind(rule.type.name.lower())
    except ValueError:
        raise UnsupportedRuleError(
            f"{rule.title}: correlation type {rule.type.name.lower()!r} is not supported yet"
        ) from None
    temporal = kind in (CorrelationKind.TEMPORAL, CorrelationKind.TEMPORAL_ORDERED)
    condition = None
    if not temporal and rule.condition is not None:
        if not isinstance(rule.condition, SigmaCorrelationCondition):
            raise UnsupportedRuleError(
                f"{rule.title}: combined correlation conditions are not supported yet"
            )
        condition = Condition.parse({rule.condition.op.name.lower(): rule.condition.count})
    spec = WindowSpec(
        rule_id=_key(rule),
        kind=kind,
        timespan=timedelta(seconds=rule.timespan.seconds),
        condition=condition,
        rules=tuple(ref.reference for ref in rule.rules or ()) if temporal else (),
        lateness=_HUNT_LATENESS,
    )
    fieldref = getattr(rule.condition, "fieldref", None)
    value_field = fieldref if isinstance(fieldref, str) else None
    return _Correlation(rule, spec, tuple(rule.group_by or ()), value_field)


class Hunter:
    """Runs a detection set over events and turns matches into grouped alerts."""

    def __init__(self, detection: DetectionSet) -> None:
        self.engine = Engine(detection.rules, route)
        self.correlations: list[_Correlation] = []
        #: Correlations that cannot be evaluated, with the reason (reported, never skipped).
        self.unsupported: list[tuple[SigmaCorrelationRule, str]] = []
        for corr in detection.correlations:
            try:
                self.correlations.append(_correlation(corr))
            except UnsupportedRuleError as exc:
                self.unsupported.append((corr, str(exc)))
        # base rule key -> [(correlation index, the name the correlation uses for it)]
        self._refs: dict[str, list[tuple[int, str]]] = {}
        self._silent: set[str] = set()
        for index, prepared in enumerate(self.correlations):
            for ref in prepared.rule.rules or ():
                if ref.rule is None:
                    continue
                base = _key(ref.rule)
                self._refs.setdefault(base, []).append((index, ref.reference))
                if not getattr(prepared.rule, "generate", False):
                    self._silent.add(base)
        self._singles: dict[str, _Single] = {}
        self._pending: list[tuple[datetime, int, int, tuple[Any, ...], str, Any]] = []
        self.events = 0

    def feed(self, events: Iterable[Event]) -> None:
        """Match events; keep what correlations need."""
        for event in events:
            self.events += 1
            for match in self.engine.match(event):
                key = _key(match.rule)
                if key not in self._silent:
                    self._singles.setdefault(key, _Single(match.rule)).add(event)
                for index, name in self._refs.get(key, ()):
                    corr = self.correlations[index]
                    group = tuple(event.get(f) for f in corr.group_by)
                    value = (
                        name
                        if corr.spec.temporal
                        else (event.get(corr.value_field) if corr.value_field else None)
                    )
                    order = len(self._pending)
                    self._pending.append((event.timestamp, order, index, group, event.id, value))

    def alerts(self) -> list[Alert]:
        """Every alert: grouped single-event rules, then correlation hits in time order."""
        found = [self._single_alert(s) for s in self._singles.values()]
        states = [CorrelationState(c.spec) for c in self.correlations]
        open_episodes: dict[tuple[int, tuple[Any, ...]], _Episode] = {}
        episodes: list[_Episode] = []
        for when, _order, index, group, event_id, value in sorted(self._pending):
            episode = open_episodes.get((index, group))
            if (
                episode is not None
                and when - episode.last <= self.correlations[index].spec.timespan
            ):
                episode.add(when, event_id, value)
                continue
            hit = states[index].observe(group, when, event_id, value)
            if hit is not None:
                episode = _Episode.start(index, hit)
                open_episodes[(index, group)] = episode
                episodes.append(episode)
        for index, state in enumerate(states):
            episodes.extend(_Episode.start(index, hit) for hit in state.expire(_END_OF_TIME))
        found.extend(self._episode_alert(self.correlations[e.index], e) for e in episodes)
        return sorted(found, key=lambda a: (a.first_seen, a.title))

    @staticmethod
    def _single_alert(single: _Single) -> Alert:
        rule = single.rule
        assert single.first is not None and single.last is not None  # noqa: S101 - set by add
        return Alert(
            rule_id=_key(rule),
            title=rule.title,
            level=_level(rule.rule.level),
            tags=tuple(rule.tags),
            author=rule.author,
            group={},
            count=single.count,
            first_seen=single.first,
            last_seen=single.last,
            event_ids=tuple(single.ids),
        )

    @staticmethod
    def _episode_alert(corr: _Correlation, episode: _Episode) -> Alert:
        rule = corr.rule
        return Alert(
            rule_id=_key(rule),
            title=rule.title,
            level=_level(rule.level),
            tags=_tags(rule),
            author=rule.author,
            group=dict(zip(corr.group_by, episode.group, strict=True)),
            count=episode.count,
            first_seen=episode.first,
            last_seen=episode.last,
            event_ids=tuple(episode.ids),
        )


class HuntSink:
    """An :class:`~garrison.ingest.sink.EventSink` that hunts instead of storing."""

    def __init__(self, hunter: Hunter) -> None:
        self.hunter = hunter

    def append(
        self, events: Sequence[Event], *, source: str, checkpoint: Checkpoint | None = None
    ) -> AppendResult:
        """Hunt through a batch of parsed events."""
        self.hunter.feed(events)
        return AppendResult(stored=0, duplicates=0, seq=None)

    def load_checkpoint(self, key: str) -> Checkpoint | None:
        """Hunts read whole files: no checkpoints."""
        return None

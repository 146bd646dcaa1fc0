"""One-shot hunting over events (``garrison hunt``): detection, correlation, grouped alerts.

Events flow through the engine once. Matches of single-event rules are grouped per rule into
one alert (count, first and last seen, event ids). Matches of rules that correlations refer to
are kept (id, time, group values) and, once every event has been seen, each group's matches are
run in time order through its window (:func:`garrison.correlate.episodes.run_group`), so files
read in any order correlate as if they were one stream. Correlations run in dependency order;
the activations of one correlation feed those that reference it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sigma.correlations import SigmaCorrelationRule

from garrison.alerts.enrich import Enricher
from garrison.alerts.model import Alert, AlertMeta
from garrison.alerts.plan import CorrelationPlan, rule_key
from garrison.correlate.episodes import MAX_EPISODE_IDS, Episode, Observation, run_group
from garrison.detect.compiler import CompiledRule
from garrison.detect.engine import Engine
from garrison.detect.ruleset import DetectionSet, route
from garrison.events.model import Event
from garrison.ingest.sink import AppendResult, Checkpoint

MAX_EVENT_IDS = MAX_EPISODE_IDS
_END_OF_TIME = datetime(9000, 1, 1, tzinfo=UTC)


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


class Hunter:
    """Runs a detection set over events and turns matches into grouped alerts."""

    def __init__(self, detection: DetectionSet, *, enricher: Enricher | None = None) -> None:
        """Prepare the engine and the correlations of ``detection``."""
        self.engine = Engine(detection.rules, route)
        self.plan = CorrelationPlan(detection.correlations)
        self.enricher = enricher
        self._singles: dict[str, _Single] = {}
        # per correlation: group -> observations
        self._pending: list[dict[tuple[Any, ...], list[Observation]]] = [
            {} for _ in self.plan.correlations
        ]
        self._seq = 0
        self.events = 0

    @property
    def unsupported(self) -> list[tuple[SigmaCorrelationRule, str]]:
        """Correlations that cannot be evaluated, with the reason."""
        return self.plan.unsupported

    def feed(self, events: Iterable[Event]) -> None:
        """Match events; keep what correlations need."""
        plan = self.plan
        for event in events:
            self.events += 1
            if self.enricher is not None:
                event = self.enricher.enrich(event)
            for match in self.engine.match(event):
                key = rule_key(match.rule.rule)
                if key not in plan.silent:
                    self._singles.setdefault(key, _Single(match.rule)).add(event)
                for index, name in plan.dependents(key):
                    group, value = plan.observation(index, name, event)
                    self._observe(index, group, event.timestamp, event.id, value)

    def _observe(
        self, index: int, group: tuple[Any, ...], when: datetime, event_id: str, value: Any
    ) -> None:
        self._seq += 1
        item = Observation(when, self._seq, event_id, value)
        self._pending[index].setdefault(group, []).append(item)

    def alerts(self) -> list[Alert]:
        """Every alert: grouped single-event rules, then correlation episodes; by time."""
        found = [
            AlertMeta.of_rule(s.rule).alert(
                Episode(group=(), first=s.first, last=s.last, count=s.count, event_ids=s.ids)
            )
            for s in self._singles.values()
            if s.first is not None and s.last is not None
        ]
        plan = self.plan
        for index, corr in enumerate(plan.correlations):
            for group, items in self._pending[index].items():
                result = run_group(corr.spec, group, items, None, watermark=_END_OF_TIME)
                meta = AlertMeta.of_correlation(corr)
                found.extend(meta.alert(e) for e in result.episodes)
                dependents = plan.dependents(corr.key)
                if not dependents or not result.activations:
                    continue
                group_map = dict(zip(corr.group_by, group, strict=True))
                for dep, name in dependents:
                    dep_group, value = plan.observation(dep, name, group_map)
                    for when, event_id in result.activations:
                        self._observe(dep, dep_group, when, event_id, value)
        return sorted(found, key=lambda a: (a.first_seen, a.title))


class HuntSink:
    """An :class:`~garrison.ingest.sink.EventSink` that hunts instead of storing."""

    def __init__(self, hunter: Hunter) -> None:
        """Feed ``hunter`` with every appended batch."""
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

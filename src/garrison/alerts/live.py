"""Live detection: stored events become stored alerts, exactly once, across processes.

Detection follows the event store instead of the ingest path, so everything stored is
detected on, whether it came through ``garrison ingest``, the syslog listeners or the HTTP
API. One :meth:`LiveDetector.step` is one transaction:

1. read the events of the batches stored after the detection cursor (at most
   ``max_events``);
2. enrich them (calendar, login baseline) and run them through the engine;
3. single-event matches join the rule's open alert while they come within the grouping window
   of its last match, else open a new alert;
4. correlation matches are added to their group's unsettled matches (kept in the store), and
   each touched group is run through :func:`~garrison.correlate.episodes.run_group` together
   with its open episode (the newest alert of that group), in dependency order;
5. suppressions are applied; alerts, unsettled matches, suppression hits and the cursor are
   written; the transaction commits.

Because unsettled matches and open episodes live in the store, the result does not depend on
how events were split into steps or processes (``tests/correlate/test_episodes.py`` checks
this property), and a crash between steps loses or repeats nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson

from garrison.alerts.enrich import Enricher, LoginBaseline, WorkCalendar
from garrison.alerts.model import AlertMeta
from garrison.alerts.plan import Correlation, CorrelationPlan, rule_key
from garrison.alerts.suppress import Suppression, SuppressionSet
from garrison.core.clock import Clock
from garrison.correlate.episodes import MAX_EPISODE_IDS, Episode, Observation, run_group
from garrison.detect.compiler import CompiledRule
from garrison.detect.engine import Engine
from garrison.detect.ruleset import DetectionSet, route
from garrison.events.model import Event

STATUS_NEW = "new"
STATUS_SUPPRESSED = "suppressed"


def canonical_group(group: Sequence[Any]) -> str:
    """The group values as canonical JSON text."""
    return orjson.dumps(list(group)).decode()


def group_hash(group: Sequence[Any]) -> str:
    """A fixed-size key for a group's values."""
    return hashlib.sha256(canonical_group(group).encode()).hexdigest()


def fingerprint(rule_id: str, group: Sequence[Any], suppression_id: int | None = None) -> str:
    """Which alerts are duplicates of each other: same rule, same group, same muting."""
    payload = orjson.dumps([rule_id, list(group), suppression_id])
    return hashlib.sha256(payload).hexdigest()


class DetectionTransaction(Protocol):
    """What one detection step needs from the store, inside one transaction."""

    @property
    def baseline(self) -> LoginBaseline:
        """The login baseline, read and written inside the transaction."""

    def read_events(self, max_events: int) -> list[Event]:
        """Events of the batches stored after the cursor (whole batches, in order)."""

    def max_event_time(self) -> datetime | None:
        """The newest event time detection has seen (the correlation watermark's base)."""

    def suppressions(self) -> list[Suppression]:
        """Every suppression not removed (the caller filters expired snoozes)."""

    def open_episodes(self, fingerprints: Sequence[str]) -> dict[str, Episode]:
        """The newest not-closed alert of each fingerprint, as an episode (``ref`` = id)."""

    def save_episode(
        self,
        meta: AlertMeta,
        print_: str,
        episode: Episode,
        *,
        status: str,
        suppression_id: int | None,
    ) -> None:
        """Insert a new alert (``episode.ref is None``; sets ``ref``) or update one."""

    def observations(self, rule_id: str, hashes: Sequence[str]) -> dict[str, list[Observation]]:
        """Unsettled matches of a correlation's groups."""

    def unsettled_groups(self, rule_id: str) -> list[tuple[Any, ...]]:
        """Groups of a correlation that have unsettled matches."""

    def replace_observations(
        self, rule_id: str, group: tuple[Any, ...], items: Sequence[Observation]
    ) -> None:
        """Make ``items`` the group's unsettled matches."""

    def prune_observations(self, rule_id: str, before: datetime) -> None:
        """Forget a correlation's matches older than ``before`` (out of every window)."""

    def record_suppression_hits(self, hits: Mapping[int, int]) -> None:
        """Add hit counts to suppressions."""

    def advance(self, max_event_time: datetime | None) -> None:
        """Move the cursor past the events read and remember the newest event time."""


class DetectionStore(Protocol):
    """Opens detection transactions (one at a time across processes)."""

    def transaction(self) -> AbstractContextManager[DetectionTransaction]:
        """A transaction that holds the detection lock until it ends."""


@dataclass
class StepReport:
    """What one step did.

    Attributes:
        events: Events read.
        matches: Rule matches.
        new_alerts: Alerts opened.
        updated_alerts: Existing alerts that grew.
        suppressed: Matches muted by a suppression.
    """

    events: int = 0
    matches: int = 0
    new_alerts: int = 0
    updated_alerts: int = 0
    suppressed: int = 0

    def add(self, other: StepReport) -> None:
        """Accumulate another step's counts."""
        self.events += other.events
        self.matches += other.matches
        self.new_alerts += other.new_alerts
        self.updated_alerts += other.updated_alerts
        self.suppressed += other.suppressed


@dataclass
class _Step:
    """Working state of one step."""

    tx: DetectionTransaction
    suppressions: SuppressionSet
    report: StepReport = field(default_factory=StepReport)
    seq: int = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


class LiveDetector:
    """Runs detection over newly stored events, one transaction per step."""

    def __init__(
        self,
        detection: DetectionSet,
        store: DetectionStore,
        clock: Clock,
        *,
        calendar: WorkCalendar | None = None,
        baseline_window: timedelta = timedelta(days=30),
        group_window: timedelta = timedelta(hours=1),
        lateness: timedelta = timedelta(seconds=60),
        max_events: int = 20_000,
    ) -> None:
        """Prepare the engine and correlations of ``detection``."""
        self.engine = Engine(detection.rules, route)
        self.plan = CorrelationPlan(detection.correlations, lateness=lateness)
        self.store = store
        self.clock = clock
        self.calendar = calendar
        self.baseline_window = baseline_window
        self.group_window = group_window
        self.lateness = lateness
        self.max_events = max_events
        self._meta = {c.key: AlertMeta.of_correlation(c) for c in self.plan.correlations}

    def run(self) -> Iterator[StepReport]:
        """Step until every stored event has been detected on; yield each step's report."""
        while True:
            report = self.step()
            if report.events == 0:
                return
            yield report

    def step(self) -> StepReport:
        """Detect on the next events after the cursor (see the module docstring)."""
        with self.store.transaction() as tx:
            events = tx.read_events(self.max_events)
            if not events:
                return StepReport()
            work = _Step(tx, SuppressionSet(tx.suppressions(), self.clock.now()))
            work.report.events = len(events)
            enricher = Enricher(self.calendar, tx.baseline, window=self.baseline_window)
            newest = tx.max_event_time()
            singles: dict[str, tuple[CompiledRule, list[Event]]] = {}
            pending: list[dict[tuple[Any, ...], list[Observation]]] = [
                {} for _ in self.plan.correlations
            ]
            for raw in events:
                event = enricher.enrich(raw)
                if newest is None or event.timestamp > newest:
                    newest = event.timestamp
                for match in self.engine.match(event):
                    work.report.matches += 1
                    key = rule_key(match.rule.rule)
                    if key not in self.plan.silent:
                        singles.setdefault(key, (match.rule, []))[1].append(event)
                    for index, name in self.plan.dependents(key):
                        group, value = self.plan.observation(index, name, event)
                        item = Observation(event.timestamp, work.next_seq(), event.id, value)
                        pending[index].setdefault(group, []).append(item)
            for rule, matched in singles.values():
                self._singles(work, rule, matched)
            watermark = newest - self.lateness if newest is not None else None
            for index, corr in enumerate(self.plan.correlations):
                self._correlate(work, index, corr, pending, watermark)
            tx.record_suppression_hits(work.suppressions.hits)
            tx.advance(newest)
            return work.report

    def _singles(self, work: _Step, rule: CompiledRule, matched: list[Event]) -> None:
        meta = AlertMeta.of_rule(rule)
        by_print: dict[str, tuple[Suppression | None, list[Event]]] = {}
        for event in matched:
            muted = work.suppressions.check(meta.rule_id, event)
            if muted is not None:
                work.report.suppressed += 1
            muted_id = muted.id if muted is not None else None
            print_ = fingerprint(meta.rule_id, (), muted_id)
            by_print.setdefault(print_, (muted, []))[1].append(event)
        opened = work.tx.open_episodes(list(by_print))
        for print_, (muted, events) in by_print.items():
            episode = opened.get(print_)
            touched: list[Episode] = []
            for event in sorted(events, key=lambda e: e.timestamp):
                when = event.timestamp
                if (
                    episode is None
                    or when - episode.last > self.group_window
                    or episode.first - when > self.group_window
                ):
                    episode = Episode(group=(), first=when, last=when, count=0, event_ids=[])
                    touched.append(episode)
                elif not touched or touched[-1] is not episode:
                    touched.append(episode)
                episode.first = min(episode.first, when)
                episode.last = max(episode.last, when)
                episode.count += 1
                if len(episode.event_ids) < MAX_EPISODE_IDS:
                    episode.event_ids.append(event.id)
            for item in touched:
                self._save(work, meta, print_, item, muted)

    def _save(
        self,
        work: _Step,
        meta: AlertMeta,
        print_: str,
        episode: Episode,
        muted: Suppression | None,
    ) -> None:
        if episode.ref is None:
            work.report.new_alerts += 1
        else:
            work.report.updated_alerts += 1
        work.tx.save_episode(
            meta,
            print_,
            episode,
            status=STATUS_SUPPRESSED if muted is not None else STATUS_NEW,
            suppression_id=muted.id if muted is not None else None,
        )

    def _correlate(
        self,
        work: _Step,
        index: int,
        corr: Correlation,
        pending: list[dict[tuple[Any, ...], list[Observation]]],
        watermark: datetime | None,
    ) -> None:
        tx = work.tx
        spec = corr.spec
        groups = pending[index]
        if spec.deferred:
            # At-most windows close on time alone: look at every group still open.
            for group in tx.unsettled_groups(corr.key):
                groups.setdefault(group, [])
        if groups:
            stored = tx.observations(corr.key, [group_hash(g) for g in groups])
            prints = {g: fingerprint(corr.key, g) for g in groups}
            opened = tx.open_episodes(list(set(prints.values())))
            for group, new in groups.items():
                self._group(
                    work,
                    index,
                    corr,
                    group,
                    new,
                    stored,
                    opened.get(prints[group]),
                    prints[group],
                    pending,
                    watermark,
                )
        if watermark is not None:
            tx.prune_observations(corr.key, watermark - spec.timespan)

    def _group(
        self,
        work: _Step,
        index: int,
        corr: Correlation,
        group: tuple[Any, ...],
        new: list[Observation],
        stored: Mapping[str, list[Observation]],
        episode: Episode | None,
        print_: str,
        pending: list[dict[tuple[Any, ...], list[Observation]]],
        watermark: datetime | None,
    ) -> None:
        spec = corr.spec
        old = stored.get(group_hash(group), [])
        base = max((o.seq for o in old), default=0)
        # New matches come after the stored ones among equal times.
        items = old + [Observation(o.when, base + o.seq, o.event_id, o.value) for o in new]
        result = run_group(
            spec, group, items, episode, watermark=watermark if spec.deferred else None
        )
        group_map = dict(zip(corr.group_by, group, strict=True))
        for touched in result.episodes:
            muted = None
            if touched.ref is None:
                muted = work.suppressions.check(corr.key, group_map)
                if muted is not None:
                    work.report.suppressed += 1
            self._save(work, self._meta[corr.key], print_, touched, muted)
        keep = [o for o in items if result.consumed is None or o.when > result.consumed]
        if keep != old or new:
            work.tx.replace_observations(corr.key, group, keep)
        for dep, name in self.plan.dependents(corr.key):
            dep_group, value = self.plan.observation(dep, name, group_map)
            for when, event_id in result.activations:
                item = Observation(when, work.next_seq(), event_id, value)
                pending[dep].setdefault(dep_group, []).append(item)

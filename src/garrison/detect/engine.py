"""The detection engine: route events to the rules of their dataset, prefilter, evaluate.

Most rules cannot match most events, so the engine avoids evaluating them:

1. **Routing.** Each rule is filed under the datasets its log source maps to (a rule whose
   log source maps to nothing known is filed under every dataset).
2. **Prefilter.** Per dataset, one Aho-Corasick automaton (pyahocorasick) holds the
   ``required_any`` literals of its rules. One pass over the event's lowercased text
   (:func:`~garrison.detect.values.haystack`) finds the rules whose literals occur; rules
   without literals are always candidates.
3. **Evaluation.** Only the candidates' compiled predicates run.

Events are processed in the order given; each match names the rule (id, title, author — the
DRL licence of SigmaHQ rules requires showing it —, level, tags) and the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from garrison.detect.compiler import CompiledRule, LogSource
from garrison.detect.values import haystack
from garrison.events.model import Event

#: Maps a rule's log source to the datasets it applies to; ``None`` means "every dataset".
Router = Callable[[LogSource], frozenset[str] | None]


@dataclass(frozen=True, slots=True)
class Match:
    """One rule matching one event."""

    rule: CompiledRule
    event: Event


@dataclass
class EngineStats:
    """Counters for metrics and benchmarks."""

    events: int = 0
    candidates: int = 0
    evaluated_rules_skipped: int = 0
    matches: int = 0


@dataclass
class _Bucket:
    """The rules of one dataset and their prefilter."""

    always: tuple[int, ...] = ()
    automaton: ahocorasick.Automaton | None = None
    size: int = 0


class Engine:
    """Evaluates compiled rules against events, evaluating as few rules as possible."""

    def __init__(self, rules: Sequence[CompiledRule], router: Router) -> None:
        self.rules = list(rules)
        self.stats = EngineStats()
        by_dataset: dict[str, list[int]] = {}
        everywhere: list[int] = []
        for index, rule in enumerate(self.rules):
            datasets = router(rule.logsource)
            if datasets is None:
                everywhere.append(index)
            else:
                for dataset in datasets:
                    by_dataset.setdefault(dataset, []).append(index)
        self._everywhere = self._bucket(everywhere)
        self._buckets = {name: self._bucket(idx + everywhere) for name, idx in by_dataset.items()}

    def _bucket(self, indices: list[int]) -> _Bucket:
        bucket = _Bucket(size=len(indices))
        words: dict[str, set[int]] = {}
        always: list[int] = []
        for index in indices:
            literals = self.rules[index].required_any
            if not literals:
                always.append(index)
                continue
            for literal in literals:
                words.setdefault(literal, set()).add(index)
        # Sorted: candidates come in rule order ("everywhere" rules are appended last).
        bucket.always = tuple(sorted(always))
        if words:
            automaton = ahocorasick.Automaton()
            for word, owners in words.items():
                automaton.add_word(word, frozenset(owners))
            automaton.make_automaton()
            bucket.automaton = automaton
        return bucket

    def candidates(self, event: Event) -> list[int]:
        """Indices of the rules that may match ``event`` (in rule order)."""
        return list(_candidates(self._buckets.get(event.dataset, self._everywhere), event))

    def match(self, event: Event) -> list[Match]:
        """Every rule that matches ``event``."""
        stats = self.stats
        stats.events += 1
        bucket = self._buckets.get(event.dataset, self._everywhere)
        indices = _candidates(bucket, event)
        stats.candidates += len(indices)
        stats.evaluated_rules_skipped += bucket.size - len(indices)
        if not indices:
            return []
        rules = self.rules
        found = [Match(rules[i], event) for i in indices if rules[i].matches(event)]
        stats.matches += len(found)
        return found

    def run(self, events: Iterable[Event]) -> Iterable[Match]:
        """Match events in order, yielding every match."""
        for event in events:
            yield from self.match(event)


def _candidates(bucket: _Bucket, event: Event) -> Sequence[int]:
    """The rules of ``bucket`` whose literals occur in ``event``, and its literal-less ones.

    Most events hit no literal: they get the bucket's own tuple of literal-less rules, and no
    set or list is allocated for them (allocations add cyclic-GC passes, a measurable share of
    the per-event cost).
    """
    automaton = bucket.automaton
    if automaton is None:
        return bucket.always
    found: set[int] | None = None
    for _end, owners in automaton.iter(haystack(event)):
        if found is None:
            found = set(bucket.always)
        found.update(owners)
    return bucket.always if found is None else sorted(found)

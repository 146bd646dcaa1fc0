"""How correlation rules are wired: who counts whose matches, in which order.

Shared by the one-shot hunt and live detection so both read rules the same way:

* a rule's *key* is its id, else its name, else its title;
* a correlation may reference base rules and other correlations (``success after brute
  force`` = ``temporal_ordered`` over the brute-force correlation and a successful login);
  correlations are evaluated in dependency order and a correlation's activations (each match
  that fired or joined one of its episodes) count for the correlations that reference it;
* base rules referenced by a correlation without ``generate: true`` report only through it
  (Sigma's default). Correlations always report: their alerts are the point of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule

from garrison.correlate.conditions import Condition
from garrison.correlate.windows import CorrelationKind, WindowSpec
from garrison.detect.values import UnsupportedRuleError
from garrison.events.model import Event


def rule_key(rule: Any) -> str:
    """How rules are told apart: their id, else their name, else their title."""
    return str(getattr(rule, "id", None) or getattr(rule, "name", None) or rule.title)


def level_name(value: Any) -> str | None:
    """A pySigma level as lowercase text."""
    if value is None:
        return None
    name = getattr(value, "name", None)
    return str(name).lower() if name else str(value).lower()


@dataclass(frozen=True, slots=True)
class Correlation:
    """One evaluable correlation rule.

    Attributes:
        rule: The pySigma correlation rule.
        key: Its key (see :func:`rule_key`).
        spec: Its window.
        group_by: Group-by field names.
        value_field: The field ``value_count``/``value_sum`` reads.
    """

    rule: SigmaCorrelationRule
    key: str
    spec: WindowSpec
    group_by: tuple[str, ...]
    value_field: str | None

    @property
    def tags(self) -> tuple[str, ...]:
        """The rule's tags as text."""
        return tuple(str(tag) for tag in getattr(self.rule, "tags", []) or [])


def window_spec(rule: SigmaCorrelationRule, lateness: timedelta) -> Correlation:
    """The evaluable form of a correlation rule.

    Raises:
        UnsupportedRuleError: For correlation types or conditions not evaluated
            (``value_avg``, percentiles, medians, combined conditions).
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
    key = rule_key(rule)
    spec = WindowSpec(
        rule_id=key,
        kind=kind,
        timespan=timedelta(seconds=rule.timespan.seconds),
        condition=condition,
        rules=tuple(ref.reference for ref in rule.rules or ()) if temporal else (),
        lateness=lateness,
    )
    fieldref = getattr(rule.condition, "fieldref", None)
    value_field = fieldref if isinstance(fieldref, str) else None
    return Correlation(rule, key, spec, tuple(rule.group_by or ()), value_field)


def _plain(value: Any) -> Any:
    """A group value that is hashable and survives a JSON round trip unchanged."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return orjson.dumps(value, default=str).decode()


class CorrelationPlan:
    """Correlations in evaluation order and the references between rules.

    Attributes:
        correlations: Evaluable correlations; a correlation comes after those it references.
        unsupported: Correlations that cannot be evaluated, with the reason (reported, never
            skipped silently). Correlations that reference them are unsupported too.
        silent: Keys of base rules that report only through a correlation.
    """

    def __init__(
        self, rules: Sequence[SigmaCorrelationRule], *, lateness: timedelta = timedelta(0)
    ) -> None:
        """Order ``rules`` and index their references."""
        self.unsupported: list[tuple[SigmaCorrelationRule, str]] = []
        built: dict[str, Correlation] = {}
        for rule in rules:
            try:
                corr = window_spec(rule, lateness)
            except UnsupportedRuleError as exc:
                self.unsupported.append((rule, str(exc)))
                continue
            built[corr.key] = corr
        self.correlations = self._ordered(built)
        self._index = {c.key: i for i, c in enumerate(self.correlations)}
        # referenced key -> [(index of the referencing correlation, the name it uses)]
        self._refs: dict[str, list[tuple[int, str]]] = {}
        self.silent: set[str] = set()
        for index, corr in enumerate(self.correlations):
            for ref in corr.rule.rules or ():
                if ref.rule is None:
                    continue
                key = rule_key(ref.rule)
                self._refs.setdefault(key, []).append((index, ref.reference))
                if key not in built and not getattr(corr.rule, "generate", False):
                    self.silent.add(key)

    def _ordered(self, built: dict[str, Correlation]) -> list[Correlation]:
        """Dependency order (references first); cycles and broken chains are unsupported."""
        done: dict[str, Correlation] = {}
        visiting: set[str] = set()
        bad: set[str] = set()

        def visit(key: str) -> bool:
            if key in done:
                return True
            if key in bad or key in visiting:
                return False
            visiting.add(key)
            corr = built[key]
            ok = True
            for ref in corr.rule.rules or ():
                if isinstance(ref.rule, SigmaCorrelationRule):
                    ref_key = rule_key(ref.rule)
                    if ref_key not in built or not visit(ref_key):
                        ok = False
            visiting.discard(key)
            if ok:
                done[key] = corr
            else:
                bad.add(key)
                self.unsupported.append(
                    (corr.rule, f"{corr.rule.title}: references a correlation that cannot run")
                )
            return ok

        for key in built:
            visit(key)
        return list(done.values())

    def __len__(self) -> int:
        """Return the number of evaluable correlations."""
        return len(self.correlations)

    def index(self, key: str) -> int:
        """Position of a correlation in :attr:`correlations`."""
        return self._index[key]

    def dependents(self, key: str) -> list[tuple[int, str]]:
        """Correlations that count matches of the rule ``key``: ``(index, reference name)``."""
        return self._refs.get(key, [])

    def observation(
        self, index: int, name: str, fields: Event | Mapping[str, Any]
    ) -> tuple[tuple[Any, ...], Any]:
        """Group values and counted value of a match for correlation ``index``.

        Args:
            index: The correlation.
            name: The name the correlation uses for the matched rule.
            fields: The matching event, or the group map of a referenced correlation.
        """
        corr = self.correlations[index]
        get = fields.get
        group = tuple(_plain(get(f)) for f in corr.group_by)
        if corr.spec.temporal:
            return group, name
        return group, (get(corr.value_field) if corr.value_field else None)

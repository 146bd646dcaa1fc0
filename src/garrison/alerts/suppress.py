"""Suppressions: allow-list entries and snoozes that mute alerts without losing them.

A suppression names a rule (or every rule) and field conditions. It matches a single-event
alert on the matching event's fields and a correlation alert on its group-by values. Matched
alerts are still stored, with status ``suppressed`` and the suppression's id, so an analyst can
review what the allow-list hid; the suppression counts its hits.

Condition values are compared as text, case-insensitively:

* ``10.0.0.0/8``: a CIDR network matches any address inside it;
* a value with ``*`` or ``?`` is a glob (``svc-*``);
* anything else must be equal.

A list-valued field matches when any element does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from garrison.core.errors import InputError
from garrison.events.model import Event

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(pattern: str) -> _Network | None:
    if "/" not in pattern:
        return None
    try:
        return ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Pattern:
    """One condition value, pre-parsed."""

    text: str
    network: _Network | None = None
    glob: bool = False

    @classmethod
    def parse(cls, text: str) -> Pattern:
        """Parse a condition value (see the module docstring)."""
        text = text.strip()
        network = _network(text)
        return cls(text.lower(), network, network is None and any(c in text for c in "*?"))

    def matches(self, value: Any) -> bool:
        """Return whether a field value satisfies the pattern."""
        if value is None:
            return False
        if isinstance(value, list | tuple):
            return any(self.matches(item) for item in value)
        text = str(value).strip()
        if self.network is not None:
            try:
                return ipaddress.ip_address(text) in self.network
            except ValueError:
                return False
        text = text.lower()
        return fnmatchcase(text, self.text) if self.glob else text == self.text


@dataclass(frozen=True)
class Suppression:
    """One allow-list entry or snooze.

    Attributes:
        id: Stored id (``None`` before it is stored).
        rule_id: The rule it applies to; ``None`` for every rule.
        conditions: Field name -> value pattern; all must match.
        reason: Why (required: suppressions are audited).
        created_by: Who created it.
        created_at: When.
        until: End of a snooze; ``None`` until removed.
    """

    id: int | None
    rule_id: str | None
    conditions: Mapping[str, str]
    reason: str
    created_by: str
    created_at: datetime
    until: datetime | None = None
    _patterns: tuple[tuple[str, Pattern], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.rule_id and not self.conditions:
            raise InputError(
                "a suppression needs a rule or at least one field condition",
                hint="e.g. --rule <id> or --where source.ip=10.0.0.5",
            )
        if not self.reason.strip():
            raise InputError("a suppression needs a reason (it is audited)")
        for name in self.conditions:
            if not name or name != name.strip():
                raise InputError(f"invalid field name in suppression: {name!r}")
        patterns = tuple((k, Pattern.parse(v)) for k, v in self.conditions.items())
        object.__setattr__(self, "_patterns", patterns)

    def active(self, now: datetime) -> bool:
        """Return whether the suppression still applies at wall-clock time ``now``."""
        return self.until is None or now < self.until

    def matches(self, rule_id: str, fields: Event | Mapping[str, Any]) -> bool:
        """Return whether an alert of ``rule_id`` with these fields is muted."""
        if self.rule_id is not None and self.rule_id != rule_id:
            return False
        get = fields.get
        return all(pattern.matches(get(name)) for name, pattern in self._patterns)


def parse_conditions(items: Sequence[str]) -> dict[str, str]:
    """Parse ``field=value`` command-line conditions.

    Raises:
        InputError: On an item without ``=`` or with an empty field name.
    """
    conditions: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"invalid condition {item!r}", hint="use field=value")
        conditions[name.strip()] = value.strip()
    return conditions


class SuppressionSet:
    """The active suppressions, with hit counters."""

    def __init__(self, suppressions: Sequence[Suppression], now: datetime) -> None:
        """Keep the suppressions active at ``now``."""
        self.items = [s for s in suppressions if s.active(now)]
        self.hits: dict[int, int] = {}

    def check(self, rule_id: str, fields: Event | Mapping[str, Any]) -> Suppression | None:
        """The first suppression that mutes this alert, counting the hit."""
        for item in self.items:
            if item.matches(rule_id, fields):
                if item.id is not None:
                    self.hits[item.id] = self.hits.get(item.id, 0) + 1
                return item
        return None

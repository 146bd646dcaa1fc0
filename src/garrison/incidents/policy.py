"""When alerts become incidents: automatic opening, attaching, and the incident type.

Pure decisions over alert facts; :mod:`garrison.storage.sql.incident_automation` applies them.
Alerts attach to an open incident that shares an *attacker-side* entity with them (the source
address or the account); the host and destination address only find the affected assets, since
every alert about a busy server would otherwise join the same incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from garrison.alerts.query import LEVELS


class Fields(Protocol):
    """Anything with field lookup by dotted name (an event, a dict)."""

    def get(self, name: str, default: Any = None, /) -> Any:
        """The value of a field."""
        ...


#: Event fields that name who acted: alerts sharing one join the same incident.
ATTACH_FIELDS = {"source.ip": "ip", "user.name": "user"}
#: Event fields that name what was hit: used to find the affected assets.
SCOPE_FIELDS = {"host.name": "host", "destination.ip": "ip", "host.ip": "ip"}

#: ATT&CK technique prefix -> incident type (first match wins, most specific first).
_TECHNIQUE_TYPES = (
    ("attack.t1110", "brute_force"),
    ("attack.t1078", "account_compromise"),
    ("attack.t1098", "account_compromise"),
    ("attack.t1136", "account_compromise"),
    ("attack.t1505.003", "web_intrusion"),
    ("attack.t1190", "web_intrusion"),
    ("attack.t1611", "container_escape"),
    ("attack.t1496", "malware"),
    ("attack.t1498", "ddos"),
    ("attack.t1499", "ddos"),
    ("attack.t1567", "data_leak"),
    ("attack.t1530", "data_leak"),
    ("attack.exfiltration", "data_leak"),
)

#: Incident type -> (category, subcategory) of GB/T 20986-2023.
TYPE_CATEGORY: dict[str, tuple[str, str]] = {
    "brute_force": ("network_attack", "brute_force"),
    "account_compromise": ("abnormal_behaviour", "account"),
    "web_intrusion": ("network_attack", "exploit"),
    "container_escape": ("network_attack", "exploit"),
    "malware": ("malware", "other"),
    "ddos": ("network_attack", "dos"),
    "data_leak": ("data_security", "leak"),
    "generic": ("other", "other"),
}


@dataclass(frozen=True, slots=True)
class OpenPolicy:
    """Which alerts open an incident on their own.

    Attributes:
        levels: Alerts of these levels open one (default: ``critical``).
        rules: Alerts of these rule ids open one whatever their level.
        loss: The assessed loss of an automatically opened incident (until someone assesses).
        impact: Its assessed social impact.
    """

    levels: frozenset[str] = frozenset({"critical"})
    rules: frozenset[str] = field(default_factory=frozenset)
    loss: str = "considerable"
    impact: str = "general"

    def opens(self, level: str | None, rule_id: str) -> bool:
        """Whether an alert of ``level`` from ``rule_id`` opens an incident."""
        return rule_id in self.rules or (level in self.levels and level in LEVELS)


def incident_type(tags: Iterable[str]) -> str:
    """The incident type suggested by an alert's ATT&CK tags (``generic`` when none fits)."""
    lowered = [t.lower() for t in tags]
    for prefix, kind in _TECHNIQUE_TYPES:
        if any(t == prefix or t.startswith(prefix + ".") for t in lowered):
            return kind
    return "generic"


def _values(source: Fields, fields: Mapping[str, str]) -> set[str]:
    found = set()
    for name, kind in fields.items():
        value = source.get(name)
        if isinstance(value, str) and value:
            found.add(f"{kind}:{value}")
    return found


def entities(group: Fields, events: Iterable[Fields]) -> tuple[set[str], set[str]]:
    """The ``(attacker-side, affected)`` entities of an alert from its group and its events.

    Entities are ``kind:value`` strings: ``ip:203.0.113.9``, ``user:root``, ``host:web01``.
    """
    attach = _values(group, ATTACH_FIELDS)
    scope = _values(group, SCOPE_FIELDS)
    for event in events:
        attach |= _values(event, ATTACH_FIELDS)
        scope |= _values(event, SCOPE_FIELDS)
    return attach, scope

"""The alert value object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from garrison.alerts.plan import Correlation, level_name, rule_key
from garrison.correlate.episodes import Episode
from garrison.detect.compiler import CompiledRule


@dataclass(frozen=True, slots=True)
class Alert:
    """A rule that fired, with what made it fire.

    Attributes:
        rule_id: The rule's id.
        title: Its title.
        level: Its level (``low`` ... ``critical``).
        tags: Its tags (ATT&CK, 等保 items).
        author: Its author (the DRL licence of SigmaHQ rules requires showing it).
        group: Group-by field -> value (empty for single-event rules).
        count: Matching events (or distinct values for ``value_count``).
        first_seen: Time of the first contributing event.
        last_seen: Time of the last contributing event.
        event_ids: Contributing event ids (at most 100).
    """

    rule_id: str
    title: str
    level: str | None
    tags: tuple[str, ...]
    author: str | None
    group: dict[str, Any]
    count: int
    first_seen: datetime
    last_seen: datetime
    event_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``garrison hunt --json`` form."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "level": self.level,
            "tags": list(self.tags),
            "author": self.author,
            "group": self.group,
            "count": self.count,
            "first_seen": self.first_seen.isoformat().replace("+00:00", "Z"),
            "last_seen": self.last_seen.isoformat().replace("+00:00", "Z"),
            "event_ids": list(self.event_ids),
        }


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """An alert as live detection stored it.

    Attributes:
        id: Its number.
        alert: What fired (the ``garrison hunt`` shape).
        kind: ``rule`` (single event) or ``correlation``.
        status: ``new``, ``acknowledged``, ``closed`` or ``suppressed``.
        suppression_id: The suppression that muted it, if any.
        created_at: When it was opened (wall clock).
        updated_at: When it last grew or changed.
        resolution: The verdict of a closed alert (``true_positive``, ``false_positive``,
            ``benign``).
        status_reason: Why its status was last changed.
        status_by: Who changed it.
        status_at: When.
    """

    id: int
    alert: Alert
    kind: str
    status: str
    suppression_id: int | None
    created_at: datetime
    updated_at: datetime
    resolution: str | None = None
    status_reason: str | None = None
    status_by: str | None = None
    status_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``garrison alerts list --json`` form: the hunt form plus storage fields."""
        return {
            "id": self.id,
            **self.alert.to_dict(),
            "kind": self.kind,
            "status": self.status,
            "suppression_id": self.suppression_id,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "updated_at": self.updated_at.isoformat().replace("+00:00", "Z"),
            "resolution": self.resolution,
            "status_reason": self.status_reason,
            "status_by": self.status_by,
            "status_at": self.status_at.isoformat().replace("+00:00", "Z")
            if self.status_at
            else None,
        }


@dataclass(frozen=True, slots=True)
class AlertMeta:
    """What an alert says about its rule.

    Attributes:
        rule_id: The rule's key.
        title: Its title.
        level: Its level.
        tags: Its tags.
        author: Its author.
        kind: ``rule`` (single event) or ``correlation``.
        group_by: Group-by field names (empty for single-event rules).
    """

    rule_id: str
    title: str
    level: str | None
    tags: tuple[str, ...]
    author: str | None
    kind: str
    group_by: tuple[str, ...] = ()

    @classmethod
    def of_rule(cls, rule: CompiledRule) -> AlertMeta:
        """Metadata of a single-event rule."""
        return cls(
            rule_id=rule_key(rule.rule),
            title=rule.title,
            level=level_name(rule.rule.level),
            tags=tuple(rule.tags),
            author=rule.author,
            kind="rule",
        )

    def alert(self, episode: Episode) -> Alert:
        """The alert an episode of this rule makes."""
        return Alert(
            rule_id=self.rule_id,
            title=self.title,
            level=self.level,
            tags=self.tags,
            author=self.author,
            group=dict(zip(self.group_by, episode.group, strict=True)),
            count=episode.count,
            first_seen=episode.first,
            last_seen=episode.last,
            event_ids=tuple(episode.event_ids),
        )

    @classmethod
    def of_correlation(cls, corr: Correlation) -> AlertMeta:
        """Metadata of a correlation rule."""
        return cls(
            rule_id=corr.key,
            title=corr.rule.title,
            level=level_name(corr.rule.level),
            tags=corr.tags,
            author=corr.rule.author,
            kind="correlation",
            group_by=corr.group_by,
        )

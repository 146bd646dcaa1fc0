"""The :class:`Event` value object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from garrison.events import schema


@dataclass(frozen=True, slots=True)
class Event:
    """One normalised event.

    Attributes:
        id: Stable id (see :func:`garrison.core.ids.event_id`).
        timestamp: When the event happened, timezone-aware UTC (``@timestamp``).
        dataset: The source format (``event.dataset``), e.g. ``linux.auth``.
        original: The raw record as read (``event.original``).
        fields: Every other field, flat, keyed by ECS-style dotted names
            (``source.ip``, ``event.outcome``); the source's own fields keep their names.
    """

    id: str
    timestamp: datetime
    dataset: str
    original: str
    fields: Mapping[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        """Return a field by its dotted name, including the attribute-backed ones."""
        if name == schema.TIMESTAMP:
            return self.timestamp
        if name == schema.DATASET:
            return self.dataset
        if name == schema.ORIGINAL:
            return self.original
        if name == schema.ID:
            return self.id
        return self.fields.get(name, default)

    @property
    def unparsed(self) -> bool:
        """True when no parser understood the record (``event.kind: pipeline_error``)."""
        return self.fields.get(schema.KIND) == schema.KIND_PIPELINE_ERROR

    def to_dict(self) -> dict[str, Any]:
        """Return the whole event as one flat document (timestamp as ISO 8601 text)."""
        doc: dict[str, Any] = {
            schema.ID: self.id,
            schema.TIMESTAMP: self.timestamp.isoformat().replace("+00:00", "Z"),
            schema.DATASET: self.dataset,
        }
        doc.update(self.fields)
        doc[schema.ORIGINAL] = self.original
        return doc

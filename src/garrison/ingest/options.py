"""Options that shape how streams are parsed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How to read and parse streams.

    Attributes:
        format: Force a parser (``--format``); ``None`` auto-detects per stream.
        tz: Zone of timestamps that carry none (``--timezone``).
        year: Year of syslog timestamps that carry none (``--year``).
        encoding: Text encoding of the input (``--encoding``), UTF-8 by default.
        field_map: JSON field map (``--map``), source path -> schema field.
        extra: Fields added to every event (e.g. ``host.name`` of a pushing source).
        batch_size: Events per stored batch.
    """

    format: str | None = None
    tz: tzinfo = UTC
    year: int | None = None
    encoding: str = "utf-8"
    field_map: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    batch_size: int = 5000

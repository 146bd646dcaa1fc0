"""Counters of one ingest run, printed as the ``--json`` summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class IngestSummary:
    """What an ingest run read, parsed and stored.

    Attributes:
        files: Streams opened (files, stdin), including unreadable ones.
        records: Raw records read (lines, EVTX records).
        events: Events produced (``message repeated`` expands, auditd groups merge).
        unparsed: Events stored as unparsed (``event.kind: pipeline_error``).
        stored: Events newly stored.
        duplicates: Events already stored before (same id).
        by_dataset: Events per ``event.dataset``.
        errors: Files that could not be read (fully), with the reason.
    """

    files: int = 0
    records: int = 0
    events: int = 0
    unparsed: int = 0
    stored: int = 0
    duplicates: int = 0
    by_dataset: Counter[str] = field(default_factory=Counter)
    formats: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def add_error(self, path: str, message: str) -> None:
        """Record a file that could not be read (fully)."""
        self.errors.append({"path": path, "error": message})

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` summary object."""
        return {
            "files": self.files,
            "records": self.records,
            "events": self.events,
            "unparsed": self.unparsed,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "unreadable": len(self.errors),
            "by_dataset": dict(sorted(self.by_dataset.items())),
            "formats": self.formats,
            "errors": self.errors,
        }

"""What the ingest layer needs from storage (implemented by ``garrison.storage``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from garrison.events.model import Event


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a followed file has been read and stored.

    Attributes:
        key: The followed path, as given (absolute).
        stream: Fingerprint of the file's content (its first line).
        device: ``st_dev`` of the file.
        inode: ``st_ino`` of the file, to recognise it after a rename (rotation).
        offset: Byte offset up to which every record is stored.
    """

    key: str
    stream: str
    device: int
    inode: int
    offset: int


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Outcome of storing one batch: how many events were new and how many already stored."""

    stored: int
    duplicates: int
    seq: int | None


class EventSink(Protocol):
    """Stores batches of events atomically, optionally with a follow checkpoint."""

    def append(
        self,
        events: Sequence[Event],
        *,
        source: str,
        checkpoint: Checkpoint | None = None,
    ) -> AppendResult:
        """Store ``events`` (skipping ids already stored) and ``checkpoint`` in one transaction."""
        ...

    def load_checkpoint(self, key: str) -> Checkpoint | None:
        """Return the stored checkpoint of a followed path, if any."""
        ...

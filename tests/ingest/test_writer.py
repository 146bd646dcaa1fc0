"""The background writer keeps order, hands errors back, and never deadlocks."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from garrison.events.model import Event
from garrison.ingest.sink import AppendResult, Checkpoint
from garrison.ingest.writer import BackgroundWriter


class RecordingSink:
    def __init__(self, fail_at: int | None = None, gate: threading.Event | None = None) -> None:
        self.calls: list[tuple[int, Checkpoint | None]] = []
        self.fail_at = fail_at
        self.gate = gate

    def append(
        self, events: Sequence[Event], *, source: str, checkpoint: Checkpoint | None = None
    ) -> AppendResult:
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail_at is not None and len(self.calls) == self.fail_at:
            raise RuntimeError("disk full")
        self.calls.append((len(events), checkpoint))
        return AppendResult(stored=len(events), duplicates=0, seq=len(self.calls))

    def load_checkpoint(self, key: str) -> Checkpoint | None:
        return None


def cp(offset: int) -> Checkpoint:
    return Checkpoint(key="/f", stream="s", device=1, inode=2, offset=offset)


def test_batches_are_stored_in_order_with_their_checkpoints() -> None:
    sink = RecordingSink()
    writer = BackgroundWriter(sink)
    results: list[int] = []
    for i in range(10):
        writer.submit([], source="x", checkpoint=cp(i), done=lambda r: results.append(r.seq or 0))
    writer.close()
    assert [c.offset for _, c in sink.calls if c] == list(range(10))
    assert results == list(range(1, 11))


def test_an_error_is_raised_at_close() -> None:
    writer = BackgroundWriter(RecordingSink(fail_at=0))
    writer.submit([], source="x", checkpoint=None, done=lambda r: None)
    with pytest.raises(RuntimeError, match="disk full"):
        writer.close()


def test_an_error_is_raised_at_the_next_submit_without_deadlock() -> None:
    gate = threading.Event()
    writer = BackgroundWriter(RecordingSink(fail_at=0, gate=gate))
    writer.submit([], source="x", checkpoint=None, done=lambda r: None)
    writer.submit([], source="x", checkpoint=None, done=lambda r: None)
    gate.set()
    with pytest.raises(RuntimeError, match="disk full"):
        for _ in range(100):  # the queue never stays full: the failed writer keeps draining
            writer.submit([], source="x", checkpoint=None, done=lambda r: None)
    with pytest.raises(RuntimeError):
        writer.close()

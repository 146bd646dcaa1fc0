"""A background writer: stores batches in a second thread while parsing goes on.

The database driver releases the GIL while SQLite or PostgreSQL does its work, so parsing the
next batch overlaps with storing the previous one. Batches are stored in the order they were
submitted, each with its checkpoint, so the guarantees of a synchronous store hold. A failure
in the writer is raised to the producer at its next submit or at :meth:`BackgroundWriter.close`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from garrison.events.model import Event
from garrison.ingest.sink import AppendResult, Checkpoint, EventSink

#: Batches waiting to be stored; bounds memory and slows the producer down when full.
QUEUE_DEPTH = 2


@dataclass(frozen=True, slots=True)
class _Job:
    events: Sequence[Event]
    source: str
    checkpoint: Checkpoint | None
    done: Callable[[AppendResult], None]


class BackgroundWriter:
    """Stores submitted batches in order, in one thread."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="garrison-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is not None:
                continue  # keep draining so that a blocked producer can go on and see it
            try:
                job.done(self.sink.append(job.events, source=job.source, checkpoint=job.checkpoint))
            except BaseException as exc:
                self._error = exc

    def submit(
        self,
        events: Sequence[Event],
        *,
        source: str,
        checkpoint: Checkpoint | None,
        done: Callable[[AppendResult], None],
    ) -> None:
        """Queue one batch (blocks while :data:`QUEUE_DEPTH` batches are waiting).

        Raises:
            BaseException: The error that stopped the writer, if any.
        """
        if self._error is not None:
            raise self._error
        self._jobs.put(_Job(events, source, checkpoint, done))

    def close(self) -> None:
        """Wait until every batch is stored.

        Raises:
            BaseException: The error that stopped the writer, if any.
        """
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

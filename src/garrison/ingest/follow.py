"""``ingest --follow``: tail files with a persisted checkpoint.

Guarantees (tested by killing the process with SIGKILL mid-file):

* Events and the checkpoint are stored in one transaction, so after a crash the checkpoint
  never points past an unstored event (nothing lost).
* The checkpoint only ever advances to an offset whose records were fully emitted; records
  re-read after a restart produce the same ids and are skipped (nothing duplicated).
* Rotation by rename is detected by inode; the rest of the old file is read before the new
  one. A rotation that happened while Garrison was stopped is resolved by finding the old
  inode beside the path (``auth.log.1``). Truncation (copytruncate) restarts at offset 0.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from garrison.core.clock import Clock
from garrison.core.ids import stream_key
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import SAMPLE_LINES, Batcher, choose_parser, first_line, make_context
from garrison.ingest.reader import MAX_LINE_BYTES, decode
from garrison.ingest.sink import Checkpoint, EventSink
from garrison.ingest.summary import IngestSummary
from garrison.normalize.base import Line, ParseContext, Parser

POLL_SECONDS = 0.25
FLUSH_SECONDS = 1.0


class FileFollower:
    """Follows one path across rotations and truncations until ``stop`` is set."""

    def __init__(
        self,
        path: Path,
        *,
        store: EventSink,
        summary: IngestSummary,
        options: IngestOptions,
        clock: Clock,
        stop: threading.Event,
        warn: Callable[[str], None],
        poll: float = POLL_SECONDS,
    ) -> None:
        self.path = path
        self.key = str(path.resolve()) if path.exists() else str(path.absolute())
        self.store = store
        self.summary = summary
        self.options = options
        self.clock = clock
        self.stop = stop
        self.warn = warn
        self.poll = poll
        self.batcher = Batcher(store, summary, self.key, options.batch_size)

    # -- main loop ---------------------------------------------------------------------
    def run(self) -> None:
        """Follow the path until stopped."""
        resume = self._resume_point()
        while not self.stop.is_set():
            opened = self._open_current()
            if opened is None:
                self.stop.wait(self.poll)
                continue
            fh, st, head = opened
            key = stream_key(first_line(head))
            start = 0
            if resume is not None:
                if (
                    resume.inode == st.st_ino
                    and resume.stream == key
                    and resume.offset <= st.st_size
                ):
                    start = resume.offset
                elif resume.inode == st.st_ino and resume.device == st.st_dev:
                    self.warn(f"{self.path}: truncated while stopped; reading it from the start")
                else:
                    self._finish_rotated(resume)
                resume = None
            self._follow_file(fh, st.st_dev, st.st_ino, key, head, start)

    def _resume_point(self) -> Checkpoint | None:
        return self.store.load_checkpoint(self.key)

    def _open_current(self) -> tuple[BinaryIO, os.stat_result, bytes] | None:
        """Open the path once it has a complete first line (its identity)."""
        try:
            fh: BinaryIO = self.path.open("rb")
        except OSError:
            return None
        st = os.fstat(fh.fileno())
        head = fh.read(4096)
        if b"\n" not in head and len(head) < 4096:
            fh.close()
            return None
        fh.seek(0)
        return fh, st, head

    def _finish_rotated(self, cp: Checkpoint) -> None:
        """Read the remainder of a file that was rotated away while we were stopped."""
        parent = self.path.parent
        for candidate in sorted(parent.glob(self.path.name + "*")):
            try:
                st = candidate.stat()
            except OSError:
                continue
            if st.st_ino == cp.inode and st.st_dev == cp.device and candidate != self.path:
                with candidate.open("rb") as fh:
                    head = fh.read(4096)
                    if stream_key(first_line(head)) != cp.stream:
                        continue
                    self._read_to_end(fh, cp, head)
                return
        self.warn(
            f"{self.path}: was rotated while stopped and the old file was not found beside it;"
            f" records after offset {cp.offset} of the old file may be missing"
        )

    def _read_to_end(self, fh: BinaryIO, cp: Checkpoint, head: bytes) -> None:
        parser = self._parser(head)
        ctx = self._ctx(cp.stream)
        tracker = _Tracker(cp.offset, cp.offset)
        lines = _file_lines(fh, cp.offset, self.options.encoding, tracker, lambda: False, None)
        for event in parser.parse(lines, ctx):
            self.batcher.add(event)
        self.batcher.flush(self._checkpoint(cp.stream, cp.device, cp.inode, tracker.safe))

    # -- one file ------------------------------------------------------------------------
    def _parser(self, head: bytes) -> Parser:
        sample_text = head.decode(self.options.encoding, "replace").splitlines()[:SAMPLE_LINES]
        parser, name = choose_parser(self.options, sample_text, head)
        self.summary.formats[self.key] = name
        return parser

    def _ctx(self, stream: str) -> ParseContext:
        now = self.clock.now()
        return make_context(self.options, stream, now, self.key, now)

    def _checkpoint(self, stream: str, device: int, inode: int, offset: int) -> Checkpoint:
        return Checkpoint(key=self.key, stream=stream, device=device, inode=inode, offset=offset)

    def _follow_file(
        self, fh: BinaryIO, device: int, inode: int, stream: str, head: bytes, start: int
    ) -> None:
        parser = self._parser(head)
        ctx = self._ctx(stream)
        tracker = _Tracker(start, start)
        last_flush = time.monotonic()

        def safe_offset() -> int:
            pending = parser.pending_offset()
            return tracker.safe if pending is None else min(pending, tracker.safe)

        def on_idle() -> None:
            nonlocal last_flush
            self.batcher.flush(self._checkpoint(stream, device, inode, safe_offset()))
            last_flush = time.monotonic()

        def should_end() -> bool:
            """The stream ends when stopped, rotated away, or truncated."""
            if self.stop.is_set():
                return True
            try:
                st = self.path.stat()
            except OSError:
                return False  # rotated and not yet recreated: keep draining the old file
            if st.st_ino != inode or st.st_dev != device:
                return True
            if st.st_size < tracker.position:
                tracker.truncated = True
                return True
            return False

        lines = _file_lines(
            fh,
            start,
            self.options.encoding,
            tracker,
            should_end,
            on_idle,
            poll=self.poll,
            wait=self.stop.wait,
            interrupted=self.stop.is_set,
        )
        try:
            for event in parser.parse(lines, ctx):
                self.batcher.add(event)
                if time.monotonic() - last_flush > FLUSH_SECONDS and len(self.batcher.pending) > 0:
                    on_idle()
        finally:
            self.batcher.flush(self._checkpoint(stream, device, inode, safe_offset()))
            fh.close()
        if tracker.truncated:
            self.warn(f"{self.path}: truncated; reading it again from the start")


@dataclass(slots=True)
class _Tracker:
    """Read position and the safe checkpoint offset of one followed file."""

    position: int
    safe: int
    truncated: bool = False


def _file_lines(
    fh: BinaryIO,
    start: int,
    encoding: str,
    tracker: _Tracker,
    should_end: Callable[[], bool],
    on_idle: Callable[[], None] | None,
    *,
    poll: float = POLL_SECONDS,
    wait: Callable[[float], bool] | None = None,
    interrupted: Callable[[], bool] = lambda: False,
) -> Iterator[Line]:
    """Yield complete lines from ``start``; at EOF wait for more until ``should_end()``.

    ``tracker.safe`` is advanced to the end of a line only when the next line is requested,
    i.e. after the parser has emitted every event of that line.
    """
    fh.seek(start)
    readline = fh.readline
    offset = start
    partial = b""
    skip = False  # inside the remainder of an over-long line
    count = 0
    while True:
        raw = readline(MAX_LINE_BYTES + 1)
        if raw and skip:
            offset += len(raw)
            skip = not raw.endswith(b"\n")
            continue
        if raw and (raw.endswith(b"\n") or len(partial) + len(raw) > MAX_LINE_BYTES):
            raw = partial + raw
            partial = b""
            # Over-long lines are cut to their first 1 MiB; the rest of the line is skipped.
            skip = not raw.endswith(b"\n")
            line = Line(decode(raw[:MAX_LINE_BYTES], encoding), offset)
            offset += len(raw)
            tracker.position = offset
            yield line
            tracker.safe = offset if not skip else tracker.safe
            count += 1
            if count & 0xFFF == 0 and interrupted():
                return
            continue
        if raw:
            # An incomplete last line: keep it until its newline arrives.
            partial += raw
            continue
        if on_idle is None or should_end():
            if partial and on_idle is None:
                line = Line(decode(partial, encoding), offset)
                offset += len(partial)
                yield line
                tracker.safe = offset
            return
        on_idle()
        (wait or time.sleep)(poll)
        fh.seek(offset + len(partial))


def follow_paths(
    paths: list[str],
    *,
    store: EventSink,
    summary: IngestSummary,
    options: IngestOptions,
    clock: Clock,
    stop: threading.Event,
    warn: Callable[[str], None],
    poll: float = POLL_SECONDS,
) -> None:
    """Follow every path (one thread each) until ``stop`` is set."""
    threads = []
    for item in paths:
        follower = FileFollower(
            Path(item),
            store=store,
            summary=summary,
            options=options,
            clock=clock,
            stop=stop,
            warn=warn,
            poll=poll,
        )
        thread = threading.Thread(target=follower.run, name=f"follow:{item}", daemon=True)
        thread.start()
        threads.append(thread)
    summary.files += len(paths)
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=0.5)

"""Windows event log files (``.evtx``), read with the ``evtx`` package (Rust, via PyO3).

An EVTX file is a 4 KiB header followed by 64 KiB chunks of binary-XML records. The ``evtx``
package renders each record as JSON, which is mapped like the JSON exports
(:mod:`garrison.normalize.windows`). The record's ``EventRecordID`` is its offset: it is unique
within a log file and stable across copies of it.

Damage is reported, never skipped silently: a record the package cannot decode becomes an
unparsed event carrying the package's reason, and so does a file that is not EVTX at all. A
file cut inside a chunk (copied while being written, or carved) is a case the package passes
over without a word; its complete records are recovered here by padding the partial chunk, and
the cut itself is reported.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import IO, Any, BinaryIO, Final

import orjson
from evtx import PyEvtxParser

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext, Parser
from garrison.normalize.jsonstream import clean
from garrison.normalize.timeutil import parse_iso
from garrison.normalize.windows import DATASET, normalise_event

MAGIC: Final = b"ElfFile\x00"
HEADER_SIZE: Final = 4096
CHUNK_SIZE: Final = 65536
_CHUNK_HEADER_SIZE: Final = 512
#: Streams that cannot seek are copied to a temporary file, in memory up to this size.
_SPOOL_IN_MEMORY: Final = 64 * 1024 * 1024
# The package raises RuntimeError or OSError on bad data, and PyO3 turns a Rust panic into
# PanicException, a BaseException: everything but these is bad data, stored, not raised.
_PASS_THROUGH: Final = (KeyboardInterrupt, SystemExit, GeneratorExit)
#: Stop after this many errors in a row: the rest of the file is not EVTX.
_MAX_CONSECUTIVE_ERRORS: Final = 1000


def _seekable(stream: BinaryIO) -> tuple[IO[bytes], int]:
    """Return a seekable stream positioned at the start of the data, and the data's size."""
    try:
        seekable = stream.seekable()
    except (AttributeError, OSError, ValueError):
        seekable = False
    # A gzip stream "seeks" by decompressing again from the start: the reader's jumps between
    # chunks would cost quadratic time, so a compressed file is copied out once instead.
    if isinstance(getattr(stream, "raw", stream), gzip.GzipFile):
        seekable = False
    if seekable:
        start = stream.tell()
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
        return stream, size
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - returned open
    while block := stream.read(1024 * 1024):
        spool.write(block)
    size = spool.tell()
    spool.seek(0)
    return spool, size


class EvtxParser(Parser):
    """Parser of binary Windows event log files (dataset ``windows.evtx``)."""

    name = "evtx"
    description = "Windows event log files (.evtx, binary)"
    binary = True

    def sniff(self, sample: Sequence[str]) -> float:
        """Text samples are never EVTX (see :meth:`sniff_bytes`)."""
        return 0.0

    def sniff_bytes(self, head: bytes) -> bool:
        """Whether the stream starts with the EVTX file signature."""
        return head.startswith(MAGIC)

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """EVTX is binary: text lines given to this parser are stored unparsed."""
        reason = "evtx: binary EVTX file expected, got text (JSON exports: --format evtx-json)"
        for line in lines:
            if line.text.strip():
                yield ctx.unparsed(clean(line.text), line.offset, reason, DATASET)

    def parse_binary(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[Event]:
        """Parse a whole EVTX file; never raises on bad data."""
        try:
            source, size = _seekable(stream)
        except OSError as exc:
            yield _Reader(ctx).error(f"evtx: cannot read the stream: {exc}", "<unreadable stream>")
            return
        if size == 0:
            return  # an empty stream holds no record
        head = source.read(HEADER_SIZE)
        source.seek(-len(head), io.SEEK_CUR)
        if not head.startswith(MAGIC):
            original = f"<{size} bytes without the EVTX signature: {head[:16]!r}>"
            yield _Reader(ctx).error("evtx: not an EVTX file (no ElfFile signature)", original)
            return
        reader = _Reader(ctx)
        yield from reader.records(source)
        tail = (size - HEADER_SIZE) % CHUNK_SIZE if size > HEADER_SIZE else 0
        if tail:
            yield from reader.partial_chunk(source, size, tail, head)


def _bounded_int(text: str) -> int | str:
    """An integer of the lenient decoder; text when beyond 64 bits (JSON encoders refuse it)."""
    number = int(text)
    return number if -(2**63) <= number < 2**64 else text


def _header_time(value: Any) -> datetime | None:
    """The record header's time, rendered ``2026-11-23T10:00:01Z UTC`` by the package."""
    if not isinstance(value, str):
        return None
    try:
        return parse_iso(value.removesuffix(" UTC"))
    except ValueError:
        return None


class _Reader:
    """Reads the records of one file, numbering the errors met between records.

    Errors take the id of the last good record as offset and their ordinal in the file as
    ``sub``, so they get stable ids distinct from the records' and from each other.
    """

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.last_id = 0
        self.errors = 0

    def error(self, reason: str, original: str) -> Event:
        """An unparsed event for damage found between records."""
        self.errors += 1
        return self.ctx.make(
            timestamp=None,
            dataset=DATASET,
            original=original,
            offset=self.last_id,
            fields={schema.KIND: schema.KIND_PIPELINE_ERROR, schema.ERROR_MESSAGE: reason},
            sub=self.errors,
        )

    def records(self, source: IO[bytes]) -> Iterator[Event]:
        """Yield an event per record the package reads and per record it cannot read."""
        try:
            records = PyEvtxParser(source, number_of_threads=1, indent=False).records_json()
        except _PASS_THROUGH:
            raise
        except BaseException as exc:  # see _PASS_THROUGH
            yield self.error(f"evtx: unreadable file: {exc}", f"<unreadable EVTX: {exc}>")
            return
        consecutive = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except _PASS_THROUGH:
                raise
            except BaseException as exc:  # see _PASS_THROUGH
                consecutive += 1
                text = clean(str(exc))
                yield self.error(f"evtx: unreadable record: {text}", text)
                if consecutive >= _MAX_CONSECUTIVE_ERRORS:
                    reason = f"evtx: stopped after {consecutive} unreadable records in a row"
                    yield self.error(reason, reason)
                    break
                continue
            if not isinstance(record, dict):
                break  # the iterator's stub allows None: treat it as the end
            consecutive = 0
            yield self.record_event(record)

    def record_event(self, record: dict[str, Any]) -> Event:
        """Turn one record of ``records_json()`` into an event."""
        record_id = record.get("event_record_id")
        if isinstance(record_id, int):
            self.last_id = record_id
        data = clean(str(record.get("data", "")))
        ctx = self.ctx
        try:
            try:
                decoded = orjson.loads(data)
            except orjson.JSONDecodeError:
                # Damaged strings come out with raw control characters, which strict JSON
                # refuses; the lenient decoder keeps the rest of the record.
                decoded = json.loads(data, strict=False, parse_int=_bounded_int, parse_constant=str)
            event = decoded.get("Event") if isinstance(decoded, dict) else None
            if not isinstance(event, dict):
                reason = "evtx: record without an <Event> root element"
                return ctx.unparsed(data, self.last_id, reason, DATASET)
            header_time = record.get("timestamp")
            timestamp, fields = normalise_event(event, lambda: _header_time(header_time))
        except Exception as exc:  # a bad record must not stop the file
            reason = f"evtx: {type(exc).__name__}: {exc}"
            return ctx.unparsed(data, self.last_id, reason, DATASET)
        return ctx.make(
            timestamp=timestamp, dataset=DATASET, original=data, offset=self.last_id, fields=fields
        )

    def partial_chunk(
        self, source: IO[bytes], size: int, tail: int, head: bytes
    ) -> Iterator[Event]:
        """Recover the complete records of a chunk the file ends inside, and report the cut."""
        start = size - tail
        reason = f"evtx: file ends inside a chunk at byte {start} ({tail} of {CHUNK_SIZE} bytes)"
        if tail > _CHUNK_HEADER_SIZE:
            source.seek(start)
            chunk = source.read(tail)
            # Zero padding makes the chunk whole again: the records before the cut read as
            # usual and the one cut in two fails with a reason of its own.
            padded = head + chunk + bytes(CHUNK_SIZE - len(chunk))
            yield from self.records(io.BytesIO(padded))
            reason += "; the records before the cut were recovered"
        else:
            reason += "; the chunk's records are lost"
        yield self.error(reason, f"<truncated EVTX chunk at byte {start}>")

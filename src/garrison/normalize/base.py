"""The parser protocol and the context every parser receives.

A parser turns a stream of :class:`Line` objects (text plus byte offset) into events. Parsers
are stateful per stream (IIS ``#Fields`` headers, auditd record groups), so a fresh parser
instance is created for each stream. A parser must never raise on bad input: anything it cannot
understand becomes an *unparsed* event (``event.kind: pipeline_error``) carrying the raw text and
the reason, built with :meth:`ParseContext.unparsed`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, BinaryIO, ClassVar, NamedTuple

from garrison.core.ids import event_id
from garrison.events import schema
from garrison.events.model import Event


class Line(NamedTuple):
    """One record read from a stream.

    Attributes:
        text: Decoded text without the trailing newline.
        offset: Byte offset of the record's first byte in the (decompressed) stream.
    """

    text: str
    offset: int


@dataclass(slots=True)
class ParseContext:
    """What a parser knows about the stream it is reading.

    Attributes:
        stream: Fingerprint of the stream, used in event ids (see ``core.ids.stream_key``).
        now: Ingestion time; the timestamp of records that carry none.
        tz: Zone applied to timestamps that carry no offset (``--timezone``).
        year: Year for syslog timestamps that carry none (``--year``); when ``None`` the year
            is inferred from :attr:`reference_time`.
        path: The file the records come from, if any (``log.file.path``).
        field_map: For JSON lines: source field path -> schema field name.
        extra: Fields added to every event (e.g. ``host.name`` of an HTTP source).
        reference_time: When the stream was last written (the file's mtime, else ``now``).
            A year-less timestamp takes this time's year, or the year before when the
            timestamp's month lies after the reference month (a December line read in January).
    """

    stream: str
    now: datetime
    tz: tzinfo = UTC
    year: int | None = None
    path: str | None = None
    field_map: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    reference_time: datetime | None = None

    def make(
        self,
        *,
        timestamp: datetime | None,
        dataset: str,
        original: str,
        offset: int,
        fields: dict[str, Any],
        sub: int = 0,
    ) -> Event:
        """Build an event, adding the common fields and the stable id.

        Args:
            timestamp: When it happened (aware); ``None`` means "use the ingestion time".
            dataset: ``event.dataset`` value.
            original: The raw record.
            offset: Byte offset (or ordinal) of the record in its stream.
            fields: Parsed fields; this dict is taken over, not copied.
            sub: Index among several events made from one record.

        Returns:
            The event.
        """
        if self.path is not None:
            fields[schema.LOG_FILE_PATH] = self.path
        fields[schema.LOG_OFFSET] = offset
        fields.setdefault(schema.KIND, schema.KIND_EVENT)
        if self.extra:
            for key, value in self.extra.items():
                fields.setdefault(key, value)
        return Event(
            id=event_id(self.stream, offset, sub, original),
            timestamp=timestamp if timestamp is not None else self.now,
            dataset=dataset,
            original=original,
            fields=fields,
        )

    def unparsed(self, original: str, offset: int, reason: str, dataset: str = "unknown") -> Event:
        """Build the event for a record no parser understood; it is stored, never dropped."""
        return self.make(
            timestamp=None,
            dataset=dataset,
            original=original,
            offset=offset,
            fields={schema.KIND: schema.KIND_PIPELINE_ERROR, schema.ERROR_MESSAGE: reason},
        )


class Parser(ABC):
    """Base class of every parser.

    Subclasses set :attr:`name` (the ``--format`` value), :attr:`description`, and implement
    :meth:`sniff` and :meth:`parse`.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    #: Binary parsers read the raw byte stream (EVTX) instead of lines.
    binary: ClassVar[bool] = False

    @abstractmethod
    def sniff(self, sample: Sequence[str]) -> float:
        """Score how well this parser fits a sample of a stream's first lines.

        Returns:
            The fraction (0.0-1.0) of non-empty sample lines this parser recognises.
        """

    @abstractmethod
    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Turn records into events; never raises on bad input."""

    def pending_offset(self) -> int | None:
        """Offset of the earliest record read but not yet emitted as an event, if any.

        Parsers that hold records back (auditd groups, multi-line JSON documents) override
        this so that ``--follow`` checkpoints never skip over a record still in memory.
        """
        return None

    def sniff_bytes(self, head: bytes) -> bool:
        """For binary parsers: whether the stream's first bytes identify this format."""
        return False

    def parse_binary(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[Event]:
        """For binary parsers: parse a whole binary stream.

        Raises:
            TypeError: When called on a line parser (``binary`` is false): use :meth:`parse`.
        """
        raise TypeError(f"{self.name} reads lines, not binary streams: call parse()")


class LineParser(Parser):
    """A parser whose records are independent single lines.

    Subclasses implement :meth:`parse_line`; this class handles blank lines and turns any
    exception into an unparsed event so one bad line never stops a stream.
    """

    @abstractmethod
    def parse_line(self, line: Line, ctx: ParseContext) -> Event | list[Event] | None:
        """Parse one line.

        Returns:
            An event, several events, or ``None`` when the line is not of this format (an
            unparsed event is then produced by the caller).
        """

    def matches(self, text: str) -> bool:
        """Cheap check used by :meth:`sniff`; defaults to a full parse attempt."""
        ctx = ParseContext(stream="sniff", now=datetime.now(UTC))
        try:
            return self.parse_line(Line(text, 0), ctx) is not None
        except Exception:
            return False

    def sniff(self, sample: Sequence[str]) -> float:
        """Score by the fraction of non-empty sample lines :meth:`matches` accepts."""
        lines = [s for s in sample if s.strip()]
        if not lines:
            return 0.0
        return sum(1 for s in lines if self.matches(s)) / len(lines)

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Parse each non-blank line; unknown or failing lines become unparsed events."""
        parse_line = self.parse_line
        for line in lines:
            if not line.text.strip():
                continue
            try:
                result = parse_line(line, ctx)
            except Exception as exc:
                yield ctx.unparsed(
                    line.text, line.offset, f"{self.name}: {type(exc).__name__}: {exc}"
                )
                continue
            if result is None:
                yield ctx.unparsed(line.text, line.offset, f"not a {self.name} record")
            elif isinstance(result, Event):
                yield result
            else:
                yield from result


ParserFactory = Callable[[], Parser]

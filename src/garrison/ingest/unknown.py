"""The parser of last resort: every record becomes an unparsed event with the reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext, Parser


class UnknownParser(Parser):
    """Stores each line unparsed when no parser recognises the stream."""

    name = "unknown"
    description = "no parser recognised the stream"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def sniff(self, sample: Sequence[str]) -> float:
        """Never chosen by detection."""
        return 0.0

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Yield one unparsed event per non-blank line."""
        for line in lines:
            if line.text.strip():
                yield ctx.unparsed(line.text, line.offset, self.reason)

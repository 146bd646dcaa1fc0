"""Reading byte streams into :class:`Line` records, safely.

* gzip is recognised by its magic bytes, not the file name;
* lines are read with a hard length limit, so a file without newlines cannot exhaust memory;
* text is decoded as UTF-8 (or a chosen encoding) with replacement, and NUL characters are
  replaced, because PostgreSQL text cannot hold them.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from garrison.normalize.base import Line

#: Longest line kept whole; longer lines are stored truncated as unparsed events.
MAX_LINE_BYTES = 1024 * 1024
#: Longest line of a stream that starts like JSON: CloudTrail and ActionTrail deliver each file
#: as one JSON document on one line, often several megabytes long.
MAX_JSON_LINE_BYTES = 256 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Oversize:
    """A line longer than :data:`MAX_LINE_BYTES` (its head is kept)."""

    offset: int
    size: int
    head: str
    limit: int = MAX_LINE_BYTES


def decode(raw: bytes, encoding: str = "utf-8") -> str:
    """Decode one record: strip the line ending, replace invalid bytes and NULs."""
    if raw.endswith(b"\n"):
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
    text = raw.decode(encoding, "replace")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text


def open_binary(path: Path) -> tuple[BinaryIO, BinaryIO]:
    """Open a file for reading, transparently decompressing gzip.

    Returns:
        ``(stream, raw)``: the (possibly decompressing) stream to read, and the underlying
        file whose position measures progress.
    """
    raw = path.open("rb")
    try:
        head = raw.read(2)
        raw.seek(0)
    except OSError:
        raw.close()
        raise
    if head == GZIP_MAGIC:
        gz = gzip.GzipFile(fileobj=raw, mode="rb")
        return io.BufferedReader(gz, buffer_size=1 << 16), raw
    return io.BufferedReader(raw, buffer_size=1 << 16), raw


def peek(stream: BinaryIO, size: int = 4096) -> bytes:
    """Look at the first bytes of a buffered stream without consuming them."""
    peeker = getattr(stream, "peek", None)
    if peeker is None:
        return b""
    data: bytes = peeker(size)
    return data[:size]


def line_limit(head: bytes) -> int:
    """The line-length limit for a stream, from its first bytes (JSON gets a larger one)."""
    return MAX_JSON_LINE_BYTES if head.lstrip()[:1] in (b"{", b"[") else MAX_LINE_BYTES


def iter_lines(
    stream: BinaryIO,
    *,
    start: int = 0,
    encoding: str = "utf-8",
    on_oversize: Callable[[Oversize], None] | None = None,
    max_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Line]:
    """Yield every line of ``stream`` with its byte offset.

    A final line without a newline is yielded too. Lines longer than ``max_bytes`` are not
    yielded: ``on_oversize`` receives them (their first :data:`MAX_LINE_BYTES`) instead.

    Raises:
        EOFError: From gzip, if the compressed data is truncated (lines before it are yielded).
    """
    offset = start
    readline = stream.readline
    limit = max_bytes + 1
    while True:
        raw = readline(limit)
        if not raw:
            return
        size = len(raw)
        if size == limit and not raw.endswith(b"\n"):
            head = raw
            while True:
                more = readline(limit)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            if on_oversize is not None:
                on_oversize(
                    Oversize(offset, size, decode(head[:MAX_LINE_BYTES], encoding), max_bytes)
                )
            offset += size
            continue
        yield Line(decode(raw, encoding), offset)
        offset += size

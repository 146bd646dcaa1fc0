"""Syslog listeners: UDP (one message per datagram) and TCP (RFC 6587 framing).

TCP accepts both newline-terminated messages (non-transparent framing) and octet counting
(``<length> <message>``), detected per message: a frame is octet-counted when it starts with
a non-zero digit, at most ten digits and a space (RFC 6587 ``MSG-LEN SP``). Anything else,
including a message that merely begins with digits (an RFC 3339 timestamp without ``<PRI>``),
is read up to the next newline. Empty lines and stray ``CR``/``LF``/``NUL`` bytes between
frames are skipped.

Nothing that arrives is dropped silently, and memory per connection stays bounded:

* A newline-terminated message longer than :data:`MAX_MESSAGE` is kept truncated to its first
  :data:`MAX_MESSAGE` bytes; the rest of the line is read and discarded.
* An octet-counted frame longer than :data:`MAX_MESSAGE` is read and discarded in chunks of
  :data:`DISCARD_CHUNK` bytes, never held whole; it is stored as a placeholder message
  (``<oversize syslog frame: ...> `` followed by the frame's first :data:`OVERSIZE_KEEP` bytes)
  which the syslog parser keeps as an unparsed event.
* When a connection closes in the middle of a message (inside the length, the frame or the
  line), the part received is stored as a message of its own.

Messages are collected for a short interval and stored together, off the event loop.
:func:`stop_listeners` ends open TCP connections (storing their partial messages) before the
last flush, so that nothing read from a socket is left in memory at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
FLUSH_SECONDS = 0.5
FLUSH_COUNT = 2000
#: Longest accepted MSG-LEN, in digits; more digits mean the line is not octet-counted.
MAX_LENGTH_DIGITS = 10
#: Bytes read at a time while discarding an oversize octet-counted frame.
DISCARD_CHUNK = 64 * 1024
#: Bytes of an oversize octet-counted frame kept in its placeholder message.
OVERSIZE_KEEP = 1024

_NONZERO_DIGITS = b"123456789"
_SEPARATORS = b"\r\n\x00"

#: Messages kept for retry while storing fails; beyond this the oldest are dropped (logged).
MAX_RETAINED = 500_000

#: Stores one delivery: (records, origin, nonce). A retried delivery keeps its nonce, so
#: its events keep their ids and what a failed attempt did store is not stored twice.
Deliver = Callable[[list[bytes], str, str], None]


@dataclass
class Collector:
    """Buffers messages per origin and hands them to ``deliver`` in a worker thread."""

    deliver: Deliver
    buffers: dict[str, list[bytes]] = field(default_factory=dict)
    received: int = 0
    #: Deliveries whose storing failed, retried first at the next flush.
    failed: list[tuple[str, list[bytes], str]] = field(default_factory=list)
    dropped: int = 0
    #: Flushes started by :meth:`add`; referenced here so they are not garbage-collected.
    _flushes: set[asyncio.Task[None]] = field(default_factory=set, repr=False)
    #: Open TCP connections and the tasks that read them (see :func:`stop_listeners`).
    connections: dict[asyncio.StreamWriter, asyncio.Task[Any]] = field(
        default_factory=dict, repr=False
    )

    def add(self, origin: str, message: bytes) -> None:
        """Queue one message from ``origin``."""
        self.received += 1
        self.buffers.setdefault(origin, []).append(message[:MAX_MESSAGE])
        if len(self.buffers[origin]) >= FLUSH_COUNT:
            task = asyncio.get_running_loop().create_task(self.flush())
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def run(self) -> None:
        """Flush periodically until cancelled."""
        try:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                await self.flush()
        finally:
            await self.flush()

    async def flush(self) -> None:
        """Store everything buffered; deliveries that fail are kept and retried next time."""
        pending, self.buffers = self.buffers, {}
        jobs = self.failed + [(o, r, secrets.token_hex(8)) for o, r in pending.items()]
        self.failed = []
        for origin, records, nonce in jobs:
            try:
                await asyncio.to_thread(self.deliver, records, origin, nonce)
            except Exception:  # a storage hiccup must not kill the listener
                log.exception(
                    "storing %d syslog messages from %s failed; will retry", len(records), origin
                )
                self.failed.append((origin, records, nonce))
        self._bound_retained()

    def _bound_retained(self) -> None:
        """Keep memory bounded during a long storage outage: drop the oldest, loudly."""
        retained = sum(len(records) for _, records, _ in self.failed)
        while self.failed and retained > MAX_RETAINED:
            origin, records, _ = self.failed.pop(0)
            retained -= len(records)
            self.dropped += len(records)
            log.error(
                "dropped %d syslog messages from %s: storage failing for too long"
                " (%d dropped in all)",
                len(records),
                origin,
                self.dropped,
            )


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.collector.add(f"syslog-udp:{addr[0]}", data.rstrip(b"\r\n\x00"))


def _keep(kept: bytearray, chunk: bytes, limit: int) -> None:
    """Append as much of ``chunk`` to ``kept`` as fits in ``limit`` bytes."""
    room = limit - len(kept)
    if room > 0:
        kept += chunk[:room]


async def _read_digits(reader: asyncio.StreamReader, first: bytes) -> tuple[bytes, bytes]:
    """Read the digits that follow ``first``.

    Returns:
        The digits (at most :data:`MAX_LENGTH_DIGITS`) and the byte after them: a non-digit,
        a digit beyond the maximum length, or ``b""`` at end of stream.
    """
    digits = first
    while True:
        byte = await reader.read(1)
        if not byte.isdigit() or len(digits) >= MAX_LENGTH_DIGITS:
            return digits, byte
        digits += byte


async def _read_frame(reader: asyncio.StreamReader, length: int) -> bytes:
    """Read the body of an octet-counted frame (what arrived, if the stream ends early)."""
    if length <= MAX_MESSAGE:
        try:
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            return exc.partial
    kept = bytearray()
    received = 0
    while received < length:
        chunk = await reader.read(min(DISCARD_CHUNK, length - received))
        if not chunk:
            break
        received += len(chunk)
        _keep(kept, chunk, OVERSIZE_KEEP)
    note = (
        f"<oversize syslog frame: {length} bytes announced, {received} received, "
        f"longer than {MAX_MESSAGE}; first {len(kept)} bytes kept> "
    )
    return note.encode() + bytes(kept)


async def _read_line(reader: asyncio.StreamReader, head: bytes) -> tuple[bytes, bool]:
    """Read a newline-terminated message whose first bytes ``head`` were already read.

    Returns:
        The message without its line ending (at most :data:`MAX_MESSAGE` bytes; the rest
        of a longer line is discarded) and whether the stream ended before a newline.
    """
    kept = bytearray()
    _keep(kept, head, MAX_MESSAGE)
    while True:
        try:
            chunk = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            _keep(kept, exc.partial, MAX_MESSAGE)
            return bytes(kept).rstrip(b"\r\n"), True
        except asyncio.LimitOverrunError as exc:
            # Longer than the reader's buffer limit: the bytes are buffered, take them.
            _keep(kept, await reader.readexactly(exc.consumed), MAX_MESSAGE)
            continue
        _keep(kept, chunk, MAX_MESSAGE)
        return bytes(kept).rstrip(b"\r\n"), False


async def _messages(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """Split a TCP stream into syslog messages (see the module docstring)."""
    while True:
        first = await reader.read(1)
        if not first:
            return
        if first in _SEPARATORS:
            continue
        head = first
        if first in _NONZERO_DIGITS:
            digits, after = await _read_digits(reader, first)
            if after == b" ":
                body = await _read_frame(reader, int(digits))
                if body:
                    yield body
                continue
            if not after:  # the stream ended inside what began like a length
                yield digits
                return
            head = digits + after
            if after == b"\n":
                yield digits
                continue
        message, ended = await _read_line(reader, head)
        if message.strip():
            yield message
        if ended:
            return


async def _handle_tcp(
    collector: Collector, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    peer = writer.get_extra_info("peername")
    origin = f"syslog-tcp:{peer[0] if peer else 'unknown'}"
    task = asyncio.current_task()
    if task is not None:
        collector.connections[writer] = task
    try:
        async for message in _messages(reader):
            collector.add(origin, message)
    except ConnectionError as exc:
        log.warning("closing syslog connection from %s: %s", origin, exc)
    finally:
        collector.connections.pop(writer, None)
        writer.close()


async def start_listeners(
    host: str, port: int, collector: Collector
) -> tuple[asyncio.DatagramTransport, asyncio.Server]:
    """Bind UDP and TCP on ``host:port``."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Udp(collector), local_addr=(host, port)
    )
    server = await asyncio.start_server(
        lambda r, w: _handle_tcp(collector, r, w), host, port, limit=MAX_MESSAGE + 16
    )
    return transport, server


async def stop_listeners(
    transport: asyncio.DatagramTransport,
    server: asyncio.Server,
    collector: Collector,
    *,
    timeout: float = 5.0,
) -> None:
    """Stop receiving and store everything received.

    Closes both sockets, then the open TCP connections (a message cut off by the close is
    stored like any partial message), waits up to ``timeout`` seconds for their readers to
    finish, and flushes the collector.
    """
    transport.close()
    server.close()
    readers = list(collector.connections.values())
    for writer in list(collector.connections):
        writer.close()
    if readers:
        await asyncio.wait(readers, timeout=timeout)
    await collector.flush()

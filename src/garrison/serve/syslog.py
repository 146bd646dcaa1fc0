"""Syslog listeners: UDP (one message per datagram) and TCP (RFC 6587 framing).

TCP accepts both newline-terminated messages (non-transparent framing) and octet counting
(``<length> <message>``), detected per message by a leading digit. Messages are collected for
a short interval and stored together, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
FLUSH_SECONDS = 0.5
FLUSH_COUNT = 2000

#: Stores one delivery: (records, origin).
Deliver = Callable[[list[bytes], str], None]


@dataclass
class Collector:
    """Buffers messages per origin and hands them to ``deliver`` in a worker thread."""

    deliver: Deliver
    buffers: dict[str, list[bytes]] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    received: int = 0

    def add(self, origin: str, message: bytes) -> None:
        """Queue one message from ``origin``."""
        self.received += 1
        self.buffers.setdefault(origin, []).append(message[:MAX_MESSAGE])
        if len(self.buffers[origin]) >= FLUSH_COUNT:
            asyncio.get_running_loop().create_task(self.flush())

    async def run(self) -> None:
        """Flush periodically until cancelled."""
        try:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                await self.flush()
        finally:
            await self.flush()

    async def flush(self) -> None:
        """Store everything buffered."""
        pending, self.buffers = self.buffers, {}
        for origin, records in pending.items():
            try:
                await asyncio.to_thread(self.deliver, records, origin)
            except Exception:  # a storage hiccup must not kill the listener
                log.exception("storing %d syslog messages from %s failed", len(records), origin)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.collector.add(f"syslog-udp:{addr[0]}", data.rstrip(b"\r\n\x00"))


async def _handle_tcp(
    collector: Collector, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    peer = writer.get_extra_info("peername")
    origin = f"syslog-tcp:{peer[0] if peer else 'unknown'}"
    try:
        while True:
            first = await reader.read(1)
            if not first:
                break
            if first.isdigit():
                # Octet counting: "<len> <msg>".
                digits = first + await reader.readuntil(b" ")
                length = int(digits[:-1])
                if length > MAX_MESSAGE:
                    await reader.readexactly(length)
                    collector.add(
                        origin,
                        b"<oversize syslog frame dropped by framing: "
                        + str(length).encode()
                        + b" bytes>",
                    )
                    continue
                collector.add(origin, await reader.readexactly(length))
            else:
                rest = await reader.readuntil(b"\n")
                collector.add(origin, (first + rest).rstrip(b"\r\n"))
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            collector.add(origin, exc.partial.rstrip(b"\r\n"))
    except (asyncio.LimitOverrunError, ValueError, ConnectionError) as exc:
        log.warning("closing syslog connection from %s: %s", origin, exc)
    finally:
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

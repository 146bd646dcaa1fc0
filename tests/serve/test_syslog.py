"""The syslog listeners: real UDP and TCP sockets on 127.0.0.1, stored through ``receive``.

The TCP framing (:func:`garrison.serve.syslog._messages`) is also driven directly with a
:class:`asyncio.StreamReader` fed by hand, so that every split of a stream into segments and
every end-of-stream position can be checked deterministically.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from garrison.core.clock import FrozenClock
from garrison.events.model import Event
from garrison.platform import Platform
from garrison.search.request import SearchRequest
from garrison.serve import syslog
from garrison.serve.receiver import receive
from garrison.serve.runner import storing_delivery
from garrison.serve.syslog import (
    MAX_MESSAGE,
    OVERSIZE_KEEP,
    Collector,
    start_listeners,
    stop_listeners,
)
from garrison.settings import Settings

HOST = "127.0.0.1"


def failed(second: int, user: str, ip: str, host: str = "web01") -> bytes:
    """An RFC 3164 sshd failed-login line (priority auth.info)."""
    return (
        f"<38>Nov 23 08:14:{second:02d} {host} sshd[{4100 + second}]: "
        f"Failed password for {user} from {ip} port {50000 + second} ssh2"
    ).encode()


ACCEPTED_5424 = (
    b"<86>1 2026-11-23T13:51:02.123456+08:00 bastion sshd 4242 - - "
    b"Accepted publickey for alice from 2001:db8::42 port 50522 ssh2: ED25519 SHA256:zz9Yx"
)
#: RFC 3339 timestamp and no <PRI>: a newline-framed message that begins with digits.
ISO_NO_PRI = (
    b"2026-11-23T08:15:00Z db01 sshd[7]: Failed password for postgres from 198.51.100.10 "
    b"port 33012 ssh2"
)


def octet(message: bytes) -> bytes:
    """An RFC 6587 octet-counted frame."""
    return str(len(message)).encode() + b" " + message


# -- harness ---------------------------------------------------------------------------------


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    settings = Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC")
    plat = Platform.open(settings, clock)
    yield plat
    plat.close()


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an async test body with a hard deadline."""

    async def bounded() -> None:
        await asyncio.wait_for(main(), timeout=4)

    asyncio.run(bounded())


def make_collector(platform: Platform) -> Collector:
    """A collector that stores like ``garrison serve`` does."""
    return Collector(storing_delivery(platform))


@dataclass
class Listener:
    collector: Collector
    udp_port: int
    tcp_port: int


@contextlib.asynccontextmanager
async def listening(platform: Platform) -> AsyncIterator[Listener]:
    collector = make_collector(platform)
    transport, server = await start_listeners(HOST, 0, collector)
    try:
        yield Listener(
            collector,
            udp_port=transport.get_extra_info("sockname")[1],
            tcp_port=server.sockets[0].getsockname()[1],
        )
    finally:
        transport.close()
        server.close()
        await server.wait_closed()


async def until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll ``predicate`` until it holds (fails after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.002)


async def settle() -> None:
    """Let the other tasks of the loop run until they wait for I/O again."""
    for _ in range(5):
        await asyncio.sleep(0)


async def udp_send(port: int, *datagrams: bytes) -> None:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=(HOST, port)
    )
    try:
        for datagram in datagrams:
            transport.sendto(datagram)
    finally:
        transport.close()


async def tcp_send(port: int, *writes: bytes) -> None:
    """Send ``writes`` one by one on one connection, then close it and wait for the server.

    The server closes its side once it has framed and queued everything, so when this
    returns every message of the connection is in the collector.
    """
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for chunk in writes:
            writer.write(chunk)
            await writer.drain()
            await settle()  # the server reads this segment before the next one is sent
        writer.write_eof()
        assert await reader.read() == b""
    finally:
        writer.close()
        await writer.wait_closed()


def stored(platform: Platform) -> list[Event]:
    """Every stored event, by time, then by the raw message."""
    events = platform.search(SearchRequest(limit=1000))
    return sorted(events, key=lambda e: (e.timestamp, e.original))


def auth_view(events: list[Event]) -> list[tuple[Any, ...]]:
    fields = ("user.name", "source.ip", "host.name", "event.outcome")
    return [tuple(e.get(f) for f in fields) for e in events]


# -- UDP -------------------------------------------------------------------------------------


def test_udp_rfc3164_and_rfc5424_messages_are_stored(platform: Platform) -> None:
    async def main() -> None:
        async with listening(platform) as lst:
            await udp_send(
                lst.udp_port,
                failed(24, "root", "203.0.113.45") + b"\n",
                failed(30, "oracle", "203.0.113.46") + b"\r\n\x00",
                ACCEPTED_5424,
            )
            await until(lambda: lst.collector.received == 3)
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert auth_view(events) == [
        ("alice", "2001:db8::42", "bastion", "success"),  # 05:51:02Z
        ("root", "203.0.113.45", "web01", "failure"),
        ("oracle", "203.0.113.46", "web01", "failure"),
    ]
    assert {e.dataset for e in events} == {"linux.auth"}
    assert events[1].original == failed(24, "root", "203.0.113.45").decode()
    assert events[1].get("log.syslog.priority") == 38


def test_identical_messages_get_distinct_ids(platform: Platform) -> None:
    """Syslog deliveries are unique by arrival: a repeated message is a new event."""
    message = failed(24, "root", "203.0.113.45")

    async def main() -> None:
        async with listening(platform) as lst:
            await udp_send(lst.udp_port, message, message)
            await until(lambda: lst.collector.received == 2)
            await lst.collector.flush()
            await udp_send(lst.udp_port, message)
            await until(lambda: lst.collector.received == 3)
            await lst.collector.flush()
            await tcp_send(lst.tcp_port, message + b"\n" + message + b"\n")
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert len(events) == 5
    assert {e.original for e in events} == {message.decode()}
    assert len({e.id for e in events}) == 5


def test_collector_run_flushes_when_cancelled(platform: Platform) -> None:
    """``garrison serve`` cancels the flusher on shutdown: what is buffered gets stored."""

    async def main() -> None:
        async with listening(platform) as lst:
            flusher = asyncio.create_task(lst.collector.run())
            await udp_send(lst.udp_port, failed(24, "root", "203.0.113.45"))
            await until(lambda: lst.collector.received == 1)
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher

    run(main)

    assert auth_view(stored(platform)) == [("root", "203.0.113.45", "web01", "failure")]


def test_a_full_buffer_is_flushed_without_waiting(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(syslog, "FLUSH_COUNT", 2)

    async def main() -> None:
        async with listening(platform) as lst:
            await udp_send(
                lst.udp_port, failed(24, "root", "203.0.113.45"), failed(25, "bob", "192.0.2.7")
            )
            await until(lambda: platform.store.count() == 2)

    run(main)

    assert [e.get("user.name") for e in stored(platform)] == ["root", "bob"]


def test_a_failing_delivery_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    delivered: list[tuple[str, list[bytes]]] = []

    def deliver(records: list[bytes], origin: str, nonce: str) -> None:
        if origin == "bad":
            raise RuntimeError("database down")
        delivered.append((origin, records))

    collector = Collector(deliver)

    async def main() -> None:
        collector.add("bad", b"kept for retry")
        collector.add("good", b"kept")
        with caplog.at_level(logging.ERROR, logger="garrison.serve.syslog"):
            await collector.flush()

    run(main)

    assert delivered == [("good", [b"kept"])]
    assert "storing 1 syslog messages from bad failed; will retry" in caplog.text
    assert collector.buffers == {}
    assert [(o, r) for o, r, _ in collector.failed] == [("bad", [b"kept for retry"])]


def test_a_failed_delivery_is_retried_with_the_same_ids(platform: Platform) -> None:
    """A storage failure half-way loses nothing, and the retry stores nothing twice."""
    options = platform.ingest_options(format="syslog")
    attempts: list[str] = []

    def deliver(records: list[bytes], origin: str, nonce: str) -> None:
        attempts.append(nonce)
        receive(
            records,
            origin=origin,
            sink=platform.store,
            options=options,
            clock=platform.clock,
            idempotent=False,
            nonce=nonce,
        )
        if len(attempts) == 1:
            raise RuntimeError("connection lost after the commit")

    collector = Collector(deliver)

    async def main() -> None:
        collector.add("syslog-udp:10.0.0.1", failed(24, "root", "203.0.113.45"))
        collector.add("syslog-udp:10.0.0.1", failed(25, "bob", "192.0.2.7"))
        await collector.flush()  # stores, then "fails": kept for retry
        assert len(collector.failed) == 1
        await collector.flush()  # the retry: same nonce, same ids, nothing new

    run(main)

    assert attempts[0] == attempts[1]
    assert collector.failed == []
    assert platform.store.count() == 2


def test_retained_messages_are_bounded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import garrison.serve.syslog as syslog_module

    monkeypatch.setattr(syslog_module, "MAX_RETAINED", 3)

    def deliver(records: list[bytes], origin: str, nonce: str) -> None:
        raise RuntimeError("database down")

    collector = Collector(deliver)

    async def main() -> None:
        for i in range(2):
            collector.add("a", b"x%d" % i)
            collector.add("a", b"y%d" % i)
            with caplog.at_level(logging.ERROR, logger="garrison.serve.syslog"):
                await collector.flush()

    run(main)

    assert sum(len(r) for _, r, _ in collector.failed) == 2
    assert collector.dropped == 2
    assert "dropped 2 syslog messages from a" in caplog.text


# -- TCP over real sockets -------------------------------------------------------------------


def test_tcp_newline_framing(platform: Platform) -> None:
    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(
                lst.tcp_port,
                failed(24, "root", "203.0.113.45")
                + b"\n"
                + failed(30, "oracle", "203.0.113.46")
                + b"\r\n"
                + ACCEPTED_5424
                + b"\n",
            )
            await lst.collector.flush()

    run(main)

    assert auth_view(stored(platform)) == [
        ("alice", "2001:db8::42", "bastion", "success"),
        ("root", "203.0.113.45", "web01", "failure"),
        ("oracle", "203.0.113.46", "web01", "failure"),
    ]


def test_tcp_octet_counting(platform: Platform) -> None:
    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(
                lst.tcp_port,
                octet(failed(24, "root", "203.0.113.45"))
                + octet(failed(30, "oracle", "203.0.113.46"))
                + octet(ACCEPTED_5424),
            )
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert auth_view(events) == [
        ("alice", "2001:db8::42", "bastion", "success"),
        ("root", "203.0.113.45", "web01", "failure"),
        ("oracle", "203.0.113.46", "web01", "failure"),
    ]
    assert events[0].original == ACCEPTED_5424.decode()


def test_tcp_mixed_framing_in_one_connection(platform: Platform) -> None:
    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(
                lst.tcp_port,
                octet(failed(24, "root", "203.0.113.45"))
                + failed(25, "bob", "192.0.2.7")
                + b"\n"
                + octet(ACCEPTED_5424)
                + b"\n"  # a stray LF after an octet-counted frame is skipped
                + ISO_NO_PRI  # begins with digits, yet is newline-framed
                + b"\r\n\r\n"
                + octet(failed(30, "oracle", "203.0.113.46")),
            )
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert auth_view(events) == [
        ("alice", "2001:db8::42", "bastion", "success"),
        ("root", "203.0.113.45", "web01", "failure"),
        ("bob", "192.0.2.7", "web01", "failure"),
        ("oracle", "203.0.113.46", "web01", "failure"),
        ("postgres", "198.51.100.10", "db01", "failure"),
    ]
    assert events[-1].original == ISO_NO_PRI.decode()
    assert not any(e.unparsed for e in events)


def test_tcp_messages_split_across_writes(platform: Platform) -> None:
    first = octet(failed(24, "root", "203.0.113.45"))
    second = failed(25, "bob", "192.0.2.7") + b"\n"
    third = octet(failed(30, "oracle", "203.0.113.46"))

    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(
                lst.tcp_port,
                first[:1],  # inside the length
                first[1:3],  # the rest of the length and the space
                first[3:20],
                first[20:] + second[:10],
                second[10:-1],
                second[-1:] + third[:-5],
                third[-5:],
            )
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert auth_view(events) == [
        ("root", "203.0.113.45", "web01", "failure"),
        ("bob", "192.0.2.7", "web01", "failure"),
        ("oracle", "203.0.113.46", "web01", "failure"),
    ]
    assert events[0].original == failed(24, "root", "203.0.113.45").decode()


@pytest.mark.parametrize("framing", ["newline", "octet"])
def test_tcp_connection_closed_mid_message_keeps_the_part(platform: Platform, framing: str) -> None:
    whole = failed(24, "root", "203.0.113.45")
    partial = whole[: whole.index(b" ssh2")]  # the message ends after the port
    tail = partial if framing == "newline" else octet(whole)[: len(partial) + 3]

    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(lst.tcp_port, failed(20, "bob", "192.0.2.7") + b"\n", tail)
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert [e.original for e in events] == [
        failed(20, "bob", "192.0.2.7").decode(),
        partial.decode(),
    ]
    assert auth_view(events)[1] == ("root", "203.0.113.45", "web01", "failure")


def test_tcp_oversize_octet_frame_is_stored_as_a_placeholder(platform: Platform) -> None:
    size = MAX_MESSAGE + 5000
    huge = b"<38>Nov 23 08:14:00 web01 big: " + b"A" * (size - 31)
    assert len(huge) == size

    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(
                lst.tcp_port,
                octet(huge) + octet(failed(24, "root", "203.0.113.45")),
                failed(25, "bob", "192.0.2.7") + b"\n",
            )
            await lst.collector.flush()

    run(main)

    events = stored(platform)
    assert len(events) == 3
    placeholder = next(e for e in events if e.unparsed)
    assert placeholder.original.startswith(
        f"<oversize syslog frame: {size} bytes announced, {size} received"
    )
    assert placeholder.original.endswith(huge[:OVERSIZE_KEEP].decode())
    assert placeholder.dataset == "linux.syslog"
    # The framing stays in step: the messages after the big frame are intact.
    assert auth_view([e for e in events if not e.unparsed]) == [
        ("root", "203.0.113.45", "web01", "failure"),
        ("bob", "192.0.2.7", "web01", "failure"),
    ]


def test_tcp_overlong_line_is_kept_truncated(platform: Platform) -> None:
    long_line = failed(20, "carol", "192.0.2.9") + b" " + b"B" * (2 * MAX_MESSAGE)

    async def main() -> None:
        async with listening(platform) as lst:
            await tcp_send(
                lst.tcp_port, long_line + b"\n" + failed(24, "root", "203.0.113.45") + b"\n"
            )
            await lst.collector.flush()

    run(main)

    first, second = stored(platform)
    assert first.original == long_line[:MAX_MESSAGE].decode()
    assert first.get("host.name") == "web01"
    assert auth_view([second]) == [("root", "203.0.113.45", "web01", "failure")]


def test_stop_listeners_ends_open_connections_and_stores_everything(
    platform: Platform,
) -> None:
    """Shutdown while a sender keeps its connection open, in the middle of a message."""
    partial = failed(25, "bob", "192.0.2.7")

    async def main() -> None:
        collector = make_collector(platform)
        transport, server = await start_listeners(HOST, 0, collector)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(failed(24, "root", "203.0.113.45") + b"\n" + partial)
            await writer.drain()
            await until(lambda: collector.received == 1)
            await settle()

            await stop_listeners(transport, server, collector)

            assert collector.connections == {}
            assert await reader.read() == b""  # the server closed the connection
        finally:
            writer.close()
            await writer.wait_closed()

    run(main)

    assert auth_view(stored(platform)) == [
        ("root", "203.0.113.45", "web01", "failure"),
        ("bob", "192.0.2.7", "web01", "failure"),
    ]


# -- TCP framing, driven by hand -------------------------------------------------------------


async def frame(*parts: bytes, limit: int = MAX_MESSAGE + 16) -> list[list[bytes]]:
    """Feed ``parts`` to the framing one at a time, then end the stream.

    Returns:
        The messages framed after each part, and (last) after the end of the stream.
    """
    reader = asyncio.StreamReader(limit=limit)
    out: list[bytes] = []

    async def consume() -> None:
        async for message in syslog._messages(reader):
            out.append(message)

    task = asyncio.create_task(consume())
    seen: list[list[bytes]] = []
    for part in parts:
        reader.feed_data(part)
        await settle()
        seen.append(list(out))
    reader.feed_eof()
    await task
    seen.append(out)
    return seen


def framed(*parts: bytes) -> list[bytes]:
    """The messages of a whole stream fed as ``parts``."""
    result: list[list[bytes]] = []

    async def main() -> None:
        result.extend(await frame(*parts))

    run(main)
    return result[-1]


MIXED = (
    octet(failed(24, "root", "203.0.113.45"))
    + failed(25, "bob", "192.0.2.7")
    + b"\r\n"
    + octet(ACCEPTED_5424)
    + b"\n\x00"
    + ISO_NO_PRI
    + b"\n"
    + b"12345678901 eleven digits are no length\n"
    + b"0 leading zero\n"
    + octet(b"x")
)
MIXED_MESSAGES = [
    failed(24, "root", "203.0.113.45"),
    failed(25, "bob", "192.0.2.7"),
    ACCEPTED_5424,
    ISO_NO_PRI,
    b"12345678901 eleven digits are no length",
    b"0 leading zero",
    b"x",
]


def test_framing_of_a_mixed_stream() -> None:
    assert framed(MIXED) == MIXED_MESSAGES


def test_framing_does_not_depend_on_how_the_stream_is_split() -> None:
    async def main() -> None:
        for cut in range(1, len(MIXED)):
            seen = await frame(MIXED[:cut], MIXED[cut:])
            assert seen[-1] == MIXED_MESSAGES, cut
        one_by_one = await frame(*(MIXED[i : i + 1] for i in range(len(MIXED))))
        assert one_by_one[-1] == MIXED_MESSAGES

    run(main)


def test_a_message_is_framed_only_once_complete() -> None:
    message = failed(24, "root", "203.0.113.45")

    async def main() -> None:
        seen = await frame(octet(message)[:40], octet(message)[40:], message[:30], message[30:])
        assert seen[:4] == [[], [message], [message], [message]]
        # The newline-framed message has no terminator yet: the end of the stream ends it.
        assert seen[4] == [message, message]

    run(main)


@pytest.mark.parametrize(
    ("stream", "messages"),
    [
        pytest.param(b"<38>Nov 23 08:14:24 web01 sshd", [b"<38>Nov 23 08:14:24 web01 sshd"],
                     id="inside-a-line"),
        pytest.param(b"x", [b"x"], id="one-byte-line"),
        pytest.param(b"40 <38>Nov 23", [b"<38>Nov 23"], id="inside-a-frame"),
        pytest.param(b"12", [b"12"], id="inside-the-length"),
        pytest.param(b"5 ", [], id="after-the-length"),
        pytest.param(b"\r\n\n\x00", [], id="separators-only"),
        pytest.param(b"", [], id="nothing"),
    ],
)  # fmt: skip
def test_framing_at_end_of_stream(stream: bytes, messages: list[bytes]) -> None:
    assert framed(stream) == messages


def test_oversize_frame_is_discarded_in_bounded_chunks() -> None:
    announced = 10**9
    body = b"<38>" + b"C" * 200_000

    async def main() -> None:
        seen = await frame(b"%d " % announced, body[:100_000], body[100_000:])
        # Nothing is held back waiting for the announced gigabyte: the stream ends early.
        (placeholder,) = seen[-1]
        note, kept = placeholder.split(b"> ", 1)
        assert note == (
            b"<oversize syslog frame: 1000000000 bytes announced, 200004 received, "
            b"longer than %d; first %d bytes kept" % (MAX_MESSAGE, OVERSIZE_KEEP)
        )
        assert kept == body[:OVERSIZE_KEEP]

    run(main)


def test_overlong_line_is_truncated_and_the_next_one_kept() -> None:
    long_line = b"<38>" + b"D" * 10_000

    async def main() -> None:
        seen = await frame(long_line + b"\n" + b"next\n", limit=1024)
        assert seen[-1] == [long_line, b"next"]  # under MAX_MESSAGE: kept whole

    run(main)


def test_syslog_events_are_detected_on_by_the_live_detection_loop(platform: Platform) -> None:
    from garrison.alerts.query import AlertFilter
    from garrison.serve.runner import detect_forever

    async def main() -> None:
        loop = asyncio.create_task(detect_forever(platform, 0.05))
        try:
            async with listening(platform) as lst:
                lines = [failed(s, "root", "203.0.113.45") for s in range(0, 30, 5)]
                await udp_send(lst.udp_port, *lines)
                await until(lambda: lst.collector.received == 6)
                await lst.collector.flush()
            found: list[str] = []

            def alerted() -> bool:
                found[:] = [a.alert.title for a in platform.alerts.search(AlertFilter())]
                return "SSH brute force from one source" in found

            await until(alerted)
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop

    run(main)

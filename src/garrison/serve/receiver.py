"""Parsing and storing records that arrive over the network (syslog, HTTP push)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

from garrison.core.clock import Clock
from garrison.core.ids import stream_key
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import Batcher, choose_parser, first_line, make_context
from garrison.ingest.sink import EventSink
from garrison.ingest.summary import IngestSummary
from garrison.normalize.base import Line


def receive(
    records: Sequence[bytes],
    *,
    origin: str,
    sink: EventSink,
    options: IngestOptions,
    clock: Clock,
    idempotent: bool,
    extra: Mapping[str, Any] | None = None,
    nonce: str | None = None,
) -> IngestSummary:
    """Parse and store one delivery of records.

    Args:
        records: Raw records (one line / datagram each).
        origin: Who sent them (``syslog-udp:10.0.0.5``, ``http:web01``); the batch source.
        sink: Where to store the events.
        options: Parsing options (format, zone, ...).
        clock: Ingestion time source.
        idempotent: When true (HTTP push) a retried delivery of the same bytes gets the same
            event ids and is stored once; syslog deliveries are unique by arrival.
        extra: Fields added to every event (e.g. the pushing source's ``host.name``).
        nonce: For non-idempotent deliveries: identifies this delivery across retries, so
            that a retry after a partial failure gives the same event ids.
    """
    summary = IngestSummary(files=1)
    if not records:
        return summary
    body = b"\n".join(records)
    if idempotent:
        key = stream_key(first_line(body), salt=origin + ":" + hashlib.sha256(body).hexdigest())
    else:
        key = stream_key((nonce or os.urandom(16).hex()).encode(), salt=origin)
    lines: list[Line] = []
    offset = 0
    for raw in records:
        text = raw.decode(options.encoding, "replace").rstrip("\r\n").replace("\x00", "\ufffd")
        lines.append(Line(text, offset))
        offset += len(raw) + 1
    summary.records = len(lines)
    parser, name = choose_parser(options, [line.text for line in lines[:64]], b"")
    summary.formats[origin] = name
    ctx = make_context(options, key, clock.now(), None, None)
    if extra:
        ctx.extra = {**ctx.extra, **extra}
    batcher = Batcher(sink, summary, origin, options.batch_size)
    for event in parser.parse(lines, ctx):
        batcher.add(event)
    batcher.flush()
    return summary

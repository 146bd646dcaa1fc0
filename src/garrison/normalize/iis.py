"""Microsoft IIS (and other W3C extended format) access logs.

The ``#Fields:`` directive names the space-separated columns of the data lines that follow and
may change in the middle of a file (a configuration change, a restart), so the parser keeps it
as per-stream state. Directive lines (``#Software``, ``#Version``, ``#Date``, ``#Fields``) are
not records and produce no events; a data line before any ``#Fields`` cannot be interpreted and
is stored unparsed. IIS writes times in UTC whatever the server's zone, so ``ctx.tz`` is
ignored. Every column is kept under its W3C name (``cs-uri-stem``, ``sc-status``, ...) as
detection rules for IIS use those names, and mapped to the ECS fields as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext, Parser
from garrison.normalize.webutil import is_ip, outcome_of_status

DATASET = "iis.access"

_DIRECTIVES = ("#Software:", "#Version:", "#Date:", "#Fields:", "#Remark:", "#Start-Date:", "#End-Date:")  # fmt: skip # noqa: E501
_NUMERIC = frozenset(
    {"s-port", "c-port", "sc-status", "sc-substatus", "sc-win32-status", "sc-bytes", "cs-bytes",
     "time-taken"}
)  # fmt: skip
# W3C allows quoting values that contain spaces (IIS itself writes "+" instead).
_QUOTED_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def _column_key(name: str) -> str:
    """Field key of a W3C column; a (hostile) name like ``event.kind`` cannot shadow ours."""
    return name if "." not in name and not name.startswith("@") else "iis." + name


def _split(text: str, width: int) -> list[str] | None:
    """Split a data line into ``width`` values, or ``None`` when the count does not match."""
    values = text.split(" ")
    if len(values) == width:
        return values
    if '"' in text:
        quoted = [bare or inner for inner, bare in _QUOTED_TOKEN.findall(text)]
        if len(quoted) == width:
            return quoted
    return None


def _timestamp(date: str, time: str) -> datetime:
    """``2026-11-21`` + ``10:01:02[.123]`` (UTC) to a datetime.

    Raises:
        ValueError: If the parts are not a valid date and time.
    """
    if len(date) != 10 or date[4] != "-" or date[7] != "-" or len(time) < 8 or time[2] != ":":
        raise ValueError(f"bad W3C date/time {date!r} {time!r}")
    micro = 0
    if len(time) > 9 and time[8] == ".":
        frac = time[9:15]
        if not frac.isdigit():
            raise ValueError(f"bad W3C time {time!r}")
        micro = int(frac.ljust(6, "0"))
    elif len(time) != 8:
        raise ValueError(f"bad W3C time {time!r}")
    return datetime(
        int(date[0:4]), int(date[5:7]), int(date[8:10]),
        int(time[0:2]), int(time[3:5]), int(time[6:8]), micro, tzinfo=UTC,
    )  # fmt: skip


def _add_ecs(fields: dict[str, Any]) -> None:
    """Derive the ECS fields from the W3C columns already in ``fields``."""
    get = fields.get
    value = get("c-ip")
    if value is not None:
        fields[schema.SOURCE_IP if is_ip(value) else "source.address"] = value
    value = get("s-ip")
    if value is not None:
        fields[schema.DESTINATION_IP if is_ip(value) else "destination.address"] = value
    value = get("s-port")
    if isinstance(value, int):
        fields[schema.DESTINATION_PORT] = value
    value = get("cs-username")
    if value is not None:
        domain, sep, user = value.rpartition("\\")
        fields[schema.USER_NAME] = user if sep else value
        if sep and domain:
            fields[schema.USER_DOMAIN] = domain
    value = get("cs-method")
    if value is not None:
        fields[schema.HTTP_METHOD] = value
    stem, query = get("cs-uri-stem"), get("cs-uri-query")
    if stem is not None:
        fields[schema.URL_PATH] = stem
        fields[schema.URL_ORIGINAL] = stem if query is None else f"{stem}?{query}"
    if query is not None:
        fields[schema.URL_QUERY] = query
    value = get("cs-version")
    if value is not None:
        fields[schema.HTTP_VERSION] = value[5:] if value.startswith("HTTP/") else value
    value = get("cs-host")
    if value is not None:
        fields[schema.URL_DOMAIN] = value
    value = get("cs(User-Agent)")
    if value is not None:
        fields[schema.USER_AGENT] = value.replace("+", " ")
    value = get("cs(Referer)")
    if value is not None:
        fields[schema.HTTP_REFERRER] = value
    value = get("sc-status")
    if isinstance(value, int):
        fields[schema.HTTP_STATUS] = value
        fields[schema.OUTCOME] = outcome_of_status(value)
    value = get("sc-bytes")
    if isinstance(value, int):
        fields["http.response.bytes"] = value
    value = get("cs-bytes")
    if isinstance(value, int):
        fields["http.request.bytes"] = value
    value = get("time-taken")
    if isinstance(value, int):
        fields["event.duration"] = value * 1_000_000  # milliseconds -> ECS nanoseconds
    value = get("s-computername")
    if value is not None:
        fields[schema.HOST_NAME] = value


class IisParser(Parser):
    """W3C extended log format as written by IIS."""

    name = "iis"
    description = "Microsoft IIS W3C extended access logs (#Fields-driven)"

    def sniff(self, sample: Sequence[str]) -> float:
        """Fraction of non-empty lines that are W3C directives or fit the current ``#Fields``."""
        total = hits = 0
        width = 0
        for raw in sample:
            text = raw.lstrip("\ufeff").rstrip("\r")
            if not text.strip():
                continue
            total += 1
            if text.startswith(_DIRECTIVES):
                hits += 1
                if text.startswith("#Fields:"):
                    width = len(text[8:].split())
            elif width and _split(text, width) is not None:
                hits += 1
        return hits / total if total else 0.0

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Parse a stream, following ``#Fields`` changes; directive lines yield no event."""
        columns: list[str] | None = None
        header_date: str | None = None
        last: tuple[str, str, datetime | None] = ("", "", None)
        for line in lines:
            if "\x00" in line.text:  # PostgreSQL rejects NUL in text, the raw record included
                line = Line(line.text.replace("\x00", "\ufffd"), line.offset)
            text = line.text.lstrip("\ufeff").rstrip("\r")
            if not text.strip():
                continue
            if text.startswith("#"):
                if text.startswith("#Fields:"):
                    columns = [_column_key(name) for name in text[8:].split()] or None
                elif text.startswith("#Date:"):
                    header_date = text[6:].strip()[:10]
                continue
            try:
                if columns is None:
                    yield ctx.unparsed(
                        line.text,
                        line.offset,
                        "iis: data line before any #Fields header (columns unknown)",
                        dataset=DATASET,
                    )
                    continue
                values = _split(text, len(columns))
                if values is None:
                    yield ctx.unparsed(
                        line.text,
                        line.offset,
                        f"iis: line has {len(text.split())} values but #Fields declares "
                        f"{len(columns)}",
                        dataset=DATASET,
                    )
                    continue
                fields: dict[str, Any] = {
                    schema.CATEGORY: schema.CATEGORY_WEB,
                    schema.TYPE: "access",
                    schema.ACTION: "http_request",
                }
                for column, value in zip(columns, values, strict=True):
                    if value == "-" or not value:
                        continue
                    if column in _NUMERIC and value.isdigit():
                        fields[column] = int(value)
                    else:
                        fields[column] = value
                _add_ecs(fields)
                date = fields.get("date", header_date) or ""
                time = fields.get("time", "")
                if date == last[0] and time == last[1]:
                    timestamp = last[2]
                else:
                    try:
                        timestamp = _timestamp(date, time)
                    except (ValueError, OverflowError):
                        timestamp = None
                    last = (date, time, timestamp)
                if timestamp is None:
                    fields[schema.TAGS] = ["timestamp_unparsed"]
                yield ctx.make(
                    timestamp=timestamp,
                    dataset=DATASET,
                    original=line.text,
                    offset=line.offset,
                    fields=fields,
                )
            except Exception as exc:  # bad input must not stop the stream
                yield ctx.unparsed(
                    line.text, line.offset, f"iis: {type(exc).__name__}: {exc}", dataset=DATASET
                )

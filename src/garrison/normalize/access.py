"""nginx and Apache access logs (common, combined, vhost_combined, with trailing fields).

The layout is ``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`` (nginx ``combined`` and
``main`` are the same with different variable names), optionally preceded by ``%v:%p``
(Apache ``vhost_combined``) and followed by anything (nginx ``$request_time``,
``"$http_x_forwarded_for"``). One precompiled regex does the work; the ``[time]`` text is parsed
by slicing and cached, since consecutive lines share timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext, Parser
from garrison.normalize.timeutil import MONTHS, local_to_utc, parse_iso
from garrison.normalize.webutil import add_url, is_ip, outcome_of_status, split_request, unescape

DATASET = "web.access"

# A quoted, backslash-escaped string, written as an unrolled loop (much faster in `re` than
# the alternation ``(?:[^"\\]|\\.)*``).
_Q = r'[^"\\]*(?:\\.[^"\\]*)*'
_STRICT = re.compile(
    r"(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "
    rf'"(?P<request>{_Q})" (?P<status>\d{{3}}|-) (?P<bytes>\d+|-)'
    rf'(?: "(?P<referrer>{_Q})" "(?P<agent>{_Q})")?'
    r"(?: (?P<extra>.*))?\Z",
    re.DOTALL,
)
# Fallback for vhost_combined and for servers that do not escape quotes inside strings.
_LENIENT = re.compile(
    r"(?:(?P<vhost>\S+) )?(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "
    r'"(?P<request>.*?)" (?P<status>\d{3}|-) (?P<bytes>\d+|-)'
    r'(?: "(?P<referrer>.*?)" "(?P<agent>.*?)")?'
    r"(?: (?P<extra>.*))?\Z",
    re.DOTALL,
)
_CLF_TIME = re.compile(
    r"(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,6})\d*)?"
    r"(?: ?([+-])(\d\d):?(\d\d))?\Z"
)
_EXTRA_TOKEN = re.compile(rf'"({_Q})"|(\S+)')
_XFF_CHARS = frozenset("0123456789abcdefABCDEF.:, ")
_TIME_CACHE_MAX = 4096


def parse_clf_time(text: str, tz: tzinfo) -> datetime:
    """Parse ``10/Oct/2026:13:55:36 +0800`` (zone-less variants are taken to be in ``tz``).

    Raises:
        ValueError: If ``text`` is not such a timestamp (or is an impossible date).
        KeyError: If the month name is unknown.
    """
    if len(text) == 26 and text[20] == " " and text[2] == "/":
        # The standard layout: slice instead of regex (the common case by far).
        sign, oh, om = text[21], text[22:24], text[24:26]
        base = datetime(
            int(text[7:11]),
            MONTHS[text[3:6].lower()],
            int(text[0:2]),
            int(text[12:14]),
            int(text[15:17]),
            int(text[18:20]),
            tzinfo=UTC,
        )
    else:
        m = _CLF_TIME.match(text)
        if m is None:
            if text[:4].isdigit():  # nginx $time_iso8601 in a custom format
                return parse_iso(text, tz)
            raise ValueError(f"unrecognised timestamp {text!r}")
        day, mon, year, hh, mm, ss, frac, sign, oh, om = m.groups()
        micro = int(frac.ljust(6, "0")) if frac else 0
        if sign is None:
            return local_to_utc(
                int(year), MONTHS[mon.lower()], int(day), int(hh), int(mm), int(ss), micro, tz
            )
        base = datetime(
            int(year), MONTHS[mon.lower()], int(day), int(hh), int(mm), int(ss), micro, tzinfo=UTC
        )
    if not (oh.isdigit() and om.isdigit()) or sign not in "+-":
        raise ValueError(f"bad UTC offset in {text!r}")
    delta = timedelta(hours=int(oh), minutes=int(om))
    return base - delta if sign == "+" else base + delta


class AccessLogParser(Parser):
    """nginx / Apache access logs in common, combined and vhost_combined layouts."""

    name = "access"
    description = "nginx/Apache access logs (common, combined, vhost_combined, extra fields)"

    def sniff(self, sample: Sequence[str]) -> float:
        """Fraction of non-empty sample lines that have the access-log layout."""
        lines = [s for s in sample if s.strip()]
        if not lines:
            return 0.0
        hits = 0
        for s in lines:
            try:
                if _STRICT.match(s) or _LENIENT.match(s):
                    hits += 1
            except Exception:  # noqa: S112 - sniffing must never fail
                continue
        return hits / len(lines)

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Parse each line; lines without the layout become unparsed events."""
        cache: dict[str, datetime | None] = {}
        for line in lines:
            text = line.text
            if not text or text.isspace():
                continue
            if "\x00" in text:  # PostgreSQL rejects NUL in text, the raw record included
                text = text.replace("\x00", "\ufffd")
            try:
                event = self._parse_line(text, line.offset, ctx, cache)
            except Exception as exc:  # bad input must not stop the stream
                event = ctx.unparsed(
                    text, line.offset, f"access: {type(exc).__name__}: {exc}", dataset=DATASET
                )
            yield event

    def _parse_line(
        self, text: str, offset: int, ctx: ParseContext, cache: dict[str, datetime | None]
    ) -> Event:
        m = _STRICT.match(text) or _LENIENT.match(text)
        if m is None:
            return ctx.unparsed(
                text,
                offset,
                "access: line does not match the common/combined access log layout",
                dataset=DATASET,
            )
        client, ident, user, time_text, request, status, size, referrer, agent, extra = m.group(
            "client", "ident", "user", "time", "request", "status", "bytes", "referrer", "agent",
            "extra",
        )  # fmt: skip
        fields: dict[str, Any] = {
            schema.CATEGORY: schema.CATEGORY_WEB,
            schema.TYPE: "access",
            schema.ACTION: "http_request",
            "source.address": client,
        }
        if is_ip(client):
            fields[schema.SOURCE_IP] = client
        elif client != "-":
            fields["source.domain"] = client
        if user != "-":
            fields[schema.USER_NAME] = unescape(user)
        if ident != "-":
            fields["web.access.ident"] = ident
        if status != "-":
            code = int(status)
            fields[schema.HTTP_STATUS] = code
            fields[schema.OUTCOME] = outcome_of_status(code)
        else:
            fields[schema.OUTCOME] = schema.OUTCOME_UNKNOWN
        # CLF writes "-" for a body of zero bytes.
        fields[schema.HTTP_BYTES] = int(size) if size != "-" else 0
        parts = split_request(request)
        if parts is not None:
            method, target, version = parts
            fields[schema.HTTP_METHOD] = method
            add_url(fields, unescape(target) if "\\" in target else target)
            if version is not None:
                fields[schema.HTTP_VERSION] = version
        elif request and request != "-":
            # Kept as logged (escaped): TLS handshakes and scanner garbage read better that way.
            fields["web.access.request"] = request
            fields[schema.TAGS] = ["malformed_request"]
        if referrer is not None:
            if referrer != "-":
                fields[schema.HTTP_REFERRER] = unescape(referrer)
            if agent != "-":
                fields[schema.USER_AGENT] = unescape(agent)
        if extra:
            self._add_extra(fields, extra)
        # Only the lenient pattern has a vhost group; a dict of all groups per line cost 3%.
        vhost = m.group("vhost") if m.re is _LENIENT else None
        if vhost:
            host, _, port = vhost.rpartition(":")
            if host and port.isdigit():
                fields[schema.URL_DOMAIN] = host
                fields[schema.DESTINATION_PORT] = int(port)
            else:
                fields[schema.URL_DOMAIN] = vhost
        if time_text in cache:
            timestamp = cache[time_text]
        else:
            try:
                timestamp = parse_clf_time(time_text, ctx.tz)
            except (ValueError, KeyError, OverflowError):
                timestamp = None
            if len(cache) >= _TIME_CACHE_MAX:
                cache.clear()
            cache[time_text] = timestamp
        if timestamp is None:
            fields.setdefault(schema.TAGS, []).append("timestamp_unparsed")
        return ctx.make(
            timestamp=timestamp, dataset=DATASET, original=text, offset=offset, fields=fields
        )

    @staticmethod
    def _add_extra(fields: dict[str, Any], extra: str) -> None:
        """Keep trailing fields; name the X-Forwarded-For list when it is unmistakable."""
        values: list[str] = []
        for quoted, bare in _EXTRA_TOKEN.findall(extra):
            values.append(bare or unescape(quoted))
        if not values:
            return
        fields["web.access.extra"] = values
        for value in values:
            # nginx `main` ends with "$http_x_forwarded_for": addresses separated by ", ".
            if value != "-" and ("." in value or ":" in value) and _XFF_CHARS.issuperset(value):
                first = value.split(",", 1)[0].strip()
                if is_ip(first):
                    fields["http.request.x_forwarded_for"] = value
                    fields["client.ip"] = first
                    break

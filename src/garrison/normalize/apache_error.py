"""Apache httpd (2.2 and 2.4) and nginx error logs.

Apache 2.4::

    [Sat Nov 21 10:01:02.123456 2026] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: Invalid URI in request GET /..%2f HTTP/1.1

Apache 2.2::

    [Sat Nov 21 10:01:02 2026] [error] [client 1.2.3.4] File does not exist: /var/www/x

nginx::

    2026/11/21 10:01:02 [error] 1234#1234: *5 open() "/x" failed (2: No such file or directory), client: 1.2.3.4, server: localhost, request: "GET /x HTTP/1.1", host: "example.com"

Timestamps carry no zone: they are in ``ctx.tz``. A few well-known messages (access denied,
password mismatch, missing file) get a specific ``event.action`` so detection rules need not
match message text.
"""  # noqa: E501

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, LineParser, ParseContext
from garrison.normalize.timeutil import MONTHS, local_to_utc
from garrison.normalize.webutil import add_url, is_ip, split_host_port, split_request, unescape

APACHE_DATASET = "apache.error"
NGINX_DATASET = "nginx.error"

_APACHE = re.compile(
    r"\[[A-Za-z]{3} (?P<mon>[A-Za-z]{3}) +(?P<day>\d{1,2}) (?P<hh>\d\d):(?P<mm>\d\d):(?P<ss>\d\d)"
    r"(?:\.(?P<frac>\d{1,6})\d*)? (?P<year>\d{4})\] "
    r"\[(?:(?P<module>[^\]:\s]*):)?(?P<level>[a-z]+\d?)\]"
    r"(?: \[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\])?"
    r"(?: (?P<srcfile>[^\s\[\]()]+\(\d+\)):)?"
    r"(?: (?P<oserr>\(\d+\)[^:\[\]]*):)?"
    r"(?: \[client (?P<client>[^\]]+)\])?"
    r" ?(?P<msg>.*)\Z",
    re.DOTALL,
)
_NGINX = re.compile(
    r"(?P<year>\d{4})/(?P<mon>\d\d)/(?P<day>\d\d) (?P<hh>\d\d):(?P<mm>\d\d):(?P<ss>\d\d) "
    r"\[(?P<level>[a-z]+)\] (?P<pid>\d+)#(?P<tid>\d+): (?:\*(?P<cid>\d+) )?(?P<msg>.*)\Z",
    re.DOTALL,
)
# Apache error codes (AH00126) prefix 2.4 messages; 2.4 startup lines may have no prefix at all.
_CODE = re.compile(r"(AH\d{5}): ?")
_NGINX_CONTEXT = re.compile(
    r", (client|server|request|subrequest|upstream|host|referrer|port): "
    r'("[^"\\]*(?:\\.[^"\\]*)*"|[^,]*)'
)
_USER = re.compile(r'user "?([^":]+?)"?(?::| not found| was not found)')

# Apache code -> (event.action, outcome). Only messages a detection rule would key on.
_APACHE_CODES: dict[str, tuple[str, str | None]] = {
    "AH01630": ("access_denied", schema.OUTCOME_FAILURE),
    "AH01797": ("access_denied", schema.OUTCOME_FAILURE),
    "AH00035": ("access_denied", schema.OUTCOME_FAILURE),
    "AH00132": ("access_denied", schema.OUTCOME_FAILURE),
    "AH01276": ("access_denied", schema.OUTCOME_FAILURE),
    "AH01617": ("password_failed", schema.OUTCOME_FAILURE),
    "AH01618": ("user_not_found", schema.OUTCOME_FAILURE),
    "AH00128": ("file_not_found", schema.OUTCOME_FAILURE),
    "AH00126": ("invalid_uri", schema.OUTCOME_FAILURE),
    "AH00127": ("invalid_uri", schema.OUTCOME_FAILURE),
    "AH00124": ("redirect_limit_exceeded", schema.OUTCOME_FAILURE),
    "AH00489": ("server_started", schema.OUTCOME_SUCCESS),
    "AH00163": ("server_started", schema.OUTCOME_SUCCESS),
    "AH00169": ("server_stopped", schema.OUTCOME_SUCCESS),
    "AH00493": ("server_restarted", schema.OUTCOME_SUCCESS),
    "AH00494": ("server_restarted", schema.OUTCOME_SUCCESS),
}
# (substring, action) for Apache 2.2 (no codes) and nginx messages.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("client denied by server configuration", "access_denied"),
    ("access forbidden by rule", "access_denied"),
    ("is forbidden", "access_denied"),
    ("Permission denied", "access_denied"),
    ("password mismatch", "password_failed"),
    ("Password Mismatch", "password_failed"),
    ("authentication failure for", "password_failed"),
    ("was not found in", "user_not_found"),
    ("File does not exist", "file_not_found"),
    ("No such file or directory", "file_not_found"),
    ("limiting requests", "rate_limited"),
    ("limiting connections", "rate_limited"),
    ("upstream timed out", "upstream_timeout"),
    ("resuming normal operations", "server_started"),
)
_AUTH_ACTIONS = frozenset({"password_failed", "user_not_found"})


def _classify(fields: dict[str, Any], message: str, code: str | None) -> None:
    """Set ``event.action`` (and outcome, user) for well-known messages."""
    known = _APACHE_CODES.get(code) if code else None
    if known is not None:
        action, outcome = known
    else:
        action, outcome = "log", None
        for phrase, name in _PHRASES:
            if phrase in message:
                action, outcome = name, schema.OUTCOME_FAILURE
                break
        if action == "server_started":
            outcome = schema.OUTCOME_SUCCESS
    fields[schema.ACTION] = action
    if outcome is not None:
        fields[schema.OUTCOME] = outcome
    if action in _AUTH_ACTIONS:
        # Basic-auth failures are authentication events: brute-force rules look for these.
        fields[schema.CATEGORY] = schema.CATEGORY_AUTHENTICATION
        fields[schema.TYPE] = ["start", "error"]
        m = _USER.search(message)
        if m is not None:
            fields[schema.USER_NAME] = m.group(1)


class ApacheErrorParser(LineParser):
    """Apache httpd 2.2/2.4 and nginx error logs."""

    name = "apache-error"
    description = "Apache httpd 2.2/2.4 and nginx error logs"

    def __init__(self) -> None:
        self._last_time: tuple[str, Any] | None = None

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Parse each line (NUL characters replaced first: PostgreSQL rejects them)."""
        self._last_time = None  # the cache is only valid for one context (its ctx.tz)
        cleaned = (
            Line(ln.text.replace("\x00", "\ufffd"), ln.offset) if "\x00" in ln.text else ln
            for ln in lines
        )
        return super().parse(cleaned, ctx)

    def matches(self, text: str) -> bool:
        """Cheap check for :meth:`sniff`."""
        if text.startswith("["):
            return _APACHE.match(text) is not None
        return _NGINX.match(text) is not None

    def parse_line(self, line: Line, ctx: ParseContext) -> Event | list[Event] | None:
        """Parse one error-log line."""
        text = line.text
        if text.startswith("["):
            m = _APACHE.match(text)
            if m is not None:
                return self._apache(m, line, ctx)
        else:
            m = _NGINX.match(text)
            if m is not None:
                return self._nginx(m, line, ctx)
        code = _CODE.match(text)
        if code is not None:
            # Startup messages Apache writes to the error log before its logger is set up.
            fields: dict[str, Any] = {
                schema.CATEGORY: schema.CATEGORY_WEB,
                schema.TYPE: "error",
                "apache.error.code": code.group(1),
                schema.MESSAGE: text[code.end() :],
                # No timestamp at all: @timestamp falls back to the ingestion time.
                schema.TAGS: ["timestamp_unparsed"],
            }
            _classify(fields, text, code.group(1))
            return ctx.make(
                timestamp=None,
                dataset=APACHE_DATASET,
                original=text,
                offset=line.offset,
                fields=fields,
            )
        return ctx.unparsed(
            text,
            line.offset,
            "apache-error: line has neither the Apache '[date] [level]' nor the nginx "
            "'yyyy/mm/dd hh:mm:ss [level]' prefix",
            dataset=APACHE_DATASET,
        )

    def _time(self, key: str, parts: Sequence[str | None], ctx: ParseContext) -> datetime | None:
        """Convert the matched date parts, caching the last conversion (lines share seconds)."""
        last = self._last_time
        if last is not None and last[0] == key:
            cached: datetime | None = last[1]
            return cached
        year, mon, day, hh, mm, ss, frac = parts
        try:
            month = int(mon) if mon and mon.isdigit() else MONTHS[str(mon).lower()]
            micro = int(frac.ljust(6, "0")) if frac else 0
            value: datetime | None = local_to_utc(
                int(str(year)), month, int(str(day)), int(str(hh)), int(str(mm)), int(str(ss)),
                micro, ctx.tz,
            )  # fmt: skip
        except (ValueError, KeyError, OverflowError):
            value = None
        self._last_time = (key, value)
        return value

    def _finish(
        self,
        fields: dict[str, Any],
        ts: datetime | None,
        dataset: str,
        line: Line,
        ctx: ParseContext,
    ) -> Event:
        if ts is None:
            fields[schema.TAGS] = ["timestamp_unparsed"]
        return ctx.make(
            timestamp=ts, dataset=dataset, original=line.text, offset=line.offset, fields=fields
        )

    def _apache(self, m: re.Match[str], line: Line, ctx: ParseContext) -> Event:
        g = m.group
        level = g("level")
        fields: dict[str, Any] = {
            schema.CATEGORY: schema.CATEGORY_WEB,
            schema.TYPE: "error",
            schema.LOG_LEVEL: level,
        }
        module = g("module")
        if module:
            fields["apache.error.module"] = module
        pid = g("pid")
        if pid is not None:
            fields[schema.PROCESS_PID] = int(pid)
            tid = g("tid")
            if tid is not None:
                fields["process.thread.id"] = int(tid)
        if g("srcfile"):
            fields["apache.error.source_file"] = g("srcfile")
        if g("oserr"):
            fields["apache.error.os_error"] = g("oserr")
        client = g("client")
        if client is not None:
            # 2.4 (level written as module:level) always logs the client port; 2.2 never does.
            ip, port = split_host_port(client, prefer_port=module is not None)
            if is_ip(ip):
                fields[schema.SOURCE_IP] = ip
                if port is not None:
                    fields[schema.SOURCE_PORT] = port
            else:
                fields["source.address"] = client
        message = g("msg")
        code_m = _CODE.match(message)
        code = None
        if code_m is not None:
            code = code_m.group(1)
            fields["apache.error.code"] = code
            message = message[code_m.end() :]
        head, sep, referrer = message.rpartition(", referer: ")
        if sep and " " not in referrer:
            message = head
            fields[schema.HTTP_REFERRER] = referrer
        fields[schema.MESSAGE] = message
        _classify(fields, message, code)
        parts = (g("year"), g("mon"), g("day"), g("hh"), g("mm"), g("ss"), g("frac"))
        ts = self._time(line.text[: m.start("year") + 4], parts, ctx)
        return self._finish(fields, ts, APACHE_DATASET, line, ctx)

    def _nginx(self, m: re.Match[str], line: Line, ctx: ParseContext) -> Event:
        g = m.group
        fields: dict[str, Any] = {
            schema.CATEGORY: schema.CATEGORY_WEB,
            schema.TYPE: "error",
            schema.LOG_LEVEL: g("level"),
            schema.PROCESS_PID: int(g("pid")),
            "process.thread.id": int(g("tid")),
        }
        if g("cid") is not None:
            fields["nginx.error.connection_id"] = int(g("cid"))
        message = g("msg")
        cut = message.find(", client: ")
        if cut != -1:
            self._nginx_context(fields, message[cut:])
            message = message[:cut]
        fields[schema.MESSAGE] = message
        _classify(fields, message, None)
        parts = (g("year"), g("mon"), g("day"), g("hh"), g("mm"), g("ss"), None)
        ts = self._time(line.text[:19], parts, ctx)
        return self._finish(fields, ts, NGINX_DATASET, line, ctx)

    @staticmethod
    def _nginx_context(fields: dict[str, Any], context: str) -> None:
        """Parse the ``, client: X, server: Y, request: "..."`` tail nginx appends."""
        for key, raw in _NGINX_CONTEXT.findall(context):
            value = unescape(raw[1:-1]) if raw.startswith('"') and len(raw) >= 2 else raw
            fields["nginx.error." + key] = value
            if key == "client":
                ip, port = split_host_port(value, prefer_port=False)
                if is_ip(ip):
                    fields[schema.SOURCE_IP] = ip
                    if port is not None:
                        fields[schema.SOURCE_PORT] = port
            elif key == "request":
                parts = split_request(value)
                if parts is not None:
                    fields[schema.HTTP_METHOD] = parts[0]
                    add_url(fields, parts[1])
                    if parts[2] is not None:
                        fields[schema.HTTP_VERSION] = parts[2]
            elif key == "host":
                fields[schema.URL_DOMAIN] = value
            elif key == "referrer":
                fields[schema.HTTP_REFERRER] = value

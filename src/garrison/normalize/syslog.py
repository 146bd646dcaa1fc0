"""Syslog files: RFC 3164 / RFC 5424 headers, Linux ``auth.log`` / ``secure`` messages.

The header is parsed here (grammar in :mod:`garrison.normalize.syslog_header`); messages of
authentication programs (sshd, sudo, su, PAM, shadow-utils, cron, systemd-logind) are handed
to :mod:`garrison.normalize.linux_auth` and become ``linux.auth`` events, everything else is
``linux.syslog``.

Repeated-message lines are expanded so that counts stay right (five failed logins folded into
one line are five failed logins): rsyslog's ``message repeated N times: [ msg ]`` carries the
message, sysklogd's ``last message repeated N times`` refers to the previous record of the
stream, which the parser remembers (a parser instance serves one stream).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Final

from garrison.events import schema as s
from garrison.events.model import Event
from garrison.normalize.base import Line, LineParser, ParseContext
from garrison.normalize.linux_auth import auth_fields, is_ip
from garrison.normalize.syslog_header import RFC3164, RFC5424, TAG_ONLY, split_structured_data
from garrison.normalize.timeutil import MONTHS, infer_year, local_to_utc, parse_iso

DATASET_SYSLOG: Final = "linux.syslog"
DATASET_AUTH: Final = "linux.auth"
#: Upper bound on the events one repeated-message line expands to. Any local user can log
#: ``message repeated 999999999 times`` (``logger -t sshd``); real counts stay far below this.
MAX_REPEAT: Final = 10_000

_MONTHS = {name.capitalize(): number for name, number in MONTHS.items()}
_RSYSLOG_REPEAT = re.compile(r"message repeated (\d{1,9}) times: \[ ?(.*?)\]?\Z", re.ASCII | re.S)
_LAST_REPEAT = re.compile(r"(?:--- )?last message repeated (\d{1,9}) times?(?: ---)?\Z", re.ASCII)
_NETFILTER_KV = re.compile(r"\b([A-Z]+)=(\S*)", re.ASCII)
_NO_HEADER = "syslog: line does not start with an RFC 3164 or RFC 5424 header"


def netfilter_fields(msg: str) -> dict[str, Any]:
    """Fields of a kernel netfilter LOG line (ufw, firewalld, iptables ``-j LOG``).

    ``[12.34] [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.4 PROTO=TCP SPT=1 DPT=23``:
    the text before ``IN=`` is the administrator's log prefix, which says what the rule did.
    """
    at = msg.find("IN=")
    if at < 0:
        return {}
    kv = dict(_NETFILTER_KV.findall(msg, at))
    prefix = msg[:at].strip()
    if prefix.startswith("[") and (close := prefix.find("]")) > 0 and prefix[1:2] in " 0123456789":
        prefix = prefix[close + 1 :].strip()  # the kernel's uptime stamp
    verdict = prefix.upper()
    if any(word in verdict for word in ("BLOCK", "REJECT", "DROP", "DENY")):
        etype, outcome = "denied", s.OUTCOME_FAILURE
    elif any(word in verdict for word in ("ALLOW", "ACCEPT")):
        etype, outcome = "allowed", s.OUTCOME_SUCCESS
    else:
        etype, outcome = "connection", s.OUTCOME_UNKNOWN
    f: dict[str, Any] = {
        s.CATEGORY: s.CATEGORY_NETWORK,
        s.TYPE: etype,
        s.ACTION: "netfilter_log",
        s.OUTCOME: outcome,
        "netfilter.prefix": prefix,
    }
    for key, field, port in (
        ("SRC", s.SOURCE_IP, "SPT"),
        ("DST", s.DESTINATION_IP, "DPT"),
    ):
        if is_ip(value := kv.get(key, "")):
            f[field] = value
        if (number := kv.get(port, "")).isdecimal() and len(number) <= 5:
            f[field.replace(".ip", ".port")] = int(number)
    if proto := kv.get("PROTO"):
        f["network.transport"] = proto.lower()
    for key in ("IN", "OUT", "MAC", "PROTO"):
        if key in kv:
            f["netfilter." + key.lower()] = kv[key]
    return f


class SyslogParser(LineParser):
    """Parser for syslog files (``/var/log/syslog``, ``messages``, ``auth.log``, ``secure``)."""

    name = "syslog"
    description = "Syslog (RFC 3164 / RFC 5424), incl. Linux auth.log / secure"

    def __init__(self) -> None:
        """Start with no remembered record and an empty timestamp cache."""
        # (program, pid, message) of the previous record: what "last message repeated" repeats.
        self._last: tuple[str | None, str | None, str] | None = None
        # Consecutive lines mostly share their timestamp text: convert each text once.
        self._ts_ctx: ParseContext | None = None
        self._ts_text = ""  # never a timestamp text: nothing cached yet
        self._ts_val: datetime | None = None

    def matches(self, text: str) -> bool:
        """Whether ``text`` starts with a syslog header (used by :meth:`sniff`)."""
        return RFC3164.match(text) is not None or RFC5424.match(text) is not None

    def parse_line(self, line: Line, ctx: ParseContext) -> Event | list[Event] | None:
        """Parse one line (see :meth:`parse`)."""
        return self._parse(line.text, line.offset, ctx)

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Parse each non-blank line; a line that is not syslog becomes an unparsed event."""
        parse = self._parse
        for text, offset in lines:
            if not text or text.isspace():
                continue
            try:
                result = parse(text, offset, ctx)
            except Exception as exc:  # bad input must not stop the stream
                reason = f"syslog: {type(exc).__name__}: {exc}"
                yield ctx.unparsed(text.replace("\x00", "\ufffd"), offset, reason, DATASET_SYSLOG)
                continue
            if isinstance(result, list):
                yield from result
            else:
                yield result

    def _timestamp(self, text: str, ctx: ParseContext, groups: tuple[str, ...]) -> datetime | None:
        """Convert a header timestamp (cached by its text); ``None`` when it is not valid.

        Args:
            text: The timestamp as written: the cache key, and the value for ISO forms.
            ctx: The stream context (year, reference time, zone).
            groups: ``(month, day, hour, minute, second, fraction)`` for a BSD timestamp,
                empty for an ISO one.
        """
        if text == self._ts_text and ctx is self._ts_ctx:
            return self._ts_val
        value: datetime | None
        try:
            if groups:
                mon, day, hour, minute, sec, frac = groups
                month = _MONTHS[mon]
                year = ctx.year
                if year is None:
                    year = infer_year(month, ctx.reference_time or ctx.now)
                micro = int(frac.ljust(6, "0")) if frac else 0
                value = local_to_utc(
                    year, month, int(day), int(hour), int(minute), int(sec), micro, ctx.tz
                )
            else:
                value = parse_iso(text, ctx.tz)
        except (ValueError, OverflowError):
            value = None
        self._ts_ctx, self._ts_text, self._ts_val = ctx, text, value
        return value

    def _parse(self, text: str, offset: int, ctx: ParseContext) -> Event | list[Event]:
        """Parse one non-blank line into its event(s); never returns ``None``."""
        if "\x00" in text:  # PostgreSQL rejects NUL in text
            text = text.replace("\x00", "\ufffd")
        body = text.rstrip("\r\n") if text[-1] in "\r\n" else text
        tags: list[str] = []
        m = RFC3164.match(body)
        if m is not None:
            pri, bsd, mon, day, hour, minute, sec, frac, iso, host, prog, pid, msg = m.groups()
            if bsd is not None:
                ts = self._timestamp(bsd, ctx, (mon, day, hour, minute, sec, frac))
            else:
                ts = self._timestamp(iso, ctx, ())
            if host[-1] == ":" and (tag := TAG_ONLY.match(host)) is not None:
                # No host in the header: the "host" was the tag, the rest all message.
                fields: dict[str, Any] = {}
                prog, pid = tag[1], tag[2]
                msg = body[m.start(10) + len(host) :].lstrip(" ")
            else:
                fields = {s.HOST_NAME: host}
            if msg is None:
                msg = ""
            if ts is None:
                tags.append("timestamp_unparsed")
        else:
            m = RFC5424.match(body)
            if m is None:
                return ctx.unparsed(text, offset, _NO_HEADER, DATASET_SYSLOG)
            pri, ts_text, host, app, procid, msgid, rest = m.groups()
            ts = None if ts_text == "-" else self._timestamp(ts_text, ctx, ())
            if ts is None:
                # A NILVALUE time is legal RFC 5424: the ingestion time stands in for it.
                tags.append("timestamp_unparsed" if ts_text != "-" else "timestamp_missing")
            fields = {} if host == "-" else {s.HOST_NAME: host}
            prog = None if app == "-" else app
            pid = None if procid == "-" else procid
            if msgid != "-":
                fields["syslog.msgid"] = msgid
            sd, msg, well_formed = split_structured_data(rest or "")
            if sd:
                fields.update(sd)
            if not well_formed:
                tags.append("structured_data_unparsed")
            if msg.startswith("\ufeff"):  # RFC 5424 marks UTF-8 messages with a BOM
                msg = msg[1:]
        if pri is not None and (p := int(pri)) <= 191:
            fields[s.LOG_SYSLOG_PRIORITY] = p
            fields[s.LOG_SYSLOG_FACILITY] = p >> 3
            fields[s.LOG_SYSLOG_SEVERITY] = p & 7
        if msg.startswith(("message repeated ", "last message repeated ", "--- last message")):
            events = self._repeat(ctx, ts, text, offset, fields, tags, prog, pid, msg)
            if events is not None:
                return events
        self._last = (prog, pid, msg)
        dataset = self._describe(fields, prog, pid, msg)
        if tags:
            fields[s.TAGS] = tags
        return ctx.make(timestamp=ts, dataset=dataset, original=text, offset=offset, fields=fields)

    @staticmethod
    def _describe(fields: dict[str, Any], prog: str | None, pid: str | None, msg: str) -> str:
        """Add the tag and message fields (and the auth fields) and return the dataset."""
        fields[s.MESSAGE] = msg
        if prog is not None:
            fields[s.PROCESS_NAME] = prog
            if pid:
                if pid.isascii() and pid.isdigit() and len(pid) <= 10:
                    fields[s.PROCESS_PID] = int(pid)
                else:
                    fields["syslog.procid"] = pid
        auth = auth_fields(prog, msg)
        if auth is None:
            if prog == "kernel" and " SRC=" in msg:
                fields.update(netfilter_fields(msg))
            return DATASET_SYSLOG
        if auth:
            fields.update(auth)
        return DATASET_AUTH

    def _repeat(
        self,
        ctx: ParseContext,
        ts: datetime | None,
        text: str,
        offset: int,
        fields: dict[str, Any],
        tags: list[str],
        prog: str | None,
        pid: str | None,
        msg: str,
    ) -> list[Event] | None:
        """Expand a repeated-message line into one event per repetition.

        Returns:
            The events, or ``None`` when ``msg`` is not a repeat notice after all (the caller
            then treats it as an ordinary message).
        """
        if msg[0] == "m":
            if (m := _RSYSLOG_REPEAT.match(msg)) is None:
                return None
            msg = m[2]
            self._last = (prog, pid, msg)
        else:
            if (m := _LAST_REPEAT.match(msg)) is None:
                return None
            if self._last is None:  # nothing to repeat: keep the notice itself
                tags.append("repeat_without_previous")
                dataset = self._describe(fields, prog, pid, msg)
                fields[s.TAGS] = tags
                return [
                    ctx.make(
                        timestamp=ts, dataset=dataset, original=text, offset=offset, fields=fields
                    )
                ]
            prog, pid, msg = self._last
        count = int(m[1])
        if count < 1:
            return None
        fields["syslog.repeat_count"] = count
        if count > MAX_REPEAT:
            tags.append("repeat_count_capped")
            count = MAX_REPEAT
        dataset = self._describe(fields, prog, pid, msg)
        events = []
        last = count - 1
        for i in range(count):
            # make() takes the dict over and adds to it: every event gets a copy made before.
            f = fields if i == last else fields.copy()
            if tags:
                f[s.TAGS] = list(tags)
            events.append(
                ctx.make(
                    timestamp=ts, dataset=dataset, original=text, offset=offset, fields=f, sub=i
                )
            )
        return events

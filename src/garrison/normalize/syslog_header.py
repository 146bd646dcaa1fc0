"""Syslog header grammar: RFC 3164 (BSD, as written to /var/log) and RFC 5424.

The patterns match a whole line at once: one regex call is cheaper than splitting the header
field by field in Python, and the per-line budget is a few microseconds.
"""

from __future__ import annotations

import re
from typing import Any

_AS = re.ASCII | re.DOTALL

#: ``[<PRI>]Mmm dd hh:mm:ss[.frac] HOST [PROGRAM[[PID]]: ]MSG`` and rsyslog's
#: ``RSYSLOG_FileFormat`` variant with an RFC 3339 timestamp instead of the BSD one.
#: Groups: pri, bsd timestamp (month, day, hour, minute, second, fraction), iso timestamp,
#: host, program, pid, message.
RFC3164 = re.compile(
    r"(?:<(\d{1,3})>)?"
    r"(?:((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2})"
    r" (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6})\d*)?)"
    r"|(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:?\d\d)?))"
    r" (\S+)"
    r"(?: (?:([^\s\[\]:]{1,64})(?:\[([^\]\s]{0,32})\])?: ?)?(.*))?\Z",
    _AS,
)

#: A header without a host (``Mmm dd hh:mm:ss sshd[1]: msg``, written by some appliances):
#: what :data:`RFC3164` took for the host is then the tag.
TAG_ONLY = re.compile(r"([^\s\[\]:]{1,64})(?:\[([^\]\s]{0,32})\])?:\Z", re.ASCII)

#: ``[<PRI>]1 TIMESTAMP HOST APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`` (RFC 5424 §6).
#: Groups: pri, timestamp, host, app, procid, msgid, rest (structured data and message).
RFC5424 = re.compile(
    r"(?:<(\d{1,3})>)?1 (-|\d{4}-\d\d-\d\dT\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32})"
    r"(?: (.*))?\Z",
    _AS,
)

_SD_NAME = r'[^\s\]="]{1,32}'
_SD_ELEMENT = re.compile(
    rf'\[({_SD_NAME})((?:\s+{_SD_NAME}="(?:[^"\\]|\\.)*")*)\s*\]',
    _AS,
)
_SD_PARAM = re.compile(rf'({_SD_NAME})="((?:[^"\\]|\\.)*)"', _AS)
# RFC 5424 §6.3.3: only '"', '\' and ']' are escaped; any other backslash is literal.
_SD_ESCAPE = re.compile(r'\\(["\\\]])')


def split_structured_data(rest: str) -> tuple[dict[str, Any], str, bool]:
    """Split RFC 5424 STRUCTURED-DATA from the message that follows it.

    Args:
        rest: The text after MSGID: ``-`` or ``[id k="v" ...]...``, then an optional
            space-separated message.

    Returns:
        ``(fields, message, well_formed)``: the parameters as ``syslog.sd.<id>.<param>`` (a
        list when a parameter repeats), the message, and whether the structured data could be
        parsed. When it cannot, ``fields`` is empty and the whole of ``rest`` is the message.
    """
    if rest.startswith("-"):
        if len(rest) == 1:
            return {}, "", True
        if rest[1] == " ":
            return {}, rest[2:], True
        return {}, rest, False
    if not rest.startswith("["):
        return {}, rest, not rest
    fields: dict[str, Any] = {}
    pos = 0
    end = len(rest)
    while pos < end and rest[pos] == "[":
        m = _SD_ELEMENT.match(rest, pos)
        if m is None:
            return {}, rest, False
        prefix = f"syslog.sd.{m[1]}."
        for param in _SD_PARAM.finditer(m[2]):
            value = param[2]
            if "\\" in value:
                value = _SD_ESCAPE.sub(r"\1", value)
            key = prefix + param[1]
            old = fields.get(key)
            if old is None:
                fields[key] = value
            elif isinstance(old, list):
                old.append(value)
            else:
                fields[key] = [old, value]
        pos = m.end()
    if pos < end and rest[pos] == " ":
        pos += 1
    return fields, rest[pos:], True

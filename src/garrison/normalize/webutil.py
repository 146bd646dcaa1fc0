"""Helpers shared by the web-server parsers (access, Apache/nginx error, IIS).

Request lines, URLs and escaped strings are attacker-controlled: every helper here accepts any
text and never raises.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from garrison.events import schema

#: An HTTP method token (RFC 9110 tokens are wider, but real methods are letters, ``-``, ``_``).
_METHOD = re.compile(r"[A-Za-z][A-Za-z_-]{0,31}\Z")
#: Runs of ``\xHH`` escapes (nginx and Apache escape bytes this way) and the one-char escapes.
_ESCAPE = re.compile(r"(?:\\x[0-9A-Fa-f]{2})+|\\(.)", re.DOTALL)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z")


@lru_cache(maxsize=8192)
def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def is_ip(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address.

    IPv4 is checked with one regex (``ipaddress`` costs ~5 us a call, half a line's budget);
    IPv6 goes through ``ipaddress``, cached because client addresses repeat.
    """
    if ":" not in text:
        return _IPV4.match(text) is not None
    # Zone ids (``fe80::1%eth0``) are refused: PostgreSQL ``inet`` cannot store them.
    return len(text) <= 45 and "%" not in text and _is_ipv6(text)


def _unescape_match(match: re.Match[str]) -> str:
    one = match.group(1)
    if one is not None:
        return _SIMPLE_ESCAPES.get(one, "\\" + one)
    # A run of \xHH escapes is a byte sequence (often UTF-8 text that nginx escaped byte-wise).
    raw = bytes.fromhex(match.group(0).replace("\\x", "").replace("\\X", ""))
    return raw.decode("utf-8", "replace")


def unescape(value: str) -> str:
    r"""Undo the escaping web servers apply to logged strings.

    Apache writes ``\"``, ``\\`` and ``\xHH``; nginx writes ``\xHH`` for quotes, backslashes,
    control and non-ASCII bytes. NUL characters are replaced (PostgreSQL rejects them).
    """
    if "\\" not in value:
        return value
    text = _ESCAPE.sub(_unescape_match, value)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def split_request(request: str) -> tuple[str, str, str | None] | None:
    """Split an HTTP request line into method, target and version.

    ``GET /a b HTTP/1.1`` (an unencoded space in the target) keeps ``/a b`` as the target;
    ``GET /`` (HTTP/0.9 or a truncated line) has no version.

    Returns:
        ``(method, target, version)`` with the version without its ``HTTP/`` prefix, or
        ``None`` when the text is not a request line (TLS handshakes, ``-``, garbage).
    """
    method, sep, rest = request.partition(" ")
    if not sep or not rest or _METHOD.match(method) is None:
        return None
    version: str | None = None
    head, sep, last = rest.rpartition(" ")
    if sep and last.startswith("HTTP/"):
        rest, version = head, last[5:]
    if not rest:
        return None
    return method, rest, version


def add_url(fields: dict[str, Any], target: str) -> None:
    """Set ``url.original`` and the ``url.path``/``url.query``/``url.domain`` parts of a target.

    Handles origin-form (``/p?q``), absolute-form (``http://host/p``, proxy requests) and
    leaves authority-form (``CONNECT host:443``) and ``*`` with ``url.original`` only.
    """
    fields[schema.URL_ORIGINAL] = target
    if target.startswith("/"):
        path, sep, query = target.partition("?")
    else:
        scheme, sep, rest = target.partition("://")
        if not sep or not scheme.isalpha():
            return
        authority, slash, tail = rest.partition("/")
        host = authority.rpartition("@")[2]
        # [v6]:port or host:port
        host = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
        if host:
            fields[schema.URL_DOMAIN] = host
        path, sep, query = (slash + tail).partition("?")
        fields["url.scheme"] = scheme.lower()
    if path:
        fields[schema.URL_PATH] = path
    if sep and query:
        fields[schema.URL_QUERY] = query


def split_host_port(text: str, *, prefer_port: bool) -> tuple[str, int | None]:
    """Split ``ip:port`` as servers log it (IPv6 without brackets: ``::1:5861``).

    Args:
        text: The address as logged.
        prefer_port: When both readings are valid addresses (``fe80::1:2``), whether the last
            colon-separated part is a port (Apache 2.4 always logs one, 2.2 never does).

    Returns:
        The address (brackets removed) and the port, or ``None`` when there is none.
    """
    if text.startswith("["):
        host, _, tail = text[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else ""
        return host, int(port) if port.isdigit() and len(port) <= 5 else None
    head, sep, port = text.rpartition(":")
    split_ok = bool(sep) and port.isdigit() and len(port) <= 5 and is_ip(head)
    if split_ok and (prefer_port or not is_ip(text)):
        return head, int(port)
    return text, None


def outcome_of_status(status: int) -> str:
    """ECS outcome of an HTTP status: below 400 succeeded, the rest failed."""
    return schema.OUTCOME_SUCCESS if status < 400 else schema.OUTCOME_FAILURE

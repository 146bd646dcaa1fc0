"""What the web checks share: masked evidence from bodies, the "page unreachable" result.

Bodies are attacker-controlled: shown evidence is at most :data:`SNIPPET` characters, on one
line, printable, with whatever looks like a secret masked: URL credentials, values of
secret-looking keys, long tokens.
"""

from __future__ import annotations

import re

from garrison.checks.base import Check, Result, Status
from garrison.checks.collectors.web import Response, WebFacts

SNIPPET = 120
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"(?P<key>[\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|auth|credential|key)[\w.-]*)(?P<sep>\s*[=:]\s*|\"\s*:\s*\"?)"
    r"(?P<value>[^\s\"'&,;<]+)",
    re.IGNORECASE,
)
#: A run of token characters long enough to be a key, hash or session id.
_TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{24,}")
_SPACE = re.compile(r"\s+")
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)


def mask(text: str) -> str:
    """``text`` with URL credentials, secret-looking values and long tokens masked."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}****@", text)
    text = _SECRET_VALUE.sub(lambda m: f"{m['key']}{m['sep']}****", text)
    return _TOKEN.sub(lambda m: f"{m[0][:4]}****", text)


def snippet(text: str, limit: int = SNIPPET) -> str:
    """One printable, masked line of at most ``limit`` characters."""
    printable = "".join(c if c.isprintable() else " " for c in text[: limit * 8])
    line = _SPACE.sub(" ", mask(printable)).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def around(text: str, start: int, end: int, limit: int = SNIPPET) -> str:
    """A masked snippet of ``text`` around ``start:end`` (a regex match)."""
    margin = max(0, (limit - (end - start)) // 2)
    return snippet(text[max(0, start - margin) : end + margin], limit)


def looks_html(answer: Response) -> bool:
    """The body is an HTML page (a soft 404 or a catch-all route, not the file asked for)."""
    return bool(_HTML.match(answer.body[:512]))


def no_answer(check: Check, answer: Response) -> Result:
    """An ``error`` result for a probe that got no answer (nothing to judge)."""
    return check.result(
        Status.ERROR, answer.url, "the probe got no answer", actual=snippet(answer.error or "")
    )


def unreachable(check: Check, web: WebFacts) -> list[Result]:
    """An ``error`` result when the page could not be fetched (nothing to judge), else none."""
    if web.error is None:
        return []
    return [
        check.result(
            Status.ERROR, web.url, "the page could not be fetched", actual=snippet(web.error)
        )
    ]

"""Backup archives, database dumps and editor leftovers downloadable from the web root."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import BACKUP_PATHS, Response, WebFacts
from garrison.checks.web._common import looks_html, no_answer, unreachable

_SQL = re.compile(
    rb"CREATE TABLE|INSERT INTO|DROP TABLE|LOCK TABLES|-- MySQL dump|PostgreSQL database dump",
    re.IGNORECASE,
)
_PHP = re.compile(rb"<\?php|<\?=")
_WEB_CONFIG = re.compile(rb"<configuration[\s>]")
#: How each kind of file is recognised: the real file, not a soft 404 answering 200.
_KINDS: tuple[tuple[str, str, re.Pattern[bytes] | tuple[bytes, ...]], ...] = (
    (".zip", "ZIP archive", (b"PK\x03\x04", b"PK\x05\x06")),
    (".rar", "RAR archive", (b"Rar!\x1a\x07",)),
    (".sql", "SQL dump", _SQL),
    (".swp", "Vim swap file", (b"b0VIM",)),
    ("web.config.bak", "IIS configuration", _WEB_CONFIG),
    (".php.bak", "PHP source", _PHP),
)


def kind_of(answer: Response, soft_404: bytes | None = None) -> str | None:
    """What the probe returned, when it is the backup file its name promises.

    ``soft_404`` is the body a path that does not exist got with a 200: the same body here is
    the site's catch-all page, not a file.
    """
    if not answer.ok or (soft_404 is not None and answer.body == soft_404):
        return None
    for suffix, kind, sign in _KINDS:
        if not answer.name.endswith(suffix):
            continue
        if isinstance(sign, tuple):
            return kind if answer.body.startswith(sign) else None
        if looks_html(answer) and suffix != ".php.bak":
            return None
        return kind if sign.search(answer.body) else None
    return None


class web_backup_files(Check):
    """Fails for each backup name that returns a file of the promised kind."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per exposed file, or one pass."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        answers = [a for a in (web.probe(name) for name in BACKUP_PATHS) if a is not None]
        missing = web.probe(web.not_found)
        soft_404 = missing.body if missing is not None and missing.ok else None
        results = []
        for answer in answers:
            kind = kind_of(answer, soft_404)
            if kind is None:
                continue
            size = f"{len(answer.body)}{'+' if answer.truncated else ''} bytes"
            results.append(
                self.result(
                    Status.FAIL,
                    answer.url,
                    f"a backup file is downloadable: {answer.name}",
                    expected="no backup, dump or editor files under the web root",
                    actual=f"HTTP {answer.status}, {kind}, {size} (content not shown)",
                )
            )
        if results or not answers:
            return results
        if all(a.status == 0 for a in answers):
            return [no_answer(self, answers[0])]
        return [
            self.result(
                Status.PASS,
                web.url,
                "no backup file found",
                actual=f"{len(answers)} backup names probed: {', '.join(BACKUP_PATHS)}",
            )
        ]

"""Directory listings (autoindex) and ``.DS_Store`` files: the site's file names are public."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import DS_STORE_PATH, LISTING_PATHS, Response, WebFacts
from garrison.checks.web._common import around, no_answer, unreachable

#: Apache/nginx/lighttpd autoindex, Python http.server, Tomcat, IIS.
_LISTING = re.compile(
    r"<title>\s*Index of /|<h1>\s*Index of /|Directory listing for /"
    r"|<title>\s*Directory Listing For /|\[To Parent Directory\]",
    re.IGNORECASE,
)
_DS_STORE = b"\x00\x00\x00\x01Bud1"


def _listing(answer: Response) -> re.Match[str] | None:
    return _LISTING.search(answer.text[:65536]) if answer.ok else None


class web_directory_listing(Check):
    """Fails for each folder the server lists, and for a downloadable ``.DS_Store``."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per listing found, or one pass."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        answers = [a for a in (web.probe(name) for name in LISTING_PATHS) if a is not None]
        results = []
        for answer in answers:
            match = _listing(answer)
            if match:
                results.append(
                    self.result(
                        Status.FAIL,
                        answer.url,
                        "the server lists the folder's files",
                        expected="directory listing off (autoindex off, Options -Indexes)",
                        actual=around(answer.text, match.start(), match.end()),
                    )
                )
        store = web.probe(DS_STORE_PATH)
        if store is not None and store.ok and store.body.startswith(_DS_STORE):
            results.append(
                self.result(
                    Status.FAIL,
                    store.url,
                    "a .DS_Store file lists the folder's files",
                    expected="404 or 403 for .DS_Store",
                    actual=f"HTTP {store.status}, macOS .DS_Store ({len(store.body)} bytes)",
                )
            )
        if results or not answers:
            return results
        if all(a.status == 0 for a in answers):
            return [no_answer(self, answers[0])]
        folders = ", ".join("/" + n if n else "the page" for n in LISTING_PATHS)
        return [
            self.result(
                Status.PASS,
                web.url,
                "no directory listing found",
                actual=f"probed {folders} and .DS_Store",
            )
        ]

"""``/.git/`` or ``/.svn/`` served over HTTP: anyone can download the source and its history."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import Response, WebFacts
from garrison.checks.web._common import looks_html, no_answer, snippet, unreachable

_GIT_HEAD = re.compile(rb"\A(?:ref: refs/[\w./-]+|[0-9a-f]{40}|[0-9a-f]{64})\s*\Z")
_GIT_CONFIG = re.compile(rb"^\s*\[core\]", re.MULTILINE)
#: ``.svn/entries``: a format number (1.4 to 1.6, and the stub of 1.7+) or the XML of 1.3.
_SVN_ENTRIES = re.compile(rb"\A(?:\d{1,2}\s*\n|<\?xml[^>]{0,200}>\s*<wc-entries)")
_SQLITE = b"SQLite format 3\x00"
#: Version control system -> its probes and how each is recognised.
_SYSTEMS: dict[str, tuple[tuple[str, re.Pattern[bytes] | bytes], ...]] = {
    "Git": ((".git/HEAD", _GIT_HEAD), (".git/config", _GIT_CONFIG)),
    "Subversion": ((".svn/entries", _SVN_ENTRIES), (".svn/wc.db", _SQLITE)),
}


def _exposed(answer: Response, sign: re.Pattern[bytes] | bytes) -> bool:
    """The probe returned the real file, not a soft 404 or a catch-all page."""
    if not answer.ok or looks_html(answer):
        return False
    if isinstance(sign, bytes):
        return answer.body.startswith(sign)
    return bool(sign.search(answer.body))


class web_vcs_exposed(Check):
    """Fails when a Git or Subversion working copy's metadata can be downloaded."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per version control system."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        results = []
        for system, probes in _SYSTEMS.items():
            pairs = [(sign, a) for name, sign in probes if (a := web.probe(name)) is not None]
            found = next((a for sign, a in pairs if _exposed(a, sign)), None)
            answers = [a for _, a in pairs]
            if found is not None:
                evidence = "SQLite database" if found.body.startswith(_SQLITE) else found.text
                results.append(
                    self.result(
                        Status.FAIL,
                        found.url,
                        f"the {system} repository metadata is served over HTTP",
                        expected="404 or 403 for version control folders",
                        actual=f"HTTP {found.status}: {snippet(evidence)}",
                    )
                )
            elif answers and all(a.status == 0 for a in answers):
                results.append(no_answer(self, answers[0]))
            elif answers:
                names = ", ".join(name for name, _ in probes)
                results.append(
                    self.result(
                        Status.PASS,
                        answers[0].url,
                        f"no {system} repository metadata served",
                        actual=f"{names}: not served",
                    )
                )
        return results

"""``/.env`` served over HTTP: database passwords, API keys and app secrets in clear."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import ENV_PATH, WebFacts
from garrison.checks.web._common import looks_html, no_answer, unreachable

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]{0,63})\s*=", re.M)
#: Key names shown as evidence (never their values).
_SHOWN = 8


class web_env_exposed(Check):
    """Fails when ``/.env`` returns a dotenv file (``KEY=value`` lines)."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for ``/.env``."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        answer = web.probe(ENV_PATH)
        if answer is None:
            return []
        if answer.status == 0:
            return [no_answer(self, answer)]
        keys = [] if not answer.ok or looks_html(answer) else _ASSIGNMENT.findall(answer.text)
        if not keys:
            return [
                self.result(
                    Status.PASS,
                    answer.url,
                    "no .env file served",
                    actual=f"HTTP {answer.status}, no KEY=value lines",
                )
            ]
        unique = list(dict.fromkeys(keys))
        shown = ", ".join(unique[:_SHOWN]) + (
            f" (+{len(unique) - _SHOWN} more)" if len(unique) > _SHOWN else ""
        )
        return [
            self.result(
                Status.FAIL,
                answer.url,
                "the .env file is served over HTTP",
                expected="404 or 403 for .env",
                actual=f"HTTP {answer.status}, {len(unique)} settings (values hidden): {shown}",
            )
        ]

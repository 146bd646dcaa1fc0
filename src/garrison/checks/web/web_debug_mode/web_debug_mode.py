"""Debug pages, stack traces, Spring Boot actuators and ``phpinfo()`` in production.

Only regular expressions run on the bodies (attacker-controlled); quantifiers are bounded so a
hostile page cannot make them backtrack for long.
"""

from __future__ import annotations

import json
import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import ACTUATOR_PATHS, PHPINFO_PATH, Response, WebFacts
from garrison.checks.web._common import around, snippet, unreachable

#: What gives a debug page or a stack trace away, by name.
DETECTORS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Werkzeug debugger", r"Werkzeug Debugger|__debugger__|The debugger caught an exception"),
        ("Django DEBUG = True", r"you have <code>DEBUG = True</code>"),
        (
            "Laravel Ignition/Whoops",
            r"window\.ignite\b|<title>[^<]{0,80}Ignition</title>|class=\"Whoops container\"",
        ),
        ("Rails exception page", r"Action Controller: Exception caught|Rails\.root: "),
        (
            "ASP.NET error page",
            r"Server Error in '[^'\n]{0,200}' Application|<b>\s*Stack Trace:\s*</b>",
        ),
        (
            "PHP error message",
            r"<b>(?:Fatal error|Parse error|Warning|Notice|Deprecated)</b>:[^\n]{0,400}?"
            r" on line <b>\d+"
            r"|(?:Fatal error|Parse error|Warning|Notice|Deprecated): [^\n]{0,400}? on line \d+",
        ),
        ("Python traceback", r"Traceback \(most recent call last\)"),
        (
            "Java stack trace",
            r"Exception in thread \""
            r"|\bat (?:org|java|javax|jakarta|com|sun)\.[\w$.]{1,300}\([\w$]{1,100}\.java:\d+\)",
        ),
        (
            "Node.js stack trace",
            r"\bat (?:new |async )?[\w$.<>]{1,150}(?: \[as [\w$]{1,80}\])? "
            r"\((?:/|[A-Za-z]:\\)[^()\s]{1,300}\.(?:js|mjs|cjs|ts):\d+:\d+\)",
        ),
        ("phpinfo()", r"<title>phpinfo\(\)</title>|<h1 class=\"p\">PHP Version"),
    )
)
#: Actuator endpoints that leak secrets, memory or control (health and info are harmless).
SENSITIVE_ENDPOINTS = frozenset(
    {"env", "heapdump", "configprops", "threaddump", "logfile", "shutdown", "jolokia",
     "httptrace", "httpexchanges", "gateway", "mappings", "beans", "loggers"}
)  # fmt: skip
_SCANNED = 262144  # the collector keeps this much anyway


def _json(answer: Response) -> object:
    try:
        return json.loads(answer.body)
    except ValueError:  # not JSON (or truncated)
        return None


def actuator_findings(answer: Response) -> list[str]:
    """What an actuator probe exposes (empty when it is not an actuator answer)."""
    if not answer.ok:
        return []
    data = _json(answer)
    if not isinstance(data, dict):
        return []
    links = data.get("_links")
    if isinstance(links, dict):
        exposed = sorted(SENSITIVE_ENDPOINTS & {str(k) for k in links})
        return [f"Spring Boot actuator exposes {', '.join(exposed)}"] if exposed else []
    if "propertySources" in data or "activeProfiles" in data:
        return ["Spring Boot actuator/env served"]
    return []


def detect(answer: Response) -> tuple[list[str], str]:
    """The debug signs in one response and masked evidence of the first."""
    names: list[str] = []
    evidence = ""
    text = answer.text[:_SCANNED]
    for name, pattern in DETECTORS:
        match = pattern.search(text)
        if match:
            names.append(name)
            evidence = evidence or around(text, match.start(), match.end())
    return names, evidence


class web_debug_mode(Check):
    """Fails for each response showing a debug sign not already reported on an earlier one."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per response with debug information, or one pass."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        names = ("", web.not_found, web.malformed, *ACTUATOR_PATHS, PHPINFO_PATH)
        answers = [a for a in (web.probe(n) for n in names) if a is not None and a.status]
        results = []
        reported: set[str] = set()  # one debug page served for every path is one finding
        for answer in answers:
            found, evidence = detect(answer)
            if answer.name in ACTUATOR_PATHS:
                actuator = actuator_findings(answer)
                found += actuator
                evidence = evidence or snippet(", ".join(actuator))
            found = [name for name in found if name not in reported]
            reported.update(found)
            if found:
                results.append(
                    self.result(
                        Status.FAIL,
                        answer.url,
                        f"debug information exposed: {', '.join(found)}",
                        expected="generic error pages; debug mode, actuators and phpinfo() off",
                        actual=f"HTTP {answer.status}: {evidence}",
                    )
                )
        if results or not answers:
            return results
        return [
            self.result(
                Status.PASS,
                web.url,
                "no debug page, stack trace, actuator or phpinfo() found",
                actual=f"{len(answers)} responses examined (page, 404, malformed query, "
                "actuator, phpinfo.php)",
            )
        ]

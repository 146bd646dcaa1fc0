"""Cookies the page sets without ``Secure``, ``HttpOnly`` or ``SameSite``."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import Cookie, WebFacts
from garrison.checks.web._common import snippet, unreachable

#: Names of cookies that carry a session or a login (CSRF tokens are read by scripts on purpose).
_SESSION = re.compile(r"sess|sid|token|auth|jwt|remember|login", re.IGNORECASE)
_SCRIPT_READ = re.compile(r"csrf|xsrf", re.IGNORECASE)


def session_like(name: str) -> bool:
    """The cookie looks like it carries a session or login (``JSESSIONID``, ``auth_token``)."""
    return bool(_SESSION.search(name)) and not _SCRIPT_READ.search(name)


def problems(cookie: Cookie, https: bool) -> list[str]:
    """What is missing on ``cookie`` (empty: fine)."""
    found = []
    session = session_like(cookie.name)
    if https and not cookie.secure:
        found.append("Secure missing")
    if session and not cookie.http_only:
        found.append("HttpOnly missing")
    same_site = (cookie.same_site or "").lower()
    if session and same_site not in ("lax", "strict", "none"):
        found.append("SameSite missing")
    if same_site == "none" and not cookie.secure:
        found.append("SameSite=None without Secure")
    return found


def _flags(cookie: Cookie) -> str:
    flags = [f for f, on in (("Secure", cookie.secure), ("HttpOnly", cookie.http_only)) if on]
    if cookie.same_site:
        flags.append(f"SameSite={snippet(cookie.same_site, 20)}")
    return "; ".join(flags) or "no flags"


class web_cookie_flags(Check):
    """One result per cookie set by the page (its value is never collected)."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """Judge each cookie's attributes."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        if not web.cookies:
            return [self.result(Status.NOT_APPLICABLE, web.url, "the page sets no cookie")]
        https = web.scheme == "https"
        expected = "Secure (on https); HttpOnly and SameSite for session cookies"
        results = []
        for cookie in web.cookies:
            name = snippet(cookie.name, 60)
            missing = problems(cookie, https)
            results.append(
                self.result(
                    Status.FAIL if missing else Status.PASS,
                    f"{web.url} cookie {name}",
                    f"cookie {name}: {', '.join(missing)}"
                    if missing
                    else f"cookie {name}: flags set",
                    expected=expected,
                    actual=_flags(cookie),
                )
            )
        return results

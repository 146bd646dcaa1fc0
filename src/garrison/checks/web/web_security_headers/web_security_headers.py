"""Browser security headers on the page, and software versions disclosed in headers."""

from __future__ import annotations

import re
from collections.abc import Callable

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import Response, WebFacts
from garrison.checks.web._common import snippet, unreachable

#: Mozilla's guidance: at least six months.
MIN_HSTS_AGE = 15_552_000
_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d{1,12})", re.IGNORECASE)
_FRAME_ANCESTORS = re.compile(r"(?:^|;)\s*frame-ancestors\s", re.IGNORECASE)
_VERSION = re.compile(r"\d+\.\d+|/\d")
#: Headers that only ever carry a version.
_VERSION_HEADERS = ("x-aspnet-version", "x-aspnetmvc-version")
_WEAK_REFERRER = {"unsafe-url", "no-referrer-when-downgrade"}

#: A header rule: its name, what is expected, and a judge returning (ok, actual).
Rule = tuple[str, str, Callable[[Response], tuple[bool, str]]]


def _hsts(page: Response) -> tuple[bool, str]:
    value = page.header("strict-transport-security")
    if value is None:
        return False, "missing"
    match = _MAX_AGE.search(value)
    age = int(match[1]) if match else 0
    return age >= MIN_HSTS_AGE, snippet(value)


def _csp(page: Response) -> tuple[bool, str]:
    value = page.header("content-security-policy")
    if value is None:
        reported = page.header("content-security-policy-report-only")
        return False, "only Content-Security-Policy-Report-Only" if reported else "missing"
    return True, snippet(value)


def _nosniff(page: Response) -> tuple[bool, str]:
    value = page.header("x-content-type-options")
    return (value or "").strip().lower() == "nosniff", snippet(value) if value else "missing"


def _framing(page: Response) -> tuple[bool, str]:
    xfo = (page.header("x-frame-options") or "").strip()
    csp = page.header("content-security-policy") or ""
    if xfo.upper() in ("DENY", "SAMEORIGIN"):
        return True, f"X-Frame-Options: {snippet(xfo)}"
    if _FRAME_ANCESTORS.search(csp):
        return True, "CSP frame-ancestors"
    return False, f"X-Frame-Options: {snippet(xfo)}" if xfo else "missing"


def _referrer(page: Response) -> tuple[bool, str]:
    value = page.header("referrer-policy")
    if value is None:
        return False, "missing"
    last = value.split(",")[-1].strip().lower()  # browsers apply the last one they know
    return last not in _WEAK_REFERRER, snippet(value)


RULES: tuple[Rule, ...] = (
    ("Content-Security-Policy", "a Content-Security-Policy header", _csp),
    ("X-Content-Type-Options", "X-Content-Type-Options: nosniff", _nosniff),
    ("X-Frame-Options", "X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors", _framing),
    ("Referrer-Policy", "Referrer-Policy (e.g. strict-origin-when-cross-origin)", _referrer),
)
HSTS: Rule = (
    "Strict-Transport-Security",
    f"Strict-Transport-Security with max-age >= {MIN_HSTS_AGE}",
    _hsts,
)


def disclosed(page: Response) -> list[str]:
    """Headers that give software versions away (``Server: nginx/1.18.0``)."""
    found = []
    for name in ("server", "x-powered-by"):
        for value in page.header_all(name):
            if _VERSION.search(value):
                found.append(f"{name.title()}: {snippet(value, 60)}")
    for name in _VERSION_HEADERS:
        found += [f"{name.title()}: {snippet(v, 60)}" for v in page.header_all(name)]
    return found


class web_security_headers(Check):
    """One result per security header (and one for version disclosure)."""

    needs = ("web",)

    def run(self, facts: Facts) -> list[Result]:
        """Judge the page's headers."""
        web: WebFacts = self.fact(facts, "web")
        page = web.page
        if web.error or page is None:
            return unreachable(self, web)
        if 300 <= page.status < 400:
            location = page.header("location") or "?"
            return [
                self.result(
                    Status.MANUAL,
                    web.url,
                    "the page redirects: scan the URL it redirects to for its headers",
                    actual=f"HTTP {page.status} to {snippet(location)}",
                )
            ]
        results = []
        rules = ((HSTS,) if web.scheme == "https" else ()) + RULES
        for header, expected, judge in rules:
            ok, actual = judge(page)
            message = f"{header} set" if ok else f"{header} missing or weak"
            status = Status.PASS if ok else Status.FAIL
            results.append(self.result(status, web.url, message, expected=expected, actual=actual))
        if web.scheme != "https":
            results.append(
                self.result(
                    Status.NOT_APPLICABLE,
                    web.url,
                    "Strict-Transport-Security applies to https only",
                )
            )
        versions = disclosed(page)
        results.append(
            self.result(
                Status.FAIL if versions else Status.PASS,
                web.url,
                "headers disclose software versions"
                if versions
                else "no software version in headers",
                expected="Server and X-Powered-By without versions (server_tokens off)",
                actual="; ".join(versions) or "none",
            )
        )
        return results

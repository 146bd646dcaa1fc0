"""TLS versions the server accepts: TLS 1.0/1.1 (RFC 8996) fail, and so does plain HTTP."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import WebFacts
from garrison.checks.collectors.web_tls import OLD_VERSIONS
from garrison.checks.web._common import snippet, unreachable

_EXPECTED = "TLS 1.2 and TLS 1.3 only"


def loopback(host: str) -> bool:
    """``localhost`` or a loopback address (plain HTTP never leaves the machine)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class web_tls_versions(Check):
    """Fails when TLS 1.0 or 1.1 is accepted, or when the site is served over plain HTTP."""

    needs = ("web",)

    def _plain(self, web: WebFacts) -> Result:
        if loopback(web.host):
            return self.result(Status.NOT_APPLICABLE, web.url, "plain HTTP on a loopback address")
        page = web.page
        location = (page.header("location") or "") if page else ""
        target = urlsplit(location)
        if page and 300 <= page.status < 400 and target.scheme == "https":
            return self.result(
                Status.MANUAL,
                web.url,
                "plain HTTP redirects to HTTPS: scan the https:// URL for its TLS versions",
                actual=f"HTTP {page.status} to {snippet(location)}",
            )
        return self.result(
            Status.FAIL,
            web.url,
            "served over plain HTTP (no TLS)",
            expected=_EXPECTED,
            actual="http://, no redirect to https://",
        )

    def run(self, facts: Facts) -> list[Result]:
        """One result for the endpoint."""
        web: WebFacts = self.fact(facts, "web")
        resource = f"{web.host}:{web.port}"
        if web.scheme != "https":
            return unreachable(self, web) or [self._plain(web)]
        tls = web.tls
        if tls is None or tls.error:
            reason = tls.error if tls else "TLS was not probed"
            return [
                self.result(
                    Status.ERROR,
                    resource,
                    "no TLS handshake succeeded",
                    actual=snippet(reason or ""),
                )
            ]
        accepted = ", ".join(tls.accepted)
        old = [v for v in OLD_VERSIONS if tls.versions.get(v)]
        untested = [v for v in tls.untested if v in OLD_VERSIONS]
        if old:
            return [
                self.result(
                    Status.FAIL,
                    resource,
                    "the server accepts TLS versions older than 1.2",
                    expected=_EXPECTED,
                    actual=f"accepted: {accepted}",
                )
            ]
        if len(untested) == len(OLD_VERSIONS):
            return [
                self.result(
                    Status.MANUAL,
                    resource,
                    "TLS 1.0/1.1 could not be tried: this machine's OpenSSL cannot offer them",
                    expected=_EXPECTED,
                    actual=f"accepted: {accepted}",
                )
            ]
        note = f" ({', '.join(untested)} not testable here)" if untested else ""
        return [
            self.result(
                Status.PASS,
                resource,
                "the server accepts only TLS 1.2 and later",
                expected=_EXPECTED,
                actual=f"accepted: {accepted}{note}",
            )
        ]

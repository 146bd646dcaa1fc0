"""Admin pages (Tomcat manager) that accept a well-known default login."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import DEFAULT_CREDENTIALS, CredentialProbe, WebFacts
from garrison.checks.web._common import snippet, unreachable


class web_default_credentials(Check):
    """Fails when an admin page asking for HTTP Basic accepts a default login."""

    needs = ("web",)

    def _one(self, probe: CredentialProbe) -> Result:
        realm = f"realm {snippet(probe.basic_realm, 60)!r}" if probe.basic_realm else "no realm"
        if probe.accepted_user is not None:
            return self.result(
                Status.FAIL,
                probe.url,
                "the admin page accepts a default login",
                expected="default accounts removed or their passwords changed",
                # The password is the user's secret even when it is a default one: never shown.
                actual=f"user {snippet(probe.accepted_user, 40)!r} with a default password "
                "from the shipped list",
            )
        if probe.basic_realm is None:
            return self.result(
                Status.NOT_APPLICABLE,
                probe.url,
                "no admin page asking for HTTP Basic authentication",
                actual=f"HTTP {probe.status}" if probe.status else "no answer",
            )
        if not probe.tried:
            return self.result(
                Status.MANUAL,
                probe.url,
                "admin login found; default logins were not tried",
                actual=f"HTTP 401, Basic {realm}",
            )
        return self.result(
            Status.PASS,
            probe.url,
            "no default login accepted",
            actual=f"{probe.attempts} of {len(DEFAULT_CREDENTIALS)} default logins refused "
            f"(Basic {realm})",
        )

    def run(self, facts: Facts) -> list[Result]:
        """One result per admin page."""
        web: WebFacts = self.fact(facts, "web")
        if web.error:
            return unreachable(self, web)
        return [self._one(probe) for probe in web.credentials]

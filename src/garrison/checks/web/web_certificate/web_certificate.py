"""The server certificate: validity dates (expired, expiring within 30 days) and trust."""

from __future__ import annotations

from datetime import datetime, timedelta

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import WebFacts
from garrison.checks.collectors.web_tls import Certificate, TlsFacts
from garrison.checks.web._common import snippet

#: Renew before this: ACME clients renew at 30 days left, and people need time too.
WARN_DAYS = 30
_SELF_SIGNED_CODES = {18, 19}  # self-signed leaf, self-signed root not trusted
_HOSTNAME_CODES = {62, 64}  # host name mismatch, IP address mismatch


class web_certificate(Check):
    """Two results: the certificate's dates, and whether it is trusted for the host name."""

    needs = ("web",)

    def _dates(self, resource: str, cert: Certificate, now: datetime) -> Result:
        left = cert.not_after - now
        when = f"{left.days} days left" if left.days >= 0 else f"expired {-left.days} days ago"
        actual = (
            f"notBefore {cert.not_before:%Y-%m-%d}, notAfter {cert.not_after:%Y-%m-%d} ({when})"
        )
        expected = f"valid now and for more than {WARN_DAYS} days"
        if cert.not_before > now:
            message, status = "the certificate is not yet valid", Status.FAIL
        elif cert.not_after <= now:
            message, status = "the certificate has expired", Status.FAIL
        elif left < timedelta(days=WARN_DAYS):
            message, status = f"the certificate expires within {WARN_DAYS} days", Status.FAIL
        else:
            message, status = (
                f"the certificate is valid for more than {WARN_DAYS} days",
                Status.PASS,
            )
        return self.result(status, resource, message, expected=expected, actual=actual)

    def _trust(self, resource: str, tls: TlsFacts, cert: Certificate) -> Result:
        expected = f"issued by a trusted CA for {tls.host}"
        if tls.verified is None:
            return self.result(
                Status.MANUAL,
                resource,
                "the certificate's trust could not be verified",
                expected=expected,
                actual=snippet(tls.verify_error or "no verifying handshake"),
            )
        if not tls.trust_problem:  # verified, or failed only on dates (reported above)
            return self.result(
                Status.PASS,
                resource,
                "the certificate is trusted and matches the host name",
                actual=f"issuer {snippet(cert.issuer, 80)}",
            )
        if tls.verify_code in _SELF_SIGNED_CODES or cert.self_signed:
            message = "the certificate is self-signed"
        elif tls.verify_code in _HOSTNAME_CODES:
            message = "the certificate does not match the host name"
        else:
            message = "the certificate is not trusted"
        names = ", ".join(cert.names[:5]) or "none"
        return self.result(
            Status.FAIL,
            resource,
            message,
            expected=expected,
            actual=snippet(f"{tls.verify_error}; issuer {cert.issuer}; names {names}"),
        )

    def run(self, facts: Facts) -> list[Result]:
        """The dates result and the trust result."""
        web: WebFacts = self.fact(facts, "web")
        resource = f"{web.host}:{web.port}"
        if web.scheme != "https":
            return [self.result(Status.NOT_APPLICABLE, web.url, "no TLS: plain HTTP")]
        tls = web.tls
        if tls is None or tls.certificate is None:
            reason = (tls.error if tls else None) or "no certificate received"
            return [
                self.result(
                    Status.ERROR,
                    resource,
                    "the certificate could not be read",
                    actual=snippet(reason),
                )
            ]
        now = facts.now or web.collected_at
        cert = tls.certificate
        return [self._dates(resource, cert, now), self._trust(resource, tls, cert)]

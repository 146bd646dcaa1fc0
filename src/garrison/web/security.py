"""Response headers that harden every page: CSP, framing, sniffing, referrers.

The console runs no inline script and loads nothing from other origins, so the policy can be
strict: scripts and styles only from Garrison itself. Chart data travels as JSON in a
``<script type="application/json">`` block, which the browser does not execute.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

#: Set on every response (API and console).
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: Swagger UI (the API docs page) sets inline styles from its scripts; it holds no user data.
DOCS_CSP = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

#: Pages that show secrets once (new tokens, TOTP enrolment) must not be cached.
NO_STORE = {"Cache-Control": "no-store"}


def headers_for(path: str, *, https: bool) -> dict[str, str]:
    """The security headers of a response to ``path``."""
    found = dict(HEADERS)
    if path.startswith("/api/v1/docs"):
        found["Content-Security-Policy"] = DOCS_CSP
    if https:
        found["Strict-Transport-Security"] = "max-age=31536000"
    if not path.startswith("/static/"):
        found.update(NO_STORE)
    return found

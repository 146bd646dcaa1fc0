"""QR codes for TOTP enrolment, as ``data:`` URIs (allowed by the CSP's ``img-src``)."""

from __future__ import annotations

import segno


def qr_data_uri(text: str) -> str:
    """An SVG QR code of ``text`` (medium error correction), as a ``data:`` URI."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2, dark="#0f172a"))

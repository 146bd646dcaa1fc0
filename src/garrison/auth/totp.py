"""TOTP second factor (RFC 6238, pyotp), with replay protection.

A code is accepted for the current 30-second step and one step either side (clock skew);
the step it was accepted for is remembered, so the same code cannot be used twice.
"""

from __future__ import annotations

from datetime import datetime

import pyotp

ISSUER = "Garrison"
_STEP = 30


def new_secret() -> str:
    """A random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, user: str) -> str:
    """The ``otpauth://`` URI an authenticator app enrols from (shown as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user, issuer_name=ISSUER)


def verify(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """Check a code; return the time step it matched, or ``None``.

    Args:
        secret: The user's base32 secret.
        code: What the user typed (spaces ignored).
        now: Current time.
        last_step: The step of the last accepted code (refused again: no replay).
    """
    code = code.replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // _STEP
    for candidate in (step - 1, step, step + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


def code_at(secret: str, now: datetime) -> str:
    """The code for ``now`` (tests, and showing enrolment worked)."""
    return pyotp.TOTP(secret).generate_otp(int(now.timestamp()) // _STEP)

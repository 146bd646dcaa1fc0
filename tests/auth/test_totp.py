from __future__ import annotations

from datetime import UTC, datetime, timedelta

from garrison.auth import totp

NOW = datetime(2026, 12, 2, 12, 0, 10, tzinfo=UTC)


def test_a_code_is_accepted_once_within_one_step_of_skew() -> None:
    secret = totp.new_secret()
    code = totp.code_at(secret, NOW)
    step = totp.verify(secret, code, NOW + timedelta(seconds=25), None)
    assert step is not None
    assert totp.verify(secret, code, NOW, step) is None  # replayed
    assert totp.verify(secret, code, NOW + timedelta(minutes=2), None) is None  # too old
    assert totp.verify(secret, "12345", NOW, None) is None
    assert totp.verify(secret, "abcdef", NOW, None) is None
    assert totp.verify(secret, code[:3] + " " + code[3:], NOW, None) == step


def test_the_enrolment_uri_names_issuer_and_user() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "zhang.wei")
    assert uri.startswith("otpauth://totp/Garrison:zhang.wei?")
    assert "issuer=Garrison" in uri

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.auth.passwords import (
    PasswordPolicy,
    hash_password,
    reused,
    verify_password,
)

POLICY = PasswordPolicy()


def test_the_default_policy_of_the_organisation() -> None:
    assert POLICY.problems("Tr0ub4dor&3-horse") == []
    assert POLICY.problems("Short1!") == ["at least 12 characters"]
    (problem,) = POLICY.problems("alllowercase-but-long1")
    assert "missing: upper" in problem
    assert "not a well-known weak password" in POLICY.problems("Admin@123")
    assert "not containing the user name" in POLICY.problems("Zhangwei@2026!", "zhangwei")


@given(st.text(min_size=0, max_size=30))
def test_an_accepted_password_always_has_length_and_all_four_classes(password: str) -> None:
    if not POLICY.problems(password):
        assert len(password) >= 12
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)
        assert any(c.isdigit() for c in password)


def test_expiry_after_90_days() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert not POLICY.expired(start, start + timedelta(days=89))
    assert POLICY.expired(start, start + timedelta(days=90))


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=8, max_size=40))
def test_hashes_verify_only_their_password(password: str) -> None:
    stored = hash_password(password)
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert verify_password(stored, password)
    assert not verify_password(stored, password + "x")
    assert reused(password, ["not a hash", stored]) and not reused(password + "x", [stored])

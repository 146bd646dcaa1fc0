"""Password policy and hashing.

The defaults are the organisation's own policy (000 §3.1): at least 12 characters with upper
and lower case letters, digits and symbols; changed at least every 90 days; none of the last 5
reused; never a well-known weak password. Hashes are argon2id (argon2-cffi), so a stolen
database does not give the passwords away.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: Passwords that satisfy naive composition rules yet are in every cracking list; compared
#: case-insensitively, also with the user name removed (``alice@123`` for alice).
WEAK_PASSWORDS = frozenset(
    {
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "password@123",
        "password123!",
        "p@ssw0rd",
        "p@ssw0rd123",
        "p@ssw0rd!",
        "admin",
        "admin123",
        "admin@123",
        "admin@1234",
        "admin@12345",
        "admin123!@#",
        "administrator",
        "root",
        "root@123",
        "qwerty",
        "qwerty123",
        "qwe123!@#",
        "1qaz2wsx",
        "1qaz@wsx",
        "1qaz@wsx3edc",
        "1qaz!qaz",
        "zaq12wsx",
        "abc123",
        "abc@123",
        "abcd1234",
        "abcd@1234",
        "welcome1",
        "welcome@123",
        "changeme",
        "letmein",
        "iloveyou",
        "huawei@123",
        "huawei12#$",
        "test@123",
        "test123456",
        "a123456",
        "aa123456",
        "woaini1314",
        "5201314",
        "88888888",
        "11111111",
        "00000000",
    }
)

_hasher = PasswordHasher()


@dataclass(frozen=True)
class PasswordPolicy:
    """What a password must satisfy.

    Attributes:
        min_length: Minimum length in characters.
        require_classes: How many of upper, lower, digit and symbol must occur.
        max_age: A password older than this must be changed at the next login.
        history: How many previous passwords may not be reused.
    """

    min_length: int = 12
    require_classes: int = 4
    max_age: timedelta = timedelta(days=90)
    history: int = 5

    def problems(self, password: str, user: str = "") -> list[str]:
        """Everything wrong with ``password`` (empty when it is acceptable)."""
        found: list[str] = []
        if len(password) < self.min_length:
            found.append(f"at least {self.min_length} characters")
        classes = {
            "upper": any(c.isupper() for c in password),
            "lower": any(c.islower() for c in password),
            "digit": any(c.isdigit() for c in password),
            "symbol": any(c in string.punctuation or c == " " for c in password),
        }
        if sum(classes.values()) < self.require_classes:
            missing = ", ".join(name for name, present in classes.items() if not present)
            found.append(
                f"{self.require_classes} of upper, lower, digit, symbol (missing: {missing})"
            )
        lowered = password.lower()
        if lowered in WEAK_PASSWORDS or (
            user and lowered.replace(user.lower(), "admin") in WEAK_PASSWORDS
        ):
            found.append("not a well-known weak password")
        if user and user.lower() in lowered:
            found.append("not containing the user name")
        return found

    def expired(self, changed_at: datetime, now: datetime) -> bool:
        """Return whether a password set at ``changed_at`` must be changed at ``now``."""
        return now - changed_at >= self.max_age


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; safe to store)."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Return whether ``password`` matches the stored hash (never raises on bad input)."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def reused(password: str, previous: Iterable[str]) -> bool:
    """Return whether ``password`` matches any of the previous hashes."""
    return any(verify_password(old, password) for old in previous)

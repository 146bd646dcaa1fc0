"""Browser sessions: random ids (stored hashed), idle and absolute timeouts, CSRF tokens.

A session id is 256 random bits in an HttpOnly cookie; the database keeps its SHA-256 only, so
a database leak does not hand out live sessions. Sessions end after ``idle`` without use or
``lifetime`` after login, whichever comes first, and when the account is disabled or locked.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.auth.principal import ROLE_SCOPES, Principal
from garrison.core.clock import Clock
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros
from garrison.storage.sql.sources import hash_token

_US = timedelta(microseconds=1)
_TOUCH_EVERY = timedelta(minutes=1)
PENDING_LIFETIME = timedelta(minutes=5)
FULL = "full"
PENDING = "mfa"


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in browser.

    Attributes:
        principal: The user and the scopes of their role.
        csrf: The token unsafe requests must echo (``X-CSRF-Token`` or a form field).
        language: The user's UI language.
        timezone: The user's time zone (``None``: the server's setting).
    """

    principal: Principal
    csrf: str
    language: str
    timezone: str | None = None


class SessionStore:
    """Opens, checks and closes sessions."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        idle: timedelta = timedelta(minutes=30),
        lifetime: timedelta = timedelta(hours=12),
    ) -> None:
        """Use ``engine`` and ``clock`` with the given timeouts."""
        self.engine = engine
        self.clock = clock
        self.idle = idle
        self.lifetime = lifetime

    def open(self, user_name: str, *, pending: bool = False) -> tuple[str, str]:
        """Open a session for a user who just logged in; return ``(session id, csrf)``.

        A ``pending`` session only proves that the password was right: it grants nothing,
        lives five minutes, and is exchanged for a full one by the MFA step.
        """
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock.now()
        lifetime = PENDING_LIFETIME if pending else self.lifetime
        with self.engine.begin() as conn:
            conn.execute(
                t.sessions.insert(),
                {
                    "id_hash": hash_token(session_id),
                    "user_name": user_name,
                    "csrf": csrf,
                    "created_at": to_micros(now),
                    "last_seen": to_micros(now),
                    "expires_at": to_micros(now + lifetime),
                    "stage": PENDING if pending else FULL,
                },
            )
        return session_id, csrf

    def check(self, session_id: str) -> Session | None:
        """The live session of ``session_id``, or ``None`` (expired, idle, closed, disabled)."""
        if not session_id or len(session_id) > 128:
            return None
        digest = hash_token(session_id)
        now = to_micros(self.clock.now())
        query = (
            sa.select(
                t.sessions,
                t.users.c.role,
                t.users.c.disabled,
                t.users.c.locked_until,
                t.users.c.language,
                t.users.c.timezone,
            )
            .join(t.users, t.users.c.name == t.sessions.c.user_name)
            .where(t.sessions.c.id_hash == digest)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if (
            row is None
            or row.stage != FULL
            or not hmac.compare_digest(row.id_hash, digest)
            or now >= row.expires_at
            or now - row.last_seen >= self.idle // _US
            or row.disabled
            or (row.locked_until is not None and now < row.locked_until)
        ):
            return None
        if now - row.last_seen >= _TOUCH_EVERY // _US:
            with self.engine.begin() as conn:
                conn.execute(
                    t.sessions.update().where(t.sessions.c.id_hash == digest).values(last_seen=now)
                )
        principal = Principal("user", row.user_name, ROLE_SCOPES.get(row.role, frozenset()))
        return Session(principal, row.csrf, row.language, row.timezone)

    def pending(self, session_id: str) -> tuple[str, str] | None:
        """The ``(user name, csrf)`` of a live pending (password-checked) session, or ``None``."""
        if not session_id or len(session_id) > 128:
            return None
        digest = hash_token(session_id)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.sessions).where(
                    t.sessions.c.id_hash == digest, t.sessions.c.stage == PENDING
                )
            ).first()
        if row is None or to_micros(self.clock.now()) >= row.expires_at:
            return None
        return row.user_name, row.csrf

    def close(self, session_id: str) -> None:
        """Log out: the session ends at once."""
        with self.engine.begin() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.id_hash == hash_token(session_id)))

    def close_all(self, user_name: str) -> None:
        """End every session of a user (password change, disable, MFA reset)."""
        with self.engine.begin() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.user_name == user_name))

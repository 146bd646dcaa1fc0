"""API tokens for machines (ingest agents, Kestra, scripts): scoped, expiring, revocable.

A token is 256 random bits, shown once; only its SHA-256 is stored (enough for secrets of that
strength). Creating and revoking tokens is audited; the token itself never is.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.auth.principal import SCOPES, Principal
from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros
from garrison.storage.sql.sources import hash_token

TOKEN_PREFIX = "gat_"  # noqa: S105 - a public prefix, not a secret
_TOUCH_EVERY_US = 60_000_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def _iso(value: int | None) -> str | None:
    return from_micros(value).isoformat().replace("+00:00", "Z") if value is not None else None


class TokenStore:
    """Creates, lists, revokes and authenticates API tokens."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    def create(
        self,
        name: str,
        scopes: Sequence[str],
        *,
        actor: str,
        expires_in: timedelta | None = timedelta(days=90),
    ) -> str:
        """Create a token and return it (the only time it is shown).

        Raises:
            InputError: On an invalid or taken name, an unknown scope, or a bad expiry.
        """
        if not _NAME.match(name):
            raise InputError(f"invalid token name {name!r}", hint="letters, digits, . _ -")
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown or not scopes:
            raise InputError(
                f"unknown scope {unknown[0]!r}" if unknown else "a token needs a scope",
                hint=f"scopes: {', '.join(SCOPES)}",
            )
        if expires_in is not None and expires_in <= timedelta(0):
            raise InputError("the expiry must be in the future")
        now = self.clock.now()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        ordered = sorted(set(scopes), key=SCOPES.index)
        with self.engine.begin() as conn:
            taken = conn.execute(sa.select(t.api_tokens.c.id).where(t.api_tokens.c.name == name))
            if taken.first() is not None:
                raise InputError(f"token {name!r} exists", hint="revoke it or pick another name")
            conn.execute(
                t.api_tokens.insert().values(
                    name=name,
                    token_hash=hash_token(token),
                    scopes=orjson.dumps(ordered).decode(),
                    created_by=actor[:256],
                    created_at=to_micros(now),
                    expires_at=to_micros(now + expires_in) if expires_in is not None else None,
                )
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="token.create",
                target=f"token:{name}",
                details={
                    "scopes": ordered,
                    "expires_in_days": expires_in.days if expires_in is not None else None,
                },
            )
        return token

    def list(self) -> list[dict[str, Any]]:
        """Every token (never the secret), newest first."""
        now = to_micros(self.clock.now())
        table = t.api_tokens
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table).order_by(table.c.id.desc())).all()
        return [
            {
                "name": r.name,
                "scopes": orjson.loads(r.scopes),
                "created_by": r.created_by,
                "created_at": _iso(r.created_at),
                "expires_at": _iso(r.expires_at),
                "revoked_at": _iso(r.revoked_at),
                "last_used_at": _iso(r.last_used_at),
                "active": r.revoked_at is None and (r.expires_at is None or now < r.expires_at),
            }
            for r in rows
        ]

    def revoke(self, name: str, *, actor: str) -> None:
        """Revoke a token at once.

        Raises:
            InputError: If there is no such active token.
        """
        table = t.api_tokens
        with self.engine.begin() as conn:
            done = conn.execute(
                table.update()
                .where(table.c.name == name, table.c.revoked_at.is_(None))
                .values(revoked_at=to_micros(self.clock.now()))
            ).rowcount
            if not done:
                raise NotFoundError(f"no active token {name!r}", hint="see 'garrison tokens list'")
            audit.append(
                conn, self.clock, actor=actor, action="token.revoke", target=f"token:{name}"
            )

    def authenticate(self, token: str) -> Principal | None:
        """The principal of a valid (known, not revoked, not expired) token, or ``None``."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = hash_token(token)
        table = t.api_tokens
        now = to_micros(self.clock.now())
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c.token_hash == digest)).first()
        if (
            row is None
            or not hmac.compare_digest(row.token_hash, digest)
            or row.revoked_at is not None
            or (row.expires_at is not None and now >= row.expires_at)
        ):
            return None
        if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY_US:
            # At most one write a minute per token: a busy agent must not serialise on it.
            with self.engine.begin() as conn:
                conn.execute(table.update().where(table.c.id == row.id).values(last_used_at=now))
        return Principal("token", row.name, frozenset(orjson.loads(row.scopes)))

"""HTTP ingest sources and their tokens.

Tokens are random (256 bits) and shown once; only their SHA-256 is stored, which is enough
for secrets of that strength (a slow password hash protects guessable secrets, not these).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.core.clock import Clock
from garrison.core.errors import InputError
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros

TOKEN_PREFIX = "gst_"  # noqa: S105 - a public prefix, not a secret
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True, slots=True)
class Source:
    """A named pusher of events (an agent, a script, Kestra)."""

    name: str
    created_at: str
    disabled: bool
    default_format: str | None
    host_name: str | None


def hash_token(token: str) -> str:
    """SHA-256 hex of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SourceRegistry:
    """Creates, lists, revokes and authenticates HTTP ingest sources."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def add(
        self, name: str, *, default_format: str | None = None, host_name: str | None = None
    ) -> str:
        """Create a source and return its token (the only time it is shown).

        Raises:
            InputError: If the name is invalid or taken.
        """
        if not _NAME.match(name):
            raise InputError(
                f"invalid source name {name!r}",
                hint="use letters, digits, '.', '_' or '-' (at most 128 characters)",
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            exists = conn.execute(
                sa.select(t.ingest_sources.c.name).where(t.ingest_sources.c.name == name)
            ).first()
            if exists:
                raise InputError(f"source {name!r} already exists", hint="revoke it first")
            conn.execute(
                t.ingest_sources.insert().values(
                    name=name,
                    token_hash=hash_token(token),
                    created_at=to_micros(self.clock.now()),
                    disabled=False,
                    default_format=default_format,
                    host_name=host_name,
                )
            )
        return token

    def list(self) -> list[Source]:
        """Every source, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.ingest_sources).order_by(t.ingest_sources.c.name))
            return [
                Source(
                    name=r.name,
                    created_at=from_micros(r.created_at).isoformat(),
                    disabled=bool(r.disabled),
                    default_format=r.default_format,
                    host_name=r.host_name,
                )
                for r in rows
            ]

    def revoke(self, name: str) -> None:
        """Disable a source's token.

        Raises:
            InputError: If there is no such source.
        """
        with self.engine.begin() as conn:
            result = conn.execute(
                t.ingest_sources.update()
                .where(t.ingest_sources.c.name == name)
                .values(disabled=True)
            )
        if result.rowcount == 0:
            raise InputError(f"no source named {name!r}")

    def authenticate(self, token: str) -> Source | None:
        """Return the enabled source that owns ``token``, or ``None``."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = hash_token(token)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.ingest_sources).where(t.ingest_sources.c.token_hash == digest)
            ).first()
        if row is None or row.disabled or not hmac.compare_digest(row.token_hash, digest):
            return None
        return Source(
            name=row.name,
            created_at=from_micros(row.created_at).isoformat(),
            disabled=False,
            default_format=row.default_format,
            host_name=row.host_name,
        )

"""Addresses blocked by response actions, with their expiry (the ``BlockLedger`` port)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.core.clock import Clock
from garrison.respond.actions.base import ActiveBlock
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros


def _block(row: Any) -> ActiveBlock:
    return ActiveBlock(
        address=row.address,
        backend=row.backend,
        expires_at=from_micros(row.expires_at) if row.expires_at is not None else None,
        reason=row.reason,
        run_id=int(row.run_id) if row.run_id is not None else None,
        created_at=from_micros(row.created_at),
    )


class BlockStore:
    """Blocked addresses in the ``response_blocks`` table."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def active(self, address: str) -> ActiveBlock | None:
        """The block of ``address``, if any."""
        table = t.response_blocks
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c.address == address)).first()
        return _block(row) if row is not None else None

    def record(self, block: ActiveBlock) -> None:
        """Remember a block, replacing an older record of the same address."""
        table = t.response_blocks
        values = {
            "backend": block.backend,
            "expires_at": to_micros(block.expires_at) if block.expires_at else None,
            "reason": block.reason[:2000],
            "run_id": block.run_id,
            "created_at": to_micros(block.created_at or self.clock.now()),
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                table.update().where(table.c.address == block.address).values(**values)
            ).rowcount
            if not done:
                conn.execute(table.insert().values(address=block.address, **values))

    def release(self, address: str) -> None:
        """Forget the block of ``address``."""
        table = t.response_blocks
        with self.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.address == address))

    def due(self, now: datetime) -> list[ActiveBlock]:
        """Blocks whose expiry has passed, oldest expiry first."""
        table = t.response_blocks
        query = (
            sa.select(table)
            .where(table.c.expires_at.is_not(None))
            .where(table.c.expires_at <= to_micros(now))
            .order_by(table.c.expires_at)
        )
        with self.engine.connect() as conn:
            return [_block(r) for r in conn.execute(query)]

    def list(self) -> list[ActiveBlock]:
        """Every live block, soonest expiry first."""
        table = t.response_blocks
        with self.engine.connect() as conn:
            return [_block(r) for r in conn.execute(sa.select(table).order_by(table.c.expires_at))]

"""The asset list in the database (replaced as a whole by an import, audited)."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.incidents.assets import Asset
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros


def load_assets(conn: Connection) -> list[Asset]:
    """Every asset, by name."""
    rows = conn.execute(sa.select(t.assets).order_by(t.assets.c.name))
    return [
        Asset(
            name=r.name,
            importance=r.importance,
            owner=r.owner,
            addresses=tuple(orjson.loads(r.addresses)),
            kind=r.kind,
            description=r.description,
        )
        for r in rows
    ]


class AssetStore:
    """Reads and imports the asset list."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    def list(self) -> list[Asset]:
        """Every asset, by name."""
        with self.engine.connect() as conn:
            return load_assets(conn)

    def upsert(self, assets: Sequence[Asset], *, actor: str, replace: bool = False) -> int:
        """Add or update assets by name (``replace``: the list becomes exactly these); audited.

        Returns:
            How many assets were written.
        """
        now = to_micros(self.clock.now())
        with self.engine.begin() as conn:
            if replace:
                conn.execute(t.assets.delete())
            for asset in assets:
                values = {
                    "kind": asset.kind,
                    "importance": asset.importance,
                    "owner": asset.owner,
                    "addresses": orjson.dumps(list(asset.addresses)).decode(),
                    "description": asset.description,
                    "updated_at": now,
                }
                changed = conn.execute(
                    t.assets.update().where(t.assets.c.name == asset.name).values(**values)
                ).rowcount
                if not changed:
                    conn.execute(t.assets.insert().values(name=asset.name, **values))
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="asset.import",
                target="assets",
                details={"count": len(assets), "replace": replace},
            )
        return len(assets)

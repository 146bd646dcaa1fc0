"""The event store on SQL: hash-chained batch appends, dedupe by id, checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock, SystemClock
from garrison.events.model import Event
from garrison.ingest.sink import AppendResult, Checkpoint
from garrison.storage.sql import tables as t
from garrison.storage.sql.bulk import insert_new
from garrison.storage.sql.codec import GENESIS, chain_hash, digest_rows, event_to_row, to_micros


class SqlEventStore:
    """Stores events in hash-chained batches (see ``docs/storage.md``).

    Appends are serialised by locking the single ``chain_head`` row (PostgreSQL) or by
    SQLite's immediate write transaction, so each batch links to exactly one predecessor.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()
        self._postgres = engine.dialect.name == "postgresql"
        #: A separate server does the storing work: worth overlapping with parsing.
        self.server_side = self._postgres

    # -- writing -----------------------------------------------------------------------
    def append(
        self,
        events: Sequence[Event],
        *,
        source: str,
        checkpoint: Checkpoint | None = None,
    ) -> AppendResult:
        """Store new events as one chained batch and the checkpoint, atomically.

        Events whose id is already stored (or repeated within ``events``) are skipped, so
        re-ingesting the same bytes stores nothing twice.
        """
        with self.engine.begin() as conn:
            head_seq, head_hash = self._lock_head(conn)
            candidate = head_seq + 1
            by_id: dict[str, dict[str, Any]] = {}
            for event in events:
                if event.id not in by_id:
                    by_id[event.id] = event_to_row(event, candidate)
            inserted = insert_new(conn, list(by_id.values()))
            seq: int | None = None
            if inserted:
                seq = candidate
                rows = [by_id[i] for i in inserted]
                digest = digest_rows(rows)
                link = chain_hash(head_hash, seq, len(rows), digest)
                stamps = [r["ts"] for r in rows]
                conn.execute(
                    t.batches.insert(),
                    {
                        "seq": seq,
                        "created_at": to_micros(self.clock.now()),
                        "source": source[:1024],
                        "event_count": len(rows),
                        "min_ts": min(stamps),
                        "max_ts": max(stamps),
                        "digest": digest,
                        "prev_hash": head_hash,
                        "hash": link,
                    },
                )
                conn.execute(
                    t.chain_head.update().where(t.chain_head.c.id == 1).values(seq=seq, hash=link)
                )
            if checkpoint is not None:
                self._save_checkpoint(conn, checkpoint)
        return AppendResult(stored=len(inserted), duplicates=len(events) - len(inserted), seq=seq)

    def _lock_head(self, conn: Connection) -> tuple[int, str]:
        query = sa.select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)
        if self._postgres:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            if self._postgres:
                # Two first writers may race to create the head: the loser retries the lock.
                conn.execute(
                    postgresql.insert(t.chain_head)
                    .values(id=1, seq=0, hash=GENESIS)
                    .on_conflict_do_nothing()
                )
                row = conn.execute(query).one()
            else:
                conn.execute(t.chain_head.insert().values(id=1, seq=0, hash=GENESIS))
                return 0, GENESIS
        return int(row.seq), str(row.hash)

    def _save_checkpoint(self, conn: Connection, cp: Checkpoint) -> None:
        values: dict[str, Any] = {
            "stream": cp.stream,
            "device": cp.device,
            "inode": cp.inode,
            "offset": cp.offset,
            "updated_at": to_micros(self.clock.now()),
        }
        updated = conn.execute(
            t.checkpoints.update().where(t.checkpoints.c.key == cp.key).values(**values)
        )
        if updated.rowcount == 0:
            conn.execute(t.checkpoints.insert().values(key=cp.key, **values))

    # -- checkpoints ---------------------------------------------------------------------
    def load_checkpoint(self, key: str) -> Checkpoint | None:
        """Return the stored checkpoint of a followed path, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.checkpoints).where(t.checkpoints.c.key == key)).first()
        if row is None:
            return None
        return Checkpoint(
            key=row.key, stream=row.stream, device=row.device, inode=row.inode, offset=row.offset
        )

    # -- reading -------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.engine.connect() as conn:
            conn.execute(sa.select(1))

    def count(self) -> int:
        """Number of events in the hot store."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one())

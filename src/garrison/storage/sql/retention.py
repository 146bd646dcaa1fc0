"""Retention: archive whole batches older than the retention window, then delete their events.

Retention works on whole batches so that the hash chain stays verifiable: a batch is archived
when its newest event is older than the cut-off. The batch row stays in the chain, pointing at
its archive file; ``verify`` then checks the file's SHA-256 instead of the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.core.clock import Clock
from garrison.core.errors import InputError
from garrison.events.model import Event
from garrison.storage.archive import read_manifest, read_rows, write_archive
from garrison.storage.sql import tables as t
from garrison.storage.sql.bulk import COLUMNS, insert_new
from garrison.storage.sql.codec import from_micros, plain, row_to_event, to_micros
from garrison.storage.sql.events import SqlEventStore

_BATCH_COLUMNS = ("seq", "event_count", "digest", "prev_hash", "hash", "min_ts", "max_ts")


@dataclass(slots=True)
class RetentionReport:
    """Outcome of one retention run."""

    cutoff: datetime
    archives: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    batches: int = 0
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "batches": self.batches,
            "events": self.events,
            "archives": self.archives,
        }


def _day(micros: int) -> str:
    return from_micros(micros).strftime("%Y-%m-%d")


def run_retention(
    engine: Engine,
    archive_root: Path,
    clock: Clock,
    days: int,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RetentionReport:
    """Archive and delete every batch whose newest event is older than ``days``.

    Batches are grouped into one archive file per UTC day of their newest event.
    """
    cutoff = clock.now() - timedelta(days=days)
    report = RetentionReport(cutoff=cutoff, dry_run=dry_run)
    with engine.connect() as conn:
        eligible = [
            plain(r)
            for r in conn.execute(
                sa.select(*(t.batches.c[c] for c in _BATCH_COLUMNS))
                .where(t.batches.c.archive.is_(None), t.batches.c.max_ts < to_micros(cutoff))
                .order_by(t.batches.c.seq)
            )
        ]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for batch in eligible:
        groups[_day(batch["max_ts"])].append(batch)
    for done, (day, batches) in enumerate(sorted(groups.items()), start=1):
        seqs = [b["seq"] for b in batches]
        count = sum(b["event_count"] for b in batches)
        name = f"{day[:4]}/{day[5:7]}/events-{day}-{seqs[0]}-{seqs[-1]}.ndjson.gz"
        entry = {"file": name, "day": day, "batches": len(seqs), "events": count}
        if not dry_run:
            summary = write_archive(archive_root / name, batches, _rows(engine, seqs))
            entry["sha256"] = summary.sha256
            with engine.begin() as conn:
                conn.execute(
                    t.archives.insert().values(
                        path=name,
                        sha256=summary.sha256,
                        created_at=to_micros(clock.now()),
                        event_count=summary.events,
                        batch_count=len(seqs),
                        min_ts=min(b["min_ts"] for b in batches),
                        max_ts=max(b["max_ts"] for b in batches),
                    )
                )
                conn.execute(
                    t.batches.update().where(t.batches.c.seq.in_(seqs)).values(archive=name)
                )
                conn.execute(t.events.delete().where(t.events.c.batch_seq.in_(seqs)))
        report.archives.append(entry)
        report.batches += len(seqs)
        report.events += count
        if progress is not None:
            progress(done, len(groups))
    return report


def _rows(engine: Engine, seqs: list[int]) -> Iterator[dict[str, Any]]:
    # One short read per batch: no connection stays open while the caller writes the file.
    for seq in seqs:
        query = sa.select(t.events).where(t.events.c.batch_seq == seq).order_by(t.events.c.id)
        with engine.connect() as conn:
            rows = [plain(row) for row in conn.execute(query)]
        yield from rows


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """Outcome of restoring one archive."""

    path: str
    events: int
    restored: int
    in_place: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "path": self.path,
            "events": self.events,
            "restored": self.restored,
            "in_place": self.in_place,
        }


def restore_archive(store: SqlEventStore, path: Path, archive_root: Path) -> RestoreReport:
    """Re-import an archive after checking it against its manifest.

    When the archive's batches are still in this database's chain (marked archived), the
    events return to their original batches and the batches become online again, so the chain
    verifies as before. An archive from another database is imported as new batches appended
    to this database's chain, keeping every event's id, time and fields.

    Raises:
        InputError: If the archive is not a Garrison archive, or some of its batches are
            online here (already restored).
        IntegrityError: If the archive does not match its manifest.
    """
    engine = store.engine
    manifest = read_manifest(path)
    seqs = [int(b["seq"]) for b in manifest["batches"]]
    hashes = {int(b["seq"]): b["hash"] for b in manifest["batches"]}
    with engine.connect() as conn:
        known = {
            int(r.seq): r
            for r in conn.execute(
                sa.select(t.batches.c.seq, t.batches.c.archive, t.batches.c.hash).where(
                    t.batches.c.seq.in_(seqs)
                )
            )
        }
    in_place = bool(known) and all(
        s in known and known[s].archive is not None and known[s].hash == hashes[s] for s in seqs
    )
    if known and not in_place and any(r.hash == hashes[s] for s, r in known.items()):
        raise InputError(
            f"{path}: some batches of this archive are already online in this database",
            hint="it was restored before; run 'garrison verify' to check the chain",
        )
    total = restored = 0
    if in_place:
        with engine.begin() as conn:
            chunk: list[dict[str, Any]] = []
            for row in read_rows(path):
                total += 1
                chunk.append({name: row.get(name) for name in COLUMNS})
                if len(chunk) >= 5000:
                    restored += len(insert_new(conn, chunk))
                    chunk = []
            restored += len(insert_new(conn, chunk))
            conn.execute(t.batches.update().where(t.batches.c.seq.in_(seqs)).values(archive=None))
    else:
        events: list[Event] = []
        for row in read_rows(path):
            total += 1
            events.append(row_to_event(row))
            if len(events) >= 5000:
                restored += store.append(events, source=f"archive:{path.name}").stored
                events = []
        if events:
            restored += store.append(events, source=f"archive:{path.name}").stored
    try:
        rel = str(path.resolve().relative_to(archive_root.resolve()))
    except ValueError:
        rel = str(path)
    return RestoreReport(path=rel, events=total, restored=restored, in_place=in_place)

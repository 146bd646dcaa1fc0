"""Verification of the batch hash chain (``garrison verify``).

Every stored batch links to its predecessor by hash (``codec.chain_hash``). Verification walks
the chain in order and reports:

* a batch whose events changed, were deleted or were added (digest or count mismatch);
* a batch row that was altered (its recomputed link hash differs);
* a missing batch (a gap in sequence numbers) or a removed tail (chain head mismatch);
* events that belong to no batch (written around the chain);
* an archived batch whose archive file is missing or altered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import GENESIS, chain_hash, digest_rows, plain

_HASHED = (t.events.c.id, t.events.c.ts, t.events.c.dataset, t.events.c.fields, t.events.c.original)


@dataclass(frozen=True, slots=True)
class Problem:
    """One integrity finding.

    Attributes:
        kind: ``altered``, ``missing``, ``orphan``, ``archive``, ``head``.
        seq: The batch concerned, if any.
        detail: Human explanation.
    """

    kind: str
    seq: int | None
    detail: str


@dataclass(slots=True)
class VerifyReport:
    """Outcome of a verification run."""

    batches: int = 0
    events: int = 0
    archived_batches: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "ok": self.ok,
            "batches": self.batches,
            "events": self.events,
            "archived_batches": self.archived_batches,
            "problems": [{"kind": p.kind, "seq": p.seq, "detail": p.detail} for p in self.problems],
        }


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _batches(conn: Connection) -> Iterator[Any]:
    yield from conn.execute(sa.select(t.batches).order_by(t.batches.c.seq)).yield_per(1000)


def verify(
    engine: Engine,
    archive_root: Path,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    """Walk the whole chain and return every problem found.

    Args:
        engine: The database.
        archive_root: Folder that relative archive paths are resolved against.
        progress: Called with (batches done, batches total).
    """
    report = VerifyReport()
    archive_hashes: dict[str, str | None] = {}
    with engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(t.batches)).scalar_one())
        known = {str(r.path): str(r.sha256) for r in conn.execute(sa.select(t.archives))}
        prev_hash, expected_seq = GENESIS, 1
        for batch in _batches(conn):
            report.batches += 1
            if batch.seq != expected_seq:
                report.problems.append(
                    Problem(
                        "missing",
                        expected_seq,
                        f"batches {expected_seq}..{batch.seq - 1} are missing",
                    )
                )
            if batch.prev_hash != prev_hash:
                report.problems.append(
                    Problem("altered", batch.seq, "link to the previous batch is broken")
                )
            link = chain_hash(batch.prev_hash, batch.seq, batch.event_count, batch.digest)
            if link != batch.hash:
                report.problems.append(Problem("altered", batch.seq, "batch record was modified"))
            if batch.archive:
                report.archived_batches += 1
                _check_archive(batch, known, archive_root, archive_hashes, report)
            else:
                rows = [
                    plain(r)
                    for r in conn.execute(
                        sa.select(*_HASHED).where(t.events.c.batch_seq == batch.seq)
                    )
                ]
                report.events += len(rows)
                if len(rows) != batch.event_count:
                    report.problems.append(
                        Problem(
                            "altered",
                            batch.seq,
                            f"batch holds {len(rows)} events, {batch.event_count} were stored",
                        )
                    )
                elif digest_rows(rows) != batch.digest:
                    report.problems.append(
                        Problem("altered", batch.seq, "stored events were modified")
                    )
            prev_hash, expected_seq = batch.hash, batch.seq + 1
            if progress is not None:
                progress(report.batches, total)
        head = conn.execute(sa.select(t.chain_head).where(t.chain_head.c.id == 1)).first()
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
            report.problems.append(
                Problem(
                    "missing",
                    head.seq,
                    f"chain head is batch {head.seq}; the last stored is {expected_seq - 1}",
                )
            )
        orphans = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.events)
            .where(~sa.exists().where(t.batches.c.seq == t.events.c.batch_seq))
        ).scalar_one()
        if orphans:
            report.problems.append(Problem("orphan", None, f"{orphans} events belong to no batch"))
    return report


def _check_archive(
    batch: Any,
    known: dict[str, str],
    root: Path,
    seen: dict[str, str | None],
    report: VerifyReport,
) -> None:
    name = str(batch.archive)
    if name not in known:
        report.problems.append(Problem("archive", batch.seq, f"archive {name} is not registered"))
        return
    if name not in seen:
        path = root / name
        seen[name] = file_sha256(path) if path.is_file() else None
    actual = seen[name]
    if actual is None:
        report.problems.append(Problem("archive", batch.seq, f"archive file {name} is missing"))
    elif actual != known[name]:
        report.problems.append(Problem("archive", batch.seq, f"archive file {name} was modified"))

"""Evidence of incidents: sealed files, events and notes, with a chain-of-custody log.

Files are sealed by :class:`garrison.evidence.EvidenceStore` (AES-256-GCM or SM4-GCM); the
database keeps each item's SHA-256, size, who added it and when, and one custody entry for every
access (added, viewed, downloaded, verified). Custody entries are written in the same
transaction as the access is granted, so no read goes unrecorded.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.evidence import EvidenceStore, StoredFile
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros

MAX_NAME = 256


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence.

    Attributes:
        id: Its random id (also bound into the sealed file).
        incident_id: The incident it belongs to.
        kind: ``file``, ``event`` or ``note``.
        name: File name, event id or a short title.
        sha256: Of a file's plaintext, or of a note's text.
        size: Bytes.
        event_id: For ``event`` evidence, the stored event.
        description: Free text.
        added_by: Who added it.
        added_at: When.
    """

    id: str
    incident_id: int
    kind: str
    name: str
    sha256: str | None
    size: int | None
    event_id: str | None
    description: str | None
    added_by: str
    added_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "kind": self.kind,
            "name": self.name,
            "sha256": self.sha256,
            "size": self.size,
            "event_id": self.event_id,
            "description": self.description,
            "added_by": self.added_by,
            "added_at": self.added_at.isoformat().replace("+00:00", "Z"),
        }


def _item(row: Any) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        incident_id=row.incident_id,
        kind=row.kind,
        name=row.name,
        sha256=row.sha256,
        size=row.size,
        event_id=row.event_id,
        description=row.description,
        added_by=row.added_by,
        added_at=from_micros(row.added_at),
    )


class EvidenceLedger:
    """Adds, reads and lists evidence, writing the custody log."""

    def __init__(self, engine: Engine, clock: Clock, files: EvidenceStore) -> None:
        """Use ``files`` for the sealed files."""
        self.engine = engine
        self.clock = clock
        self.files = files

    def _custody(
        self, conn: Connection, evidence_id: str, actor: str, action: str, **details: Any
    ) -> None:
        conn.execute(
            t.evidence_custody.insert().values(
                evidence_id=evidence_id,
                at=to_micros(self.clock.now()),
                actor=actor[:256],
                action=action,
                details=orjson.dumps(details).decode(),
            )
        )

    def _incident(self, conn: Connection, incident_id: int) -> None:
        found = conn.execute(
            sa.select(t.incidents.c.id).where(t.incidents.c.id == incident_id)
        ).first()
        if found is None:
            raise NotFoundError(f"no incident {incident_id}")

    def _record(
        self,
        conn: Connection,
        incident_id: int,
        *,
        evidence_id: str,
        kind: str,
        name: str,
        actor: str,
        stored: StoredFile | None = None,
        digest: tuple[str, int] | None = None,
        event_id: str | None = None,
        description: str | None = None,
    ) -> EvidenceItem:
        now = to_micros(self.clock.now())
        sha256, size = (stored.sha256, stored.size) if stored else digest or (None, None)
        values = {
            "id": evidence_id,
            "incident_id": incident_id,
            "kind": kind,
            "name": name,
            "sha256": sha256,
            "size": size,
            "path": stored.path if stored else None,
            "algorithm": stored.algorithm if stored else None,
            "key_id": stored.key_id if stored else None,
            "event_id": event_id,
            "description": description,
            "added_by": actor[:256],
            "added_at": now,
        }
        conn.execute(t.evidence.insert().values(**values))
        self._custody(conn, evidence_id, actor, "add", kind=kind, sha256=values["sha256"])
        conn.execute(
            t.incident_timeline.insert().values(
                incident_id=incident_id,
                at=now,
                kind="action",
                actor=actor[:256],
                text=f"evidence added: {name}",
                data=orjson.dumps({"evidence": evidence_id, "kind": kind}).decode(),
            )
        )
        audit.append(
            conn,
            self.clock,
            actor=actor,
            action="evidence.add",
            target=f"incident:{incident_id}",
            details={"evidence": evidence_id, "kind": kind, "name": name, "sha256": sha256},
        )
        row = conn.execute(sa.select(t.evidence).where(t.evidence.c.id == evidence_id)).one()
        return _item(row)

    def add_file(
        self,
        incident_id: int,
        name: str,
        data: bytes | BinaryIO,
        *,
        actor: str,
        description: str | None = None,
    ) -> EvidenceItem:
        """Seal a file and record it (SHA-256, size, who, when).

        Raises:
            InputError: On a bad file name.
            NotFoundError: On an unknown incident.
        """
        name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
            raise InputError("a file name of 1-256 printable characters is required")
        with self.engine.connect() as conn:
            self._incident(conn, incident_id)
        evidence_id = secrets.token_hex(16)
        stored = self.files.put(evidence_id, data)
        try:
            with self.engine.begin() as conn:
                return self._record(
                    conn,
                    incident_id,
                    evidence_id=evidence_id,
                    kind="file",
                    name=name,
                    actor=actor,
                    stored=stored,
                    description=description,
                )
        except Exception:
            # No record, no file: a sealed file nobody can find is only clutter.
            self.files.delete(evidence_id, stored)
            raise

    def add_event(
        self, incident_id: int, event_id: str, *, actor: str, description: str | None = None
    ) -> EvidenceItem:
        """Attach a stored event as evidence (it stays in the hash-chained event store).

        Raises:
            NotFoundError: On an unknown incident or event.
        """
        with self.engine.begin() as conn:
            self._incident(conn, incident_id)
            row = conn.execute(
                sa.select(t.events.c.id, t.events.c.original).where(t.events.c.id == event_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no stored event {event_id!r}")
            raw = row.original.encode("utf-8")
            return self._record(
                conn,
                incident_id,
                evidence_id=secrets.token_hex(16),
                kind="event",
                name=event_id,
                actor=actor,
                digest=(hashlib.sha256(raw).hexdigest(), len(raw)),
                event_id=event_id,
                description=description,
            )

    def list(self, incident_id: int) -> list[EvidenceItem]:
        """An incident's evidence, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.evidence)
                .where(t.evidence.c.incident_id == incident_id)
                .order_by(t.evidence.c.added_at, t.evidence.c.id)
            )
            return [_item(r) for r in rows]

    def read(
        self, evidence_id: str, *, actor: str, purpose: str = "download"
    ) -> tuple[EvidenceItem, bytes]:
        """A file's plaintext, checked against its SHA-256; the access goes into custody first.

        Raises:
            NotFoundError: Unknown evidence, or not a file.
            IntegrityError: The sealed file was altered.
        """
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.evidence).where(t.evidence.c.id == evidence_id)).first()
            if row is None or row.kind != "file":
                raise NotFoundError(f"no evidence file {evidence_id!r}")
            self._custody(conn, evidence_id, actor, purpose)
        stored = StoredFile(row.sha256, row.size, row.path, row.algorithm, row.key_id)
        return _item(row), self.files.get(evidence_id, stored)

    def custody(self, evidence_id: str) -> builtins.list[dict[str, Any]]:
        """Every access to one item, oldest first."""
        table = t.evidence_custody
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table).where(table.c.evidence_id == evidence_id).order_by(table.c.id)
            )
            return [
                {
                    "at": from_micros(r.at).isoformat().replace("+00:00", "Z"),
                    "actor": r.actor,
                    "action": r.action,
                    "details": orjson.loads(r.details),
                }
                for r in rows
            ]

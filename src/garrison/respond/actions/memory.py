"""In-memory ports: used by dry runs without a database and by tests.

They keep what they were asked to do in lists, so a test can assert the exact calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from garrison.core.errors import ActionError
from garrison.respond.actions.base import ActiveBlock


@dataclass
class MemoryBlockLedger:
    """Blocks in a dictionary (see :class:`~garrison.respond.actions.base.BlockLedger`)."""

    blocks: dict[str, ActiveBlock] = field(default_factory=dict)

    def active(self, address: str) -> ActiveBlock | None:
        """The live block of ``address``, if any."""
        return self.blocks.get(address)

    def record(self, block: ActiveBlock) -> None:
        """Remember a block."""
        self.blocks[block.address] = block

    def release(self, address: str) -> None:
        """Forget a block."""
        self.blocks.pop(address, None)

    def due(self, now: datetime) -> list[ActiveBlock]:
        """Blocks whose expiry has passed, oldest expiry first."""
        expired = [b for b in self.blocks.values() if b.expires_at and b.expires_at <= now]
        return sorted(expired, key=lambda b: b.expires_at or now)


@dataclass
class MemoryIncidents:
    """Incidents as dictionaries (see :class:`~garrison.respond.actions.base.IncidentPort`)."""

    incidents: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _get(self, incident_id: int) -> dict[str, Any]:
        if incident_id not in self.incidents:
            raise ActionError(f"incident {incident_id} does not exist")
        return self.incidents[incident_id]

    def open(
        self,
        title: str,
        *,
        actor: str,
        alert_ids: list[int],
        grade: str | None,
        grade_reason: str | None,
        incident_type: str | None,
        summary: str | None,
    ) -> int:
        """Open an incident; return its id."""
        incident_id = len(self.incidents) + 1
        record = {
            "title": title,
            "actor": actor,
            "alert_ids": list(alert_ids),
            "grade": grade or "IV",
            "grade_reason": grade_reason,
            "type": incident_type,
            "summary": summary,
            "phase": "triage",
            "notes": [],
            "tasks": [],
        }
        self.incidents[incident_id] = record
        self.calls.append(("open", dict(record)))
        return incident_id

    def note(self, incident_id: int, text: str, *, actor: str) -> None:
        """Add a note."""
        self._get(incident_id)["notes"].append(text)
        self.calls.append(("note", {"incident_id": incident_id, "text": text}))

    def regrade(self, incident_id: int, grade: str, *, actor: str, reason: str) -> None:
        """Change the grade."""
        self._get(incident_id)["grade"] = grade
        self.calls.append(("regrade", {"incident_id": incident_id, "grade": grade}))

    def transition(self, incident_id: int, phase: str, *, actor: str, reason: str) -> None:
        """Change the phase."""
        self._get(incident_id)["phase"] = phase
        self.calls.append(("transition", {"incident_id": incident_id, "phase": phase}))

    def add_task(
        self, incident_id: int, title: str, *, role: str, due_hours: float, actor: str
    ) -> int:
        """Add a task; return its id (1-based across all incidents)."""
        tasks = self._get(incident_id)["tasks"]
        tasks.append({"title": title, "role": role, "due_hours": due_hours})
        self.calls.append(("task", {"incident_id": incident_id, "title": title, "role": role}))
        return sum(len(i["tasks"]) for i in self.incidents.values())


@dataclass
class MemoryNotify:
    """Notifications in a list (see :class:`~garrison.respond.actions.base.NotifyPort`)."""

    sent: list[dict[str, Any]] = field(default_factory=list)

    def notify(
        self,
        *,
        subject: str,
        message: str,
        roles: list[str],
        people: list[str],
        incident_id: int | None,
    ) -> None:
        """Keep the notification."""
        self.sent.append(
            {
                "subject": subject,
                "message": message,
                "roles": list(roles),
                "people": list(people),
                "incident_id": incident_id,
            }
        )


@dataclass
class MemoryEvidence:
    """Evidence as ``(path, sha256)`` pairs; hashes the file as the real store does."""

    files: list[dict[str, Any]] = field(default_factory=list)

    def add_file(
        self, path: Path, *, incident_id: int | None, name: str, note: str, actor: str
    ) -> str:
        """Hash and keep the file's record; return its SHA-256."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.files.append(
            {"path": str(path), "incident_id": incident_id, "name": name, "sha256": digest}
        )
        return digest

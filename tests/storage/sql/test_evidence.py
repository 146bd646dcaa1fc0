"""The evidence ledger on both databases: files sealed and hashed, events, custody, tampering."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import IntegrityError, NotFoundError
from garrison.platform import Platform
from garrison.search.request import SearchRequest
from garrison.settings import Settings
from tests.storage.sql.test_incidents import brute_force_then_success, store


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def test_files_and_events_as_evidence_with_custody(
    platform: Platform, tmp_path: Path, clock: FrozenClock
) -> None:
    incident = platform.incidents.open("Intrusion", actor="user:li.na")
    item = platform.evidence.add_file(
        incident.id, "C:\\cases\\memory.dmp", b"\x00" * 5000, actor="user:li.na"
    )
    assert item.name == "memory.dmp" and item.sha256 == hashlib.sha256(b"\x00" * 5000).hexdigest()
    got, data = platform.evidence.read(item.id, actor="user:zhao.min")
    assert data == b"\x00" * 5000 and got.id == item.id
    store(platform, tmp_path, "auth.log", brute_force_then_success())
    event = platform.search(SearchRequest(limit=1))[0]
    clock.advance(timedelta(seconds=1))
    linked = platform.evidence.add_event(incident.id, event.id, actor="user:li.na")
    assert linked.kind == "event" and linked.event_id == event.id
    assert [e.kind for e in platform.evidence.list(incident.id)] == ["file", "event"]
    assert [c["action"] for c in platform.evidence.custody(item.id)] == ["add", "download"]
    with pytest.raises(NotFoundError):
        platform.evidence.add_event(incident.id, "f" * 32, actor="user:li.na")
    # A changed sealed file is refused, and the attempt is still in the custody log.
    sealed = next((platform.settings.home / "evidence").rglob("*.sealed"))
    raw = bytearray(sealed.read_bytes())
    raw[-5] ^= 1
    sealed.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError):
        platform.evidence.read(item.id, actor="user:zhao.min")
    assert [c["action"] for c in platform.evidence.custody(item.id)][-1] == "download"
    actions = [e.action for e in platform.audit_entries(limit=10)]
    assert actions.count("evidence.add") == 2

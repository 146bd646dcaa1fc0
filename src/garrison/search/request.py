"""What a search or timeline asks for (independent of storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EntityKind = Literal["ip", "user", "host"]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search over stored events.

    Attributes:
        query: Query text (see ``docs/search.md``); empty matches everything.
        since: Only events at or after this time.
        until: Only events before this time.
        limit: At most this many events.
        newest_first: Order by time descending (default) or ascending.
        entity: For timelines: ``("ip", "10.0.0.5")`` matches source or destination IP,
            ``("user", "alice")`` the user or target user, ``("host", "web01")`` the host.
    """

    query: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    newest_first: bool = True
    entity: tuple[EntityKind, str] | None = None

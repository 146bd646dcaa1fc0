"""Who is calling, and what they may do: roles and token scopes mapped to one set of scopes.

Scopes are what endpoints check:

* ``ingest``: push events;
* ``read``: events, alerts, rules;
* ``write``: change alerts (acknowledge, close, suppress) and rules;
* ``audit``: read and export the audit trail;
* ``admin``: users, tokens, settings.

Roles (people) map to scopes (:data:`ROLE_SCOPES`): analysts read and write, auditors read and
see the audit trail but change nothing, administrators do everything. A machine token carries
the scopes it was created with.
"""

from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("ingest", "read", "write", "audit", "admin")

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "admin": frozenset(SCOPES),
    "analyst": frozenset({"read", "write"}),
    "auditor": frozenset({"read", "audit"}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    Attributes:
        kind: ``user`` or ``token``.
        name: The user's or the token's name.
        scopes: What it may do.
    """

    kind: str
    name: str
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        """How the audit trail names it (``user:alice``, ``token:kestra``)."""
        return f"{self.kind}:{self.name}"

    def allows(self, scope: str) -> bool:
        """Return whether the caller holds ``scope``."""
        return scope in self.scopes

"""The response organisation: who is in the command group, technical and communication teams.

Members are Garrison user names. Notifications routed to a role (``command``, ``technical``,
``communication``) reach its members, provided ``[notify] people`` has their contact details.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.incidents.tasks import ROLES
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros


class ResponderStore:
    """Reads and changes the members of the response roles (audited)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    def members(self) -> dict[str, list[str]]:
        """Role -> user names, every role present (possibly empty)."""
        found: dict[str, list[str]] = {role: [] for role in ROLES}
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.responders).order_by(t.responders.c.role, t.responders.c.user_name)
            )
            for row in rows:
                found.setdefault(row.role, []).append(row.user_name)
        return found

    def revision(self) -> tuple[tuple[str, str], ...]:
        """Changes whenever membership does."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.responders.c.role, t.responders.c.user_name).order_by(
                    t.responders.c.role, t.responders.c.user_name
                )
            )
            return tuple((r.role, r.user_name) for r in rows)

    def _check(self, role: str) -> None:
        if role not in ROLES:
            raise InputError(f"unknown response role {role!r}", hint=", ".join(ROLES))

    def add(self, role: str, user: str, *, actor: str) -> None:
        """Put a user in a role.

        Raises:
            InputError: Unknown role.
            NotFoundError: Unknown user.
        """
        self._check(role)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(t.users.c.id).where(t.users.c.name == user)).first() is None:
                raise NotFoundError(f"no user {user!r}", hint="see 'garrison users list'")
            exists = conn.execute(
                sa.select(t.responders.c.role).where(
                    t.responders.c.role == role, t.responders.c.user_name == user
                )
            ).first()
            if exists is None:
                conn.execute(
                    t.responders.insert().values(
                        role=role, user_name=user, added_at=to_micros(self.clock.now())
                    )
                )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="responder.add",
                target=f"role:{role}",
                details={"user": user},
            )

    def remove(self, role: str, user: str, *, actor: str) -> None:
        """Take a user out of a role.

        Raises:
            InputError: Unknown role.
            NotFoundError: The user is not in the role.
        """
        self._check(role)
        with self.engine.begin() as conn:
            gone = conn.execute(
                t.responders.delete().where(
                    t.responders.c.role == role, t.responders.c.user_name == user
                )
            ).rowcount
            if not gone:
                raise NotFoundError(f"{user!r} is not in {role!r}")
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="responder.remove",
                target=f"role:{role}",
                details={"user": user},
            )

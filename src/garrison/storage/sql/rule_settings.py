"""Which rules people switched off, and when rule settings last changed (audited)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.core.clock import Clock
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros


class RuleSettings:
    """Enable and disable rules by id."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    def disabled(self) -> frozenset[str]:
        """Ids of the rules switched off."""
        table = t.rule_settings
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.rule_id).where(table.c.enabled.is_(False)))
            return frozenset(rows.scalars())

    def revision(self) -> tuple[int, int]:
        """Changes so far and the time of the newest: a cheap "did anything change" check."""
        table = t.rule_settings
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sa.func.count(), sa.func.max(table.c.changed_at))).one()
        return int(row[0]), int(row[1] or 0)

    def set_enabled(self, rule_id: str, enabled: bool, *, actor: str, reason: str) -> None:
        """Switch a rule on or off (the next detection pass uses the new set)."""
        table = t.rule_settings
        now = to_micros(self.clock.now())
        values = {
            "enabled": enabled,
            "changed_by": actor[:256],
            "changed_at": now,
            "reason": reason,
        }
        with self.engine.begin() as conn:
            updated = conn.execute(
                table.update().where(table.c.rule_id == rule_id).values(**values)
            ).rowcount
            if not updated:
                conn.execute(table.insert().values(rule_id=rule_id, **values))
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="rule.enable" if enabled else "rule.disable",
                target=f"rule:{rule_id}",
                details={"reason": reason},
            )

    def record_upload(self, name: str, sha256: str, titles: list[str], *, actor: str) -> None:
        """Audit a rule file added through the API or console."""
        with self.engine.begin() as conn:
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="rule.upload",
                target=f"rule-file:{name}",
                details={"sha256": sha256, "rules": titles},
            )

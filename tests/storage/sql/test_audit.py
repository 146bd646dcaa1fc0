"""The audit trail: chain verification, tampering found, CSV safe for spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import sqlalchemy as sa
from hypothesis import example, given
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t


def test_tampering_with_any_entry_is_found(engine: sa.Engine, clock: FrozenClock) -> None:
    for n in range(4):
        with engine.begin() as conn:
            audit.append(conn, clock, actor="cli:root", action="user.create", target=f"user:u{n}")
    assert audit.verify(engine).ok and audit.verify(engine).entries == 4
    with engine.begin() as conn:
        conn.execute(t.audit_log.update().where(t.audit_log.c.seq == 2).values(actor="cli:eve"))
    report = audit.verify(engine)
    assert (report.broken_at, report.reason) == (2, "entry was changed after it was written")
    with engine.begin() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.seq <= 2))
    assert audit.verify(engine).broken_at == 1


@example("'")  # an apostrophe of its own stays as it is
@example("\r=cmd")
@example('=HYPERLINK("http://evil")')
@given(st.text(min_size=1, max_size=20))
def test_no_csv_cell_starts_a_spreadsheet_formula(target: str) -> None:
    entry = audit.AuditEntry(
        seq=1,
        at=datetime(2026, 12, 2, tzinfo=UTC),
        actor=target,
        action="login.failure",
        target=target,
        details={"source": target},
    )
    text = b"".join(audit.to_csv([entry])).decode("utf-8-sig")
    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    formula = ("=", "+", "-", "@", "\t", "\r")
    for cell in row:
        assert not cell.startswith(formula)
    # Exactly one apostrophe is added, and only in front of a formula start.
    assert row[2] == ("'" + target if target.startswith(formula) else target)

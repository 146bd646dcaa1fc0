"""Linux audit logs (``/var/log/audit/audit.log``, enriched format, ``ausearch`` output).

The kernel writes one event as several records sharing ``msg=audit(<time>:<serial>)``
(SYSCALL, EXECVE, CWD, PATH..., PROCTITLE, then EOE). They are usually adjacent, but auditd
may interleave records of concurrent events, so the parser keeps a small, bounded set of open
groups: a group is emitted when its EOE arrives, when more than :data:`MAX_OPEN` younger groups
have started, when a record more than :data:`MAX_AGE` seconds younger arrives, at an ausearch
``----`` separator, or at the end of the stream. User-space records (USER_LOGIN, ADD_USER...)
are single-record events and are emitted at once. No record is ever dropped: a record that
arrives after its group was emitted starts a new event.

Every record's fields are kept under ``auditd.<type>.<field>`` (values of record types that
occur several times in one event, such as PATH, are lists in record order); the ECS fields
are derived from them by :mod:`garrison.normalize.auditd_ecs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.auditd_ecs import add_ecs, standalone
from garrison.normalize.auditd_records import Record, execve_args, parse_record, record_time
from garrison.normalize.base import Line, ParseContext, Parser

DATASET = "linux.auditd"
#: Open groups kept while waiting for their remaining records.
MAX_OPEN = 32
#: A group is closed when a record this many seconds younger arrives.
MAX_AGE = 5.0

_Key = tuple[str | None, str]


def _record_fields(records: list[Record]) -> dict[str, Any]:
    """``auditd.<type>.<field>`` for every record, plus ``auditd.record_types``."""
    by_type: dict[str, list[Record]] = {}
    for rec in records:
        by_type.setdefault(rec.type, []).append(rec)
    fields: dict[str, Any] = {"auditd.record_types": list(by_type)}
    for rtype, recs in by_type.items():
        prefix = "auditd." + rtype.lower() + "."
        if rtype == "EXECVE":
            for rec in recs:
                for key, value in rec.fields.items():
                    if not (key[:1] == "a" and (key[1:].isdigit() or "[" in key)):
                        fields[prefix + key] = value
                for i, arg in enumerate(execve_args(rec)):
                    fields[f"{prefix}a{i}"] = arg
        elif len(recs) == 1 and rtype != "PATH":
            for key, value in recs[0].fields.items():
                fields[prefix + key] = value
        else:
            # Several records of one type (PATH items, OBJ_PID...): lists in record order,
            # always lists for PATH so that rules see one shape.
            keys: dict[str, None] = {}
            for rec in recs:
                keys.update(dict.fromkeys(rec.fields))
            for key in keys:
                fields[prefix + key] = [rec.fields.get(key) for rec in recs]
    return fields


class AuditdParser(Parser):
    """Linux audit records grouped into events by ``audit(time:serial)``."""

    name = "auditd"
    description = "Linux auditd logs (raw, enriched, ausearch), multi-record events grouped"

    def sniff(self, sample: Sequence[str]) -> float:
        """Fraction of non-empty lines that are audit records or ausearch separators."""
        lines = [s for s in sample if s.strip()]
        if not lines:
            return 0.0
        hits = 0
        for s in lines:
            if ("type=" in s and "audit(" in s) or s.startswith(("----", "time->")):
                hits += 1
        return hits / len(lines)

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Group records into events; lines that are not audit records become unparsed."""
        open_groups: dict[_Key, list[Record]] = {}
        times: dict[_Key, float] = {}
        self._open_groups = open_groups
        for line in lines:
            text = line.text
            if not text or text.isspace():
                continue
            if "\x00" in text:  # PostgreSQL rejects NUL in text, the raw record included
                text = text.replace("\x00", "\ufffd")
            if text.startswith("----"):
                # ausearch prints "----" between events: everything open is complete.
                yield from self._flush_all(open_groups, times, ctx)
                continue
            if text.startswith("time->"):
                continue  # ausearch's human-readable copy of the next event's time
            try:
                rec = parse_record(text, line.offset)
            except Exception as exc:  # bad input must not stop the stream
                yield ctx.unparsed(
                    text, line.offset, f"auditd: {type(exc).__name__}: {exc}", dataset=DATASET
                )
                continue
            if rec is None:
                yield ctx.unparsed(
                    text,
                    line.offset,
                    "auditd: record without type=... msg=audit(...) header",
                    dataset=DATASET,
                )
                continue
            if standalone(rec.type):
                yield self._build([rec], ctx)
                continue
            key = (rec.node, rec.stamp)
            group = open_groups.get(key)
            if group is None:
                yield from self._expire(open_groups, times, rec, ctx)
                open_groups[key] = [rec]
                times[key] = _seconds(rec)
            else:
                group.append(rec)
            if rec.type == "EOE":
                times.pop(key, None)
                yield self._build(open_groups.pop(key), ctx)
        yield from self._flush_all(open_groups, times, ctx)

    def pending_offset(self) -> int | None:
        """Offset of the first record of the oldest group still open (follow checkpoints)."""
        groups: dict[_Key, list[Record]] = getattr(self, "_open_groups", {})
        if not groups:
            return None
        return min(group[0].offset for group in groups.values())

    def _expire(
        self,
        open_groups: dict[_Key, list[Record]],
        times: dict[_Key, float],
        rec: Record,
        ctx: ParseContext,
    ) -> Iterator[Event]:
        """Emit the groups a new record shows to be complete (too many or too old)."""
        now = _seconds(rec)
        while open_groups:
            oldest = next(iter(open_groups))
            if len(open_groups) < MAX_OPEN and now - times[oldest] <= MAX_AGE:
                break
            times.pop(oldest, None)
            yield self._build(open_groups.pop(oldest), ctx)

    def _flush_all(
        self, open_groups: dict[_Key, list[Record]], times: dict[_Key, float], ctx: ParseContext
    ) -> Iterator[Event]:
        for group in open_groups.values():
            yield self._build(group, ctx)
        open_groups.clear()
        times.clear()

    def _build(self, records: list[Record], ctx: ParseContext) -> Event:
        """One event from a group; on any failure the records are stored unparsed, joined."""
        original = "\n".join(rec.text for rec in records)
        offset = records[0].offset
        try:
            fields = _record_fields(records)
            fields["auditd.sequence"] = records[0].serial
            add_ecs(fields, records)
            timestamp: datetime | None = record_time(records[0].time, ctx.tz)
            if timestamp is None:
                fields.setdefault(schema.TAGS, []).append("timestamp_unparsed")
        except Exception as exc:  # bad input must not stop the stream
            return ctx.unparsed(
                original, offset, f"auditd: {type(exc).__name__}: {exc}", dataset=DATASET
            )
        return ctx.make(
            timestamp=timestamp, dataset=DATASET, original=original, offset=offset, fields=fields
        )


def _seconds(rec: Record) -> float:
    """Epoch seconds of a raw record for group expiry (ausearch -i dates: 0, never expire)."""
    try:
        return float(rec.time)
    except ValueError:
        return 0.0

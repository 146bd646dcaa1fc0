"""Compile a search query (:mod:`garrison.search.query`) to a SQLAlchemy where-clause.

Where a field lives:

* ``@timestamp`` is the integer ``ts`` column (microseconds), ``event.id``, ``event.dataset``
  and ``event.original`` are the ``id``, ``dataset`` and ``original`` columns, and the promoted
  fields (``source.ip``, ``user.name``...) their own indexed columns (:data:`COLUMNS`);
* every other field is read from the ``fields`` JSON text: SQLite ``json_each(fields, path)``,
  PostgreSQL ``jsonb_path_query(CAST(fields AS JSONB) -> key, '$[*]')``. Both yield one row per
  value, so a list-valued field (``tags``, ``process.args``) matches when *any* element does.

Field names are user input: the JSON key always travels as a bound parameter, never as SQL
text. Matching rules (mirrored by the reference evaluator in the tests):

* text compares case-insensitively (``lower()`` on both sides; ``ILIKE`` for wildcards and
  free text); JSON ``true``/``false`` compare as the words ``true``/``false``;
* a JSON value is *numeric* when it is a JSON number or a string such as ``"404"`` or
  ``"-1.5"`` (``-?digits[.digits]``); numeric values also equal a numeric query value
  (``source.port:22`` matches ``22``, ``"22"`` and ``22.0``) and take part in numeric ranges;
* ranges are numeric when every given bound is a number, times on ``@timestamp``, and text
  otherwise (code-point order, case-insensitive);
* ``NOT`` treats a missing field as "does not match", so ``NOT user.name:root`` also returns
  events without a user: SQL ``NULL`` is folded to false under every ``NOT``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from garrison.core.clock import SystemClock
from garrison.core.errors import InputError
from garrison.events import schema
from garrison.search import timeparse
from garrison.search.query import (
    And,
    Exists,
    MatchAll,
    Node,
    Not,
    Or,
    Range,
    Term,
    Text,
    Wildcard,
    is_number,
    wildcard_like,
)
from garrison.storage.sql import tables
from garrison.storage.sql.codec import to_micros

__all__ = ["COLUMNS", "compile_where", "json_field"]

#: Fields stored in their own column of ``events`` (everything else is in ``fields``).
COLUMNS: dict[str, str] = {
    schema.TIMESTAMP: "ts",
    schema.ID: "id",
    schema.DATASET: "dataset",
    schema.ORIGINAL: "original",
    schema.KIND: "kind",
    schema.CATEGORY: "category",
    schema.ACTION: "action",
    schema.OUTCOME: "outcome",
    schema.SOURCE_IP: "source_ip",
    schema.DESTINATION_IP: "destination_ip",
    schema.USER_NAME: "user_name",
    schema.HOST_NAME: "host_name",
}
_NOT_NULL = frozenset({schema.TIMESTAMP, schema.ID, schema.DATASET, schema.ORIGINAL})
_ESCAPE = "\\"
_NUMERIC_TEXT = r"^-?[0-9]+(\.[0-9]*)?$"
# PostgreSQL NUMERIC rejects exponents beyond ~1e131072; bounds this large are infinities
# for any value a log can hold.
_HUGE = Decimal("1e1000")
_TINY = Decimal("1e-1000")

_IP_COLUMNS = {schema.SOURCE_IP: "source_ip", schema.DESTINATION_IP: "destination_ip"}
Expr = sa.ColumnElement[Any]
Cond = sa.ColumnElement[bool]


def compile_where(
    node: Node,
    dialect_name: str,
    *,
    table: sa.Table = tables.events,
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> Cond:
    """Compile a parsed query to a boolean SQL expression over ``table`` (``events``).

    Use it as ``select(...).select_from(events).where(compile_where(...))``: conditions on
    JSON fields are subqueries correlated to the ``events`` table of the enclosing query.

    Args:
        node: The query (:func:`garrison.search.query.parse`).
        dialect_name: ``"sqlite"`` or ``"postgresql"`` (``engine.dialect.name``).
        table: The events table (or an alias of it).
        now: What relative times such as ``now-1h`` count from; defaults to the wall clock.
        tz: Zone of ``@timestamp`` values written without an offset.

    Returns:
        The where-clause.

    Raises:
        InputError: If a time in the query cannot be understood (only for trees not made by
            :func:`parse`, which checks times itself).
        ValueError: For an unsupported dialect.
    """
    if dialect_name not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported SQL dialect {dialect_name!r}")
    when = now if now is not None else SystemClock().now()
    return _Compiler(dialect_name == "postgresql", table, when, tz).compile(node)


def json_field(field: str, dialect_name: str, *, table: sa.Table = tables.events) -> Expr:
    """The SQL expression for one field's stored value, for callers that need it directly.

    Column-backed fields (:data:`COLUMNS`) give their column (``@timestamp`` the integer
    ``ts``). Other fields are read from the JSON document as one scalar: SQLite
    ``json_extract`` (numbers stay numbers, ``true`` is 1, a list is its JSON text),
    PostgreSQL ``->>`` (text). Comparisons on it are exact and not list-aware; build a
    :class:`~garrison.search.query.Term` and use :func:`compile_where` for the search
    semantics (case-insensitive, numeric, any list element).
    """
    column = COLUMNS.get(field)
    if column is not None:
        return table.c[column]
    key = field.replace("\x00", "\ufffd")
    if dialect_name == "postgresql":
        document = sa.cast(table.c.fields, JSONB)
        return document.op("->>", return_type=sa.Text)(sa.literal(key, sa.Text))
    if '"' not in key:
        return sa.func.json_extract(table.c.fields, sa.literal(_sqlite_path(key), sa.Text))
    rows = sa.func.json_each(table.c.fields).table_valued("key", "value").alias()
    lookup = sa.select(rows.c.value).where(rows.c.key == sa.literal(key, sa.Text)).limit(1)
    return lookup.correlate(table).scalar_subquery()


def _sqlite_path(key: str) -> str:
    """A JSON path for a top-level key without '"'. SQLite compares path labels with keys as
    written in the document, i.e. JSON-escaped by orjson, so the label is escaped the same."""
    return '$."' + orjson.dumps(key).decode()[1:-1] + '"'


@dataclass(frozen=True, slots=True)
class _Values:
    """The value(s) of one field, as SQL expressions.

    For a column these are expressions on that column; for a JSON field they are expressions
    on the rows of ``source`` (one per list element), and :meth:`where` wraps a condition on
    them in ``EXISTS``.
    """

    text: Expr
    number: Expr
    present: Cond
    json: bool = False
    source: sa.FromClause | None = None
    guard: Cond | None = None
    table: sa.Table | None = None

    def where(self, condition: Cond) -> Cond:
        if self.source is None or self.table is None:
            return condition
        if self.guard is not None:
            condition = sa.and_(self.guard, condition)
        return sa.exists().select_from(self.source).where(condition).correlate(self.table)


class _Compiler:
    def __init__(self, postgres: bool, table: sa.Table, now: datetime, tz: tzinfo) -> None:
        self.postgres = postgres
        self.table = table
        self.now = now
        self.tz = tz

    # -- tree --------------------------------------------------------------------------------
    def compile(self, node: Node, negated: bool = False) -> Cond:
        """Compile ``node`` (or its negation).

        Negations are pushed down to the leaves (De Morgan), so the SQL nests no deeper than
        the query's parentheses: SQLite's parser overflows on deeply nested expressions.
        """
        if isinstance(node, Not):
            return self.compile(node.child, not negated)
        if isinstance(node, (And, Or)):
            parts = [self.compile(c, negated) for c in node.items]
            return sa.and_(*parts) if isinstance(node, And) == (not negated) else sa.or_(*parts)
        condition = self.leaf(node)
        if not negated:
            return condition
        # NULL (a missing field) must count as "no match" before it is negated.
        return sa.not_(sa.func.coalesce(condition, sa.false()))

    def leaf(self, node: Node) -> Cond:
        node = _without_nul(node)
        if isinstance(node, MatchAll):
            return sa.true()
        if isinstance(node, Text):
            inner = wildcard_like(node.value) if node.wildcard else _like_literal(node.value)
            return self.table.c.original.ilike(f"%{inner}%", escape=_ESCAPE)
        if isinstance(node, Term):
            return self.term(node.field, node.value)
        if isinstance(node, Wildcard):
            return self.wildcard(node.field, node.pattern)
        if isinstance(node, Exists):
            if node.field in _NOT_NULL:
                return sa.true()
            values = self.values(node.field)
            return values.where(values.present)
        if isinstance(node, Range):
            return self.range(node)
        raise TypeError(f"unknown query node {node!r}")

    # -- leaves ------------------------------------------------------------------------------
    def term(self, field: str, value: str) -> Cond:
        if field == schema.TIMESTAMP:
            start, end = self.span(value)
            ts = self.table.c.ts
            return sa.and_(ts >= start, ts < end)
        if field == schema.ID:
            # Ids are lower-case hex: an exact comparison keeps the primary key usable.
            return self.table.c.id == value.lower()
        if field in _IP_COLUMNS:
            # IP text differs in case only in IPv6 hex digits: comparing against the spellings
            # instead of lower(column) keeps the (ip, ts) indexes usable on large stores.
            column = self.table.c[_IP_COLUMNS[field]]
            return column.in_(sorted({value, value.lower(), value.upper()}))
        values = self.values(field)
        condition: Cond = sa.func.lower(values.text) == sa.func.lower(sa.literal(value, sa.Text))
        if values.json and is_number(value):
            condition = sa.or_(condition, values.number == self.number(value))
        return values.where(condition)

    def wildcard(self, field: str, pattern: str) -> Cond:
        if field == schema.TIMESTAMP:
            raise InputError("wildcards are not supported on @timestamp", hint="use a range")
        values = self.values(field)
        like = wildcard_like(pattern, _ESCAPE)
        return values.where(values.text.ilike(like, escape=_ESCAPE))

    def range(self, node: Range) -> Cond:
        low, high = node.low, node.high
        if low is None and high is None:
            return self.leaf(Exists(node.field))
        if node.field == schema.TIMESTAMP:
            ts = self.table.c.ts
            parts: list[Cond] = []
            if low is not None:
                start, end = self.span(low)
                parts.append(ts >= (start if node.include_low else end))
            if high is not None:
                start, end = self.span(high)
                parts.append(ts < (end if node.include_high else start))
            return sa.and_(*parts)
        values = self.values(node.field)
        bounds = [b for b in (low, high) if b is not None]
        conditions: list[Cond] = []
        if bounds and all(is_number(b) for b in bounds):
            if low is not None:
                n = self.number(low)
                conditions.append(values.number >= n if node.include_low else values.number > n)
            if high is not None:
                n = self.number(high)
                conditions.append(values.number <= n if node.include_high else values.number < n)
        else:
            text = self.ordered(sa.func.lower(values.text))
            if low is not None:
                b = sa.func.lower(sa.literal(low, sa.Text))
                conditions.append(text >= b if node.include_low else text > b)
            if high is not None:
                b = sa.func.lower(sa.literal(high, sa.Text))
                conditions.append(text <= b if node.include_high else text < b)
        return values.where(sa.and_(*conditions))

    # -- helpers -----------------------------------------------------------------------------
    def span(self, text: str) -> tuple[int, int]:
        start, end = timeparse.time_span(text, self.now, self.tz)
        return to_micros(start), to_micros(end)

    def number(self, text: str) -> Expr:
        if not self.postgres:
            return sa.literal(float(text), sa.Float)
        value = Decimal(text)
        # copy_abs and comparisons are exact: no decimal context, so no Overflow either.
        if value.copy_abs() > _HUGE:
            value = _HUGE.copy_sign(value)
        elif value.copy_abs() < _TINY:
            value = Decimal(0)
        return sa.literal(value, sa.Numeric)

    def ordered(self, expr: Expr) -> Expr:
        # Code-point order on both backends (PostgreSQL would otherwise use the locale's).
        return sa.collate(expr, "C") if self.postgres else expr

    def values(self, field: str) -> _Values:
        column = COLUMNS.get(field)
        if column is not None:
            col = self.table.c[column]
            return _Values(text=col, number=self.numeric_text(col), present=col.is_not(None))
        if self.postgres:
            return self.postgres_values(field)
        return self.sqlite_values(field)

    def numeric_text(self, text: Expr) -> Expr:
        """The number a text holds when it looks like ``-?digits[.digits]``, else NULL."""
        if self.postgres:
            looks = text.regexp_match(_NUMERIC_TEXT)
            return sa.case((looks, sa.cast(text, sa.Numeric)), else_=sa.null())
        return sa.case((_sqlite_numeric_text(text), sa.cast(text, sa.Float)), else_=sa.null())

    def sqlite_values(self, key: str) -> _Values:
        guard: Cond | None = None
        if '"' in key:
            # SQLite JSON paths cannot spell a key containing '"' (the language never
            # produces one): scan the top-level keys instead; list elements are not expanded.
            rows = sa.func.json_each(self.table.c.fields).table_valued("key", "value", "type")
            source = rows.alias()
            guard = source.c.key == sa.literal(key, sa.Text)
        else:
            # Labels are compared with the key as stored, i.e. JSON-escaped by orjson.
            path = _sqlite_path(key)
            rows = sa.func.json_each(self.table.c.fields, sa.literal(path, sa.Text)).table_valued(
                "value", "type"
            )
            source = rows.alias()
        kind, value = source.c.type, source.c.value
        text = sa.case((kind == "true", "true"), (kind == "false", "false"), else_=value)
        number = sa.case(
            (kind.in_(("integer", "real")), value),
            (sa.and_(kind == "text", _sqlite_numeric_text(value)), sa.cast(value, sa.Float)),
            else_=sa.null(),
        )
        return _Values(
            text=text,
            number=number,
            present=kind != "null",
            json=True,
            source=source,
            guard=guard,
            table=self.table,
        )

    def postgres_values(self, key: str) -> _Values:
        document = sa.cast(self.table.c.fields, JSONB)
        # '$[*]' in lax mode yields the elements of an array and a scalar itself.
        value = document.op("->", return_type=JSONB)(sa.literal(key, sa.Text))
        elements = sa.func.jsonb_path_query(value, sa.literal_column("'$[*]'"))
        source = elements.table_valued("value").render_derived()
        element = source.c.value
        text = element.op("#>>", return_type=sa.Text)(sa.literal_column("'{}'"))
        kind = sa.func.jsonb_typeof(element)
        as_number = sa.cast(text, sa.Numeric)
        number = sa.case(
            (kind == "number", as_number),
            (sa.and_(kind == "string", text.regexp_match(_NUMERIC_TEXT)), as_number),
            else_=sa.null(),
        )
        return _Values(
            text=text,
            number=number,
            present=kind != "null",
            json=True,
            source=source,
            table=self.table,
        )


def _without_nul(node: Node) -> Node:
    """Replace NUL as storage does (PostgreSQL rejects it, even in parameters)."""
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {
        f.name: value.replace("\x00", "\ufffd")
        for f in dataclasses.fields(node)
        if isinstance(value := getattr(node, f.name), str) and "\x00" in value
    }
    return dataclasses.replace(node, **changes) if changes else node


def _like_literal(text: str) -> str:
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def _glob(expr: Expr, pattern: str) -> Cond:
    return expr.op("GLOB", is_comparison=True)(sa.literal(pattern, sa.Text))


def _sqlite_numeric_text(text: Expr) -> Cond:
    """SQLite has no regular expressions: ``-?[0-9]+(\\.[0-9]*)?`` spelled with GLOB."""
    return sa.and_(
        sa.or_(_glob(text, "[0-9]*"), _glob(text, "-[0-9]*")),
        sa.not_(_glob(sa.func.substr(text, 2), "*[^0-9.]*")),
        sa.not_(_glob(text, "*.*.*")),
    )

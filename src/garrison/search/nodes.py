"""The search language's syntax tree: immutable nodes that render back to query text."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from garrison.events import schema

#: Characters that end an unquoted word; "\\" escapes any of them (and every character for
#: which str.isspace() is true).
STOP = frozenset('()[]{}"<>:')
KEYWORDS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_STOP = STOP


# ---------------------------------------------------------------------------------------------
class Node(ABC):
    """Base class of every query node (immutable; equal when structurally equal)."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        """Direct sub-expressions."""
        return ()

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()

    def fields(self) -> tuple[str, ...]:
        """Field names the query refers to, in order of first use, without repeats.

        Free text counts as a use of ``event.original``, the field it searches.
        """
        seen: dict[str, None] = {}
        for node in self.walk():
            name = getattr(node, "field", None)
            if isinstance(node, Text):
                name = schema.ORIGINAL
            if name is not None:
                seen.setdefault(name, None)
        return tuple(seen)

    @abstractmethod
    def to_query(self) -> str:
        """Render back to query text that parses to an equal tree."""

    def __str__(self) -> str:
        return self.to_query()


@dataclass(frozen=True, slots=True)
class MatchAll(Node):
    """Matches every event: the empty query, or ``*``."""

    def to_query(self) -> str:
        """Render as ``*``."""
        return "*"


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Free text: a case-insensitive substring of the raw record (``event.original``).

    Attributes:
        value: The text, or a wildcard pattern (see :func:`wildcard_regex`) if ``wildcard``.
        wildcard: Whether ``value`` is a pattern with ``*``/``?``.
    """

    value: str
    wildcard: bool = False

    def to_query(self) -> str:
        """Render as a bare word or quoted phrase."""
        return _render_pattern(self.value) if self.wildcard else _render_literal(self.value)


@dataclass(frozen=True, slots=True)
class Term(Node):
    """``field:value``: the field equals the value (case-insensitive for text)."""

    field: str
    value: str

    def to_query(self) -> str:
        """Render as ``field:value``."""
        return f"{self.field}:{_render_literal(self.value)}"


@dataclass(frozen=True, slots=True)
class Wildcard(Node):
    """``field:pat*ern``: the whole field value matches a wildcard pattern (case-insensitive).

    Attributes:
        pattern: ``*`` any run of characters, ``?`` one character; ``\\*``, ``\\?`` and
            ``\\\\`` stand for the literal characters. See :func:`wildcard_regex`.
    """

    field: str
    pattern: str

    def to_query(self) -> str:
        """Render as ``field:pattern``."""
        return f"{self.field}:{_render_pattern(self.pattern)}"


@dataclass(frozen=True, slots=True)
class Exists(Node):
    """``field:*``: the field is present and not null."""

    field: str

    def to_query(self) -> str:
        """Render as ``field:*``."""
        return f"{self.field}:*"


@dataclass(frozen=True, slots=True)
class Range(Node):
    """``field:[low TO high]`` and comparisons; a ``None`` bound is open.

    Bounds are kept as written: consumers compare numerically when every given bound is a
    number (:func:`is_number`), as times for ``@timestamp``, and as text otherwise.
    """

    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True

    def to_query(self) -> str:
        """Render in bracket form, ``field:[low TO high}``."""
        low = "*" if self.low is None else _render_literal(self.low)
        high = "*" if self.high is None else _render_literal(self.high)
        left = "[" if self.include_low else "{"
        right = "]" if self.include_high else "}"
        return f"{self.field}:{left}{low} TO {high}{right}"


@dataclass(frozen=True, slots=True)
class Not(Node):
    """Negation: matches exactly the events its child does not (missing fields included)."""

    child: Node

    def children(self) -> tuple[Node, ...]:
        """The negated expression."""
        return (self.child,)

    def to_query(self) -> str:
        """Render as ``NOT child``."""
        return f"NOT {_render_child(self.child)}"


@dataclass(frozen=True, slots=True)
class And(Node):
    """Conjunction of two or more expressions."""

    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        """The conjuncts."""
        return self.items

    def to_query(self) -> str:
        """Render as ``a AND b``."""
        return " AND ".join(_render_child(c) for c in self.items)


@dataclass(frozen=True, slots=True)
class Or(Node):
    """Disjunction of two or more expressions."""

    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        """The disjuncts."""
        return self.items

    def to_query(self) -> str:
        """Render as ``a OR b``."""
        return " OR ".join(_render_child(c) for c in self.items)


def is_number(text: str) -> bool:
    """Whether a query value is a number (``400``, ``-1.5``, ``1e3``)."""
    return _NUMBER.fullmatch(text) is not None


def wildcard_regex(pattern: str) -> str:
    """Translate a wildcard pattern to an (unanchored) Python regular expression."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    if escaped:
        out.append(re.escape("\\"))
    return "".join(out)


def wildcard_like(pattern: str, escape: str = "\\") -> str:
    """Translate a wildcard pattern to a SQL ``LIKE`` pattern using ``escape`` as escape char."""
    out: list[str] = []
    escaped = False
    specials = ("%", "_", escape)
    for ch in pattern:
        if not escaped and ch == "\\":
            escaped = True
            continue
        if not escaped and ch == "*":
            out.append("%")
        elif not escaped and ch == "?":
            out.append("_")
        else:
            out.append(escape + ch if ch in specials else ch)
        escaped = False
    if escaped:
        out.append(escape + "\\" if escape == "\\" else "\\")
    return "".join(out)


def _render_child(node: Node) -> str:
    return f"({node.to_query()})" if isinstance(node, (And, Or)) else node.to_query()


def _render_literal(value: str) -> str:
    if (
        value
        and not any(ch in _STOP or ch in "*?\\" or ch.isspace() for ch in value)
        and value[0] not in "-!"
        and value.upper() not in KEYWORDS
        and value.upper() != "TO"
    ):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_pattern(pattern: str) -> str:
    out: list[str] = []
    escaped = False
    for i, ch in enumerate(pattern):
        if escaped or ch == "\\":
            out.append(ch)
            escaped = not escaped and ch == "\\"
        elif ch in _STOP or ch.isspace() or (i == 0 and ch in "-!"):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)

"""The event search language: a lexer and recursive-descent parser producing an immutable AST.

The language is a small Lucene/KQL dialect, documented for users in ``docs/search.md``::

    query      = [ or_expr ] ;
    or_expr    = and_expr { OR and_expr } ;
    and_expr   = unary { [ AND ] unary } ;          (* adjacent terms: implicit AND *)
    unary      = ( NOT | "-" | "!" ) unary | primary ;
    primary    = "(" or_expr ")" | field_term | word | phrase ;  (* word/phrase: free text *)
    field_term = FIELD ":" value_expr | FIELD [ ":" ] CMP scalar ;
    value_expr = scalar | range | CMP scalar | "(" or_expr ")" ;  (* the group binds FIELD *)
    range      = ( "[" | "{" ) bound TO bound ( "]" | "}" ) ;
    bound      = "*" | scalar ;
    scalar     = word | phrase ;

The parser only builds the tree; its meaning (SQL, in-memory matching) lives with consumers
such as :mod:`garrison.storage.sql.query_sql`. Every error is a
:class:`~garrison.core.errors.QuerySyntaxError` carrying the 0-based character position.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from garrison.core.errors import InputError, QuerySyntaxError
from garrison.events import schema
from garrison.search import timeparse

#: Deepest nesting of parentheses and NOTs accepted (keeps recursion and SQL depth bounded).
MAX_DEPTH = 24
#: Most leaf terms in one query (SQLite refuses expressions nested ~1000 deep).
MAX_TERMS = 400

KEYWORDS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
# Characters that end an unquoted word; "\" escapes any of them.
_STOP = frozenset('()[]{}"<>:')  # and every character for which str.isspace() is true
_FIELD = re.compile(r"[A-Za-z0-9_@](?:[A-Za-z0-9_.@-]|\([A-Za-z0-9_.@-]*\))*(?=[:<>])")
_CMP = re.compile(r"[<>]=?")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_COLON_HINT = (
    'quote values that contain ":" (IPv6 addresses, URLs, times), e.g. source.ip:"::1", '
    r"or escape each colon as \:"
)
# Relative @timestamp values are checked at parse time against this arbitrary instant; the
# real "now" is applied when the query is compiled.
_PROBE_NOW = datetime(2000, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# AST
# ---------------------------------------------------------------------------------------------
class Node:
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

    def to_query(self) -> str:
        """Render back to query text that parses to an equal tree."""
        raise NotImplementedError

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


# ---------------------------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------------------------
class Tok(enum.Enum):
    """Token kinds."""

    LPAREN = "'('"
    RPAREN = "')'"
    LRANGE = "'[' or '{'"
    RRANGE = "']' or '}'"
    TO = "'TO'"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    FIELD = "a field name"
    CMP = "a comparison"
    WORD = "a word"
    PHRASE = "a quoted phrase"
    EOF = "the end of the query"


@dataclass(frozen=True, slots=True)
class Token:
    """One token.

    Attributes:
        kind: What it is.
        pos: 0-based offset of its first character.
        text: WORD: the value (a pattern if ``wildcard``); PHRASE: the unescaped text;
            FIELD: the name; CMP: the operator; others: the characters as written.
        wildcard: WORD only: contains an unescaped ``*`` or ``?``.
        colon: FIELD only: followed by ``:`` (otherwise by a comparison).
    """

    kind: Tok
    pos: int
    text: str = ""
    wildcard: bool = False
    colon: bool = False


_VALUE_AFTER = frozenset({Tok.FIELD, Tok.CMP})


def _describe(tok: Token) -> str:
    if tok.kind in (Tok.WORD, Tok.PHRASE, Tok.CMP, Tok.LRANGE, Tok.RRANGE, Tok.NOT):
        return repr(tok.text) if tok.kind is not Tok.PHRASE else f'"{tok.text}"'
    return str(tok.kind.value)


class _Lexer:
    """Splits a query into tokens. Context matters: after ``field:`` comes a value, inside
    ``[ ]`` only bounds and ``TO``; so the lexer tracks the previous token and range state."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []
        self.field: str | None = None  # the field whose value may come next
        self.in_range = False

    def error(self, message: str, pos: int, hint: str | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, position=pos, hint=hint)

    def run(self) -> list[Token]:
        text, n = self.text, len(self.text)
        while True:
            while self.pos < n and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= n:
                self.tokens.append(Token(Tok.EOF, n))
                return self.tokens
            prev = self.tokens[-1] if self.tokens else None
            if self.in_range:
                self._range_token()
            elif prev is not None and (prev.kind is Tok.CMP or prev.colon):
                self._value_token(prev)
            else:
                self._term_token()

    def _emit(self, kind: Tok, pos: int, end: int, text: str = "", **kw: bool) -> None:
        self.tokens.append(Token(kind, pos, text, **kw))
        self.pos = end

    def _range_token(self) -> None:
        ch, pos = self.text[self.pos], self.pos
        if ch in "]}":
            self.in_range = False
            self._emit(Tok.RRANGE, pos, pos + 1, ch)
        elif ch == '"':
            self._phrase()
        elif ch in "([{)<>:":
            raise self.error(
                f"unexpected {ch!r} inside a range",
                pos,
                _COLON_HINT if ch == ":" else "a range is written field:[low TO high]",
            )
        else:
            self._word(allow_colon=self.field == schema.TIMESTAMP, keywords=False)
            last = self.tokens[-1]
            if last.text == "TO" and not last.wildcard and self.text[pos : self.pos] == "TO":
                self.tokens[-1] = Token(Tok.TO, pos, "TO")

    def _value_token(self, prev: Token) -> None:
        ch, pos = self.text[self.pos], self.pos
        cmp = _CMP.match(self.text, pos)
        if cmp and prev.kind is Tok.FIELD:
            self._emit(Tok.CMP, pos, cmp.end(), cmp.group())
        elif ch == "(" and prev.kind is Tok.FIELD:
            self._emit(Tok.LPAREN, pos, pos + 1, ch)
        elif ch in "[{" and prev.kind is Tok.FIELD:
            self.in_range = True
            self._emit(Tok.LRANGE, pos, pos + 1, ch)
        elif ch == '"':
            self._phrase()
        elif ch == ":" and self.field != schema.TIMESTAMP:
            raise self.error(f"unexpected ':' in the value of {self.field}", pos, _COLON_HINT)
        elif ch in _STOP:
            where = f"{prev.text}{':' if prev.kind is Tok.FIELD else ''}"
            raise self.error(f"expected a value after '{where}', found {ch!r}", pos)
        else:
            self._word(allow_colon=self.field == schema.TIMESTAMP, keywords=True)

    def _term_token(self) -> None:
        text, pos = self.text, self.pos
        ch = text[pos]
        if ch in "()":
            self._emit(Tok.LPAREN if ch == "(" else Tok.RPAREN, pos, pos + 1, ch)
        elif ch in "[{":
            self.in_range = True
            self._emit(Tok.LRANGE, pos, pos + 1, ch)
        elif ch in "]}":
            raise self.error(
                f"unexpected {ch!r} outside a range", pos, "a range is written field:[low TO high]"
            )
        elif ch == '"':
            self._phrase()
        elif ch == ":":
            toks = self.tokens
            if len(toks) >= 2 and toks[-1].kind is Tok.WORD and toks[-2].kind in _VALUE_AFTER:
                raise self.error(f"unexpected ':' in the value of {self.field}", pos, _COLON_HINT)
            raise self.error(
                "unexpected ':'",
                pos,
                "field names may contain letters, digits, '_', '.', '@', '-' and '(...)'; "
                + _COLON_HINT,
            )
        elif (
            ch in "-!"
            and pos + 1 < len(text)
            and not text[pos + 1].isspace()
            and (text[pos + 1] not in ")]}")
        ):
            self._emit(Tok.NOT, pos, pos + 1, ch)
        elif ch in "-!":
            raise self.error(
                f"{ch!r} must be directly followed by the term it negates",
                pos,
                f"write {ch}term or NOT term; to search for a lone {ch!r}, quote it",
            )
        elif (cmp := _CMP.match(text, pos)) is not None:
            self._emit(Tok.CMP, pos, cmp.end(), cmp.group())
        elif (field := _FIELD.match(text, pos)) is not None:
            name = field.group()
            colon = text[field.end()] == ":"
            self.field = name
            self._emit(Tok.FIELD, pos, field.end() + (1 if colon else 0), name, colon=colon)
        else:
            self._word(allow_colon=False, keywords=True)

    def _phrase(self) -> None:
        text, start = self.text, self.pos
        out: list[str] = []
        i = start + 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
                out.append(text[i + 1])
                i += 2
            elif ch == '"':
                self._emit(Tok.PHRASE, start, i + 1, "".join(out))
                return
            else:
                out.append(ch)
                i += 1
        raise self.error("unterminated quoted phrase", start, 'close it with a " character')

    def _word(self, *, allow_colon: bool, keywords: bool) -> None:
        text, start = self.text, self.pos
        literal: list[str] = []
        pattern: list[str] = []
        wildcard = escaped_any = False
        i = start
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                if i + 1 >= len(text):
                    raise self.error(
                        "dangling backslash at the end", i, r"write \\ for a backslash"
                    )
                ch = text[i + 1]
                literal.append(ch)
                pattern.append("\\" + ch if ch in "*?\\" else ch)
                escaped_any = True
                i += 2
                continue
            if (ch in _STOP and not (ch == ":" and allow_colon)) or ch.isspace():
                break
            wildcard = wildcard or ch in "*?"
            pattern.append(ch)
            literal.append(ch)
            i += 1
        raw = text[start:i]
        if keywords and not escaped_any and raw.upper() in KEYWORDS:
            kind = Tok[KEYWORDS[raw.upper()]]
            self._emit(kind, start, i, raw)
        elif wildcard:
            self._emit(Tok.WORD, start, i, "".join(pattern), wildcard=True)
        else:
            self._emit(Tok.WORD, start, i, "".join(literal))


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens (ending with an EOF token).

    Raises:
        QuerySyntaxError: On characters that cannot start any token.
    """
    return _Lexer(text).run()


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------
_TERM_START = frozenset({Tok.LPAREN, Tok.NOT, Tok.FIELD, Tok.WORD, Tok.PHRASE, Tok.CMP, Tok.LRANGE})


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.terms = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not Tok.EOF:
            self.i += 1
        return tok

    def error(self, message: str, tok: Token, hint: str | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, position=tok.pos, hint=hint)

    def parse(self) -> Node:
        if self.peek().kind is Tok.EOF:
            return MatchAll()
        node = self.or_expr(None, 0)
        tok = self.peek()
        if tok.kind is Tok.RPAREN:
            raise self.error("unbalanced parenthesis: ')' without a matching '('", tok)
        if tok.kind is not Tok.EOF:  # pragma: no cover - and_expr consumes every term start
            raise self.error(f"unexpected {_describe(tok)}", tok)
        return node

    def or_expr(self, field: str | None, depth: int) -> Node:
        items = [self.and_expr(field, depth)]
        while self.peek().kind is Tok.OR:
            op = self.next()
            self.expect_term(op)
            items.append(self.and_expr(field, depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, field: str | None, depth: int) -> Node:
        items = [self.unary(field, depth)]
        while True:
            tok = self.peek()
            if tok.kind is Tok.AND:
                self.next()
                self.expect_term(tok)
            elif tok.kind not in _TERM_START:
                break
            items.append(self.unary(field, depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def expect_term(self, op: Token) -> None:
        tok = self.peek()
        if tok.kind not in _TERM_START:
            raise self.error(f"expected a term after '{op.text}', found {_describe(tok)}", tok)

    def unary(self, field: str | None, depth: int) -> Node:
        tok = self.peek()
        if tok.kind is Tok.NOT:
            self.check_depth(tok, depth)
            self.next()
            self.expect_term(tok)
            return Not(self.unary(field, depth + 1))
        return self.primary(field, depth)

    def check_depth(self, tok: Token, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise self.error(f"the query nests too deeply (more than {MAX_DEPTH} levels)", tok)

    def leaf(self, tok: Token, node: Node) -> Node:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(
                f"the query has too many terms (more than {MAX_TERMS})",
                tok,
                "split it into several searches, or use wildcards or ranges",
            )
        return node

    def primary(self, field: str | None, depth: int) -> Node:
        tok = self.next()
        kind = tok.kind
        if kind is Tok.LPAREN:
            return self.group(tok, field, depth)
        if kind is Tok.FIELD:
            if field is not None:
                raise self.error(f"cannot use field {tok.text!r} inside the group of {field}:", tok)
            return self.field_term(tok, depth)
        if kind in (Tok.WORD, Tok.PHRASE):
            if field is not None:
                return self.value(field, tok)
            if kind is Tok.WORD and tok.wildcard and tok.text == "*":
                return MatchAll()
            return self.leaf(tok, Text(tok.text, wildcard=tok.wildcard))
        if kind is Tok.CMP:
            if field is None:
                raise self.error(
                    f"{tok.text!r} needs a field before it",
                    tok,
                    "e.g. http.response.status_code>=400",
                )
            return self.comparison(field, tok)
        if kind is Tok.LRANGE:
            if field is None:
                raise self.error(
                    "a range needs a field before it", tok, "e.g. source.port:[1 TO 1023]"
                )
            return self.range(field, tok)
        if kind is Tok.RPAREN:
            raise self.error("unbalanced parenthesis: ')' without a matching '('", tok)
        if kind in (Tok.AND, Tok.OR):
            raise self.error(f"expected a term before '{tok.text}'", tok)
        raise self.error(f"expected a term, found {_describe(tok)}", tok)  # pragma: no cover

    def group(self, open_tok: Token, field: str | None, depth: int) -> Node:
        self.check_depth(open_tok, depth)
        if self.peek().kind is Tok.RPAREN:
            raise self.error("empty parentheses", self.peek())
        inner = self.or_expr(field, depth + 1)
        close = self.next()
        if close.kind is not Tok.RPAREN:
            if close.kind is Tok.EOF:
                raise self.error(
                    "unbalanced parenthesis: '(' is never closed", open_tok, "add the missing ')'"
                )
            raise self.error(f"expected ')', found {_describe(close)}", close)  # pragma: no cover
        return inner

    def field_term(self, tok: Token, depth: int) -> Node:
        name = tok.text
        if not tok.colon:
            return self.comparison(name, self.next())
        nxt = self.peek()
        if nxt.kind is Tok.CMP:
            return self.comparison(name, self.next())
        if nxt.kind is Tok.LPAREN:
            return self.group(self.next(), name, depth)
        if nxt.kind is Tok.LRANGE:
            return self.range(name, self.next())
        if nxt.kind in (Tok.WORD, Tok.PHRASE):
            return self.value(name, self.next())
        hint = None
        if nxt.kind in (Tok.AND, Tok.OR, Tok.NOT):
            hint = f'to search for the word {nxt.text!r}, quote it: {name}:"{nxt.text}"'
        raise self.error(f"expected a value after '{name}:', found {_describe(nxt)}", nxt, hint)

    def value(self, field: str, tok: Token) -> Node:
        if tok.kind is Tok.WORD and tok.wildcard:
            if tok.text == "*":
                return self.leaf(tok, Exists(field))
            if field == schema.TIMESTAMP:
                raise self.error(
                    "wildcards are not supported on @timestamp",
                    tok,
                    "use a range, e.g. @timestamp:[2026-11-01 TO 2026-11-02]",
                )
            return self.leaf(tok, Wildcard(field, tok.text))
        self.check_time(field, tok)
        return self.leaf(tok, Term(field, tok.text))

    def comparison(self, field: str, op: Token) -> Node:
        tok = self.next()
        if tok.kind not in (Tok.WORD, Tok.PHRASE) or tok.wildcard:
            raise self.error(
                f"expected a value after '{field}{op.text}', found {_describe(tok)}", tok
            )
        self.check_time(field, tok)
        low = tok.text if op.text[0] == ">" else None
        high = tok.text if op.text[0] == "<" else None
        inclusive = op.text.endswith("=")
        return self.leaf(
            tok, Range(field, low, high, inclusive or low is None, inclusive or high is None)
        )

    def range(self, field: str, open_tok: Token) -> Node:
        low = self.bound(field, open_tok)
        to = self.next()
        if to.kind is not Tok.TO:
            raise self.error(
                f"expected 'TO' in the range, found {_describe(to)}",
                to,
                "write field:[low TO high], with TO in capitals; use * for an open end",
            )
        high = self.bound(field, to)
        close = self.next()
        if close.kind is not Tok.RRANGE:
            raise self.error(
                f"expected ']' or '}}' to close the range, found {_describe(close)}", close
            )
        if low is None and high is None:
            return self.leaf(open_tok, Exists(field))
        # An open end's bracket means nothing: normalise it so equal ranges compare equal.
        include_low = open_tok.text == "[" or low is None
        include_high = close.text == "]" or high is None
        return self.leaf(open_tok, Range(field, low, high, include_low, include_high))

    def bound(self, field: str, after: Token) -> str | None:
        tok = self.next()
        if tok.kind not in (Tok.WORD, Tok.PHRASE):
            raise self.error(
                f"expected a range bound after {_describe(after)}, found {_describe(tok)}", tok
            )
        if tok.wildcard:
            if tok.text == "*":
                return None
            raise self.error(
                "wildcards are not allowed in range bounds", tok, "use * for an open end"
            )
        self.check_time(field, tok)
        return tok.text

    def check_time(self, field: str, tok: Token) -> None:
        if field != schema.TIMESTAMP:
            return
        try:
            timeparse.time_span(tok.text, _PROBE_NOW, UTC)
        except InputError as exc:
            raise self.error(exc.message, tok, exc.hint) from None


def parse(text: str) -> Node:
    """Parse a search query.

    Args:
        text: The query; empty (or only ``*``) matches everything.

    Returns:
        The root node of the query's syntax tree.

    Raises:
        QuerySyntaxError: If the query is not valid; ``position`` is the 0-based offset of
            the problem.
    """
    return _Parser(tokenize(text)).parse()

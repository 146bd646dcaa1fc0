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

from datetime import UTC, datetime

from garrison.core.errors import InputError, QuerySyntaxError
from garrison.events import schema
from garrison.search import timeparse
from garrison.search.lexer import TERM_START, Tok, Token, describe, tokenize
from garrison.search.nodes import (
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
    wildcard_regex,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_TERMS",
    "And",
    "Exists",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Range",
    "Term",
    "Text",
    "Wildcard",
    "is_number",
    "parse",
    "tokenize",
    "wildcard_like",
    "wildcard_regex",
]

#: Deepest nesting of parentheses and NOTs accepted (keeps recursion and SQL depth bounded).
MAX_DEPTH = 24
#: Most leaf terms in one query (SQLite refuses expressions nested ~1000 deep).
MAX_TERMS = 400
# Relative @timestamp values are checked at parse time against this arbitrary instant; the
# real "now" is applied when the query is compiled.
_PROBE_NOW = datetime(2000, 1, 1, tzinfo=UTC)


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
            raise self.error(f"unexpected {describe(tok)}", tok)
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
            elif tok.kind not in TERM_START:
                break
            items.append(self.unary(field, depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def expect_term(self, op: Token) -> None:
        tok = self.peek()
        if tok.kind not in TERM_START:
            raise self.error(f"expected a term after '{op.text}', found {describe(tok)}", tok)

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
        raise self.error(f"expected a term, found {describe(tok)}", tok)  # pragma: no cover

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
            raise self.error(f"expected ')', found {describe(close)}", close)  # pragma: no cover
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
        raise self.error(f"expected a value after '{name}:', found {describe(nxt)}", nxt, hint)

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
                f"expected a value after '{field}{op.text}', found {describe(tok)}", tok
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
                f"expected 'TO' in the range, found {describe(to)}",
                to,
                "write field:[low TO high], with TO in capitals; use * for an open end",
            )
        high = self.bound(field, to)
        close = self.next()
        if close.kind is not Tok.RRANGE:
            raise self.error(
                f"expected ']' or '}}' to close the range, found {describe(close)}", close
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
                f"expected a range bound after {describe(after)}, found {describe(tok)}", tok
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

"""The search language's lexer: query text to tokens, with positions for error messages."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from garrison.core.errors import QuerySyntaxError
from garrison.events import schema
from garrison.search.nodes import KEYWORDS, STOP

_STOP = STOP
_FIELD = re.compile(r"[A-Za-z0-9_@](?:[A-Za-z0-9_.@-]|\([A-Za-z0-9_.@-]*\))*(?=[:<>])")
_CMP = re.compile(r"[<>]=?")
COLON_HINT = (
    'quote values that contain ":" (IPv6 addresses, URLs, times), e.g. source.ip:"::1", '
    r"or escape each colon as \:"
)
_COLON_HINT = COLON_HINT


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


def describe(tok: Token) -> str:
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
TERM_START = frozenset({Tok.LPAREN, Tok.NOT, Tok.FIELD, Tok.WORD, Tok.PHRASE, Tok.CMP, Tok.LRANGE})

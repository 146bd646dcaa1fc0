"""The search language parser: precedence, escapes, fields, ranges, errors and positions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.errors import QuerySyntaxError
from garrison.search.query import (
    MAX_DEPTH,
    MAX_TERMS,
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
    parse,
    tokenize,
    wildcard_like,
    wildcard_regex,
)

a, b, c, d = (Text(x) for x in "abcd")


# -- structure ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("", MatchAll()),
        ("   ", MatchAll()),
        ("*", MatchAll()),
        ("a", a),
        ("a b", And((a, b))),
        ("a AND b", And((a, b))),
        ("a and b", And((a, b))),
        ("a && b", And((a, b))),
        ("a OR b", Or((a, b))),
        ("a or b || c", Or((a, b, c))),
        ("a OR b AND c", Or((a, And((b, c))))),
        ("a AND b OR c", Or((And((a, b)), c))),
        ("a b OR c d", Or((And((a, b)), And((c, d))))),
        ("NOT a AND b", And((Not(a), b))),
        ("NOT a OR b", Or((Not(a), b))),
        ("not a", Not(a)),
        ("NOT NOT a", Not(Not(a))),
        ("NOT (a OR b)", Not(Or((a, b)))),
        ("-a", Not(a)),
        ("!a b", And((Not(a), b))),
        ("a -b", And((a, Not(b)))),
        ("a OR -(b c)", Or((a, Not(And((b, c)))))),
        ("(a OR b) c", And((Or((a, b)), c))),
        ("(a OR b) AND (c OR d)", And((Or((a, b)), Or((c, d))))),
        ("((a))", a),
        ("a AND (b AND c)", And((a, And((b, c))))),
        ("a * b", And((a, MatchAll(), b))),
    ],
)
def test_boolean_structure(query: str, tree: Node) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("user.name:root", Term("user.name", "root")),
        ("user.name: root", Term("user.name", "root")),
        ("user.name:Root", Term("user.name", "Root")),
        ('user.name:"Jane Doe"', Term("user.name", "Jane Doe")),
        ('message:"say \\"hi\\""', Term("message", 'say "hi"')),
        ('message:"back\\\\slash"', Term("message", "back\\slash")),
        # A backslash before anything but " and \ stays: Windows paths need no doubling.
        ('file.path:"C:\\Windows\\System32"', Term("file.path", "C:\\Windows\\System32")),
        ('x:"a*b?"', Term("x", "a*b?")),
        ("x:a\\*b", Term("x", "a*b")),
        ("x:a\\ b\\:c\\(d\\)", Term("x", "a b:c(d)")),
        ("x:\\and", Term("x", "and")),
        ('x:"and"', Term("x", "and")),
        ("x:-5", Term("x", "-5")),
        ("x:!x", Term("x", "!x")),
        ("url.query:id=1&b=2", Term("url.query", "id=1&b=2")),
        ('source.ip:"::1"', Term("source.ip", "::1")),
        ("source.ip:fe80\\:\\:1", Term("source.ip", "fe80::1")),
        ("source.ip:10.0.0.1", Term("source.ip", "10.0.0.1")),
        ("user.name:adm*", Wildcard("user.name", "adm*")),
        ("url.path:*.php", Wildcard("url.path", "*.php")),
        ("user.name:?oot", Wildcard("user.name", "?oot")),
        ("x:a\\*b*", Wildcard("x", "a\\*b*")),
        ("x:a\\\\*", Wildcard("x", "a\\\\*")),
        ("x:*", Exists("x")),
        ('x:"*"', Term("x", "*")),
        ("x:\\*", Term("x", "*")),
        ("cs-uri-stem:/owa/auth.owa", Term("cs-uri-stem", "/owa/auth.owa")),
        ("cs(User-Agent):*sqlmap*", Wildcard("cs(User-Agent)", "*sqlmap*")),
        ("@timestamp:2026-11-01", Term("@timestamp", "2026-11-01")),
        ("@timestamp:2026-11-01T08:00:00", Term("@timestamp", "2026-11-01T08:00:00")),
        ("event.id:*", Exists("event.id")),
        ("2fa_enabled:true", Term("2fa_enabled", "true")),
        # Unquoted URLs read as field "http": documented, quote them.
        ("http://example.com", Term("http", "//example.com")),
    ],
)
def test_field_terms(query: str, tree: Node) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("fail", Text("fail")),
        ('"Failed password"', Text("Failed password")),
        ("fail*", Text("fail*", wildcard=True)),
        ("50%_off", Text("50%_off")),
        ('""', Text("")),
        ("\\-5", Text("-5")),
        ('"AND"', Text("AND")),
        ("TO", Text("TO")),
    ],
)
def test_free_text(query: str, tree: Node) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("p:[1 TO 5]", Range("p", "1", "5", True, True)),
        ("p:{1 TO 5}", Range("p", "1", "5", False, False)),
        ("p:[1 TO 5}", Range("p", "1", "5", True, False)),
        ("p:{1 TO 5]", Range("p", "1", "5", False, True)),
        ("p:[1 TO *]", Range("p", "1", None, True, True)),
        ("p:[1 TO *}", Range("p", "1", None, True, True)),
        ("p:{* TO 5}", Range("p", None, "5", True, False)),
        ("p:[* TO *]", Exists("p")),
        ('p:["a b" TO "c"]', Range("p", "a b", "c", True, True)),
        ("p: [ -5 TO 1.5 ]", Range("p", "-5", "1.5", True, True)),
        ("p>=400", Range("p", "400", None, True, True)),
        ("p>400", Range("p", "400", None, False, True)),
        ("p<500", Range("p", None, "500", True, False)),
        ("p<=500", Range("p", None, "500", True, True)),
        ("p:>=400", Range("p", "400", None, True, True)),
        ("p:<-1", Range("p", None, "-1", True, False)),
        ('p>"x y"', Range("p", "x y", None, False, True)),
        ("@timestamp>=now-1h", Range("@timestamp", "now-1h", None, True, True)),
        (
            "@timestamp:[2026-11-01T08:00:00 TO 2026-11-02T08:00:00+08:00}",
            Range("@timestamp", "2026-11-01T08:00:00", "2026-11-02T08:00:00+08:00", True, False),
        ),
        (
            '@timestamp<"2026-11-01 08:00"',
            Range("@timestamp", None, "2026-11-01 08:00", True, False),
        ),
    ],
)
def test_ranges_and_comparisons(query: str, tree: Node) -> None:
    assert parse(query) == tree


def test_field_groups_bind_the_field() -> None:
    action = "event.action"
    assert parse("event.action:(ssh_login OR sudo)") == Or(
        (Term(action, "ssh_login"), Term(action, "sudo"))
    )
    assert parse("x:(a b)") == And((Term("x", "a"), Term("x", "b")))
    assert parse("x:(NOT a OR -b* OR *)") == Or(
        (Not(Term("x", "a")), Not(Wildcard("x", "b*")), Exists("x"))
    )
    assert parse("status:(>=400 AND <500)") == And(
        (Range("status", "400", None, True, True), Range("status", None, "500", True, False))
    )
    assert parse('x:([1 TO 2] OR (3 OR "4"))') == Or(
        (Range("x", "1", "2"), Or((Term("x", "3"), Term("x", "4"))))
    )


def test_fields_lists_each_referenced_field_once_in_order() -> None:
    query = parse('user.name:root "x" (source.ip:1.2.3.4 OR user.name:a*) p>3 NOT q:*')
    assert query.fields() == ("user.name", "event.original", "source.ip", "p", "q")
    assert parse("").fields() == ()


def test_keywords_inside_words_are_plain_text() -> None:
    assert parse("ANDROID ORACLE notice") == And((Text("ANDROID"), Text("ORACLE"), Text("notice")))


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("(a", 0, "unbalanced parenthesis: '(' is never closed"),
        ("a (b (c)", 2, "unbalanced parenthesis: '(' is never closed"),
        ("a)", 1, "unbalanced parenthesis: ')' without a matching '('"),
        (")", 0, "unbalanced parenthesis: ')' without a matching '('"),
        ("()", 1, "empty parentheses"),
        ("x:()", 3, "empty parentheses"),
        ("x:(a", 2, "unbalanced parenthesis: '(' is never closed"),
        ("user.name:", 10, "expected a value after 'user.name:'"),
        ("source.ip: ", 11, "expected a value after 'source.ip:'"),
        ("user.name:)", 10, "expected a value after 'user.name:', found ')'"),
        ("user.name:and", 10, "expected a value after 'user.name:', found AND"),
        ("a AND", 5, "expected a term after 'AND'"),
        ("a OR", 4, "expected a term after 'OR'"),
        ("a OR OR b", 5, "expected a term after 'OR', found OR"),
        ("a AND OR b", 6, "expected a term after 'AND', found OR"),
        ("(a OR)", 5, "expected a term after 'OR', found ')'"),
        ("AND a", 0, "expected a term before 'AND'"),
        ("or", 0, "expected a term before 'or'"),
        ("NOT", 3, "expected a term after 'NOT'"),
        ("a NOT", 5, "expected a term after 'NOT'"),
        ("- a", 0, "'-' must be directly followed by the term it negates"),
        ("a !", 2, "'!' must be directly followed by the term it negates"),
        ("(a -)", 3, "'-' must be directly followed by the term it negates"),
        ('"abc', 0, "unterminated quoted phrase"),
        ('x:"abc\\"', 2, "unterminated quoted phrase"),
        ("a\\", 1, "dangling backslash at the end"),
        ("source.ip:::1", 10, "unexpected ':' in the value of source.ip"),
        ("source.ip:fe80::1", 14, "unexpected ':' in the value of source.ip"),
        (":x", 0, "unexpected ':'"),
        ("a b:", 4, "expected a value after 'b:'"),
        ("ü:x", 1, "unexpected ':'"),
        ("x:[1 TO 5", 9, "expected ']' or '}' to close the range"),
        ("x:[1 5]", 5, "expected 'TO' in the range, found '5'"),
        ("x:[1 to 5]", 5, "expected 'TO' in the range, found 'to'"),
        ("x:[1 TO]", 7, "expected a range bound after 'TO', found ']'"),
        ("x:[TO 5]", 3, "expected a range bound after '[', found 'TO'"),
        ("x:[a* TO b]", 3, "wildcards are not allowed in range bounds"),
        ("x:[a TO (b)]", 8, "unexpected '(' inside a range"),
        ("x:[a:b TO c]", 4, "unexpected ':' inside a range"),
        ("[1 TO 2]", 0, "a range needs a field before it"),
        ("]", 0, "unexpected ']' outside a range"),
        ("a }", 2, "unexpected '}' outside a range"),
        (">5", 0, "'>' needs a field before it"),
        ("x>", 2, "expected a value after 'x>='"[:25]),
        ("x>=*", 3, "expected a value after 'x>=', found '*'"),
        ("x>=(1)", 3, "expected a value after '>=', found '('"),
        ("x:>>5", 3, "expected a value after '>', found '>'"),
        ("x:(y:z)", 3, "cannot use field 'y' inside the group of x:"),
        ("@timestamp:yesterday", 11, "cannot understand the time 'yesterday'"),
        ("@timestamp:2026*", 11, "wildcards are not supported on @timestamp"),
        ("@timestamp>=2026-02-30", 12, "invalid date or time '2026-02-30'"),
        ("@timestamp:[now-1h TO later]", 22, "cannot understand the time 'later'"),
    ],
)
def test_syntax_errors_carry_position_and_message(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    error = info.value
    assert error.position == position
    assert message in error.message
    assert error.message.endswith(f"(at character {position + 1})")
    assert error.code == "query.syntax"


def test_errors_carry_useful_hints() -> None:
    hints = {}
    for query in ("source.ip:fe80::1", "user.name:or", "@timestamp:soon", "x:[1 to 2]", "- a"):
        with pytest.raises(QuerySyntaxError) as info:
            parse(query)
        hints[query] = info.value.hint or ""
    assert 'source.ip:"::1"' in hints["source.ip:fe80::1"]
    assert 'user.name:"or"' in hints["user.name:or"]
    assert "now-1h" in hints["@timestamp:soon"]
    assert "TO in capitals" in hints["x:[1 to 2]"]
    assert "NOT term" in hints["- a"]


def test_depth_limit() -> None:
    ok = "(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1)
    assert parse(ok) == a
    with pytest.raises(QuerySyntaxError, match="nests too deeply") as info:
        parse("(" * (MAX_DEPTH + 5) + "a" + ")" * (MAX_DEPTH + 5))
    assert info.value.position == MAX_DEPTH
    with pytest.raises(QuerySyntaxError, match="nests too deeply"):
        parse("NOT " * (MAX_DEPTH + 1) + "a")
    with pytest.raises(QuerySyntaxError, match="nests too deeply"):
        parse("-" * 10_000 + "a")  # never a RecursionError


def test_term_limit() -> None:
    assert len(parse(" OR ".join(f"x:{i}" for i in range(MAX_TERMS))).children()) == MAX_TERMS
    with pytest.raises(QuerySyntaxError, match="too many terms") as info:
        parse(" ".join(["w"] * (MAX_TERMS + 1)))
    assert info.value.position == 2 * MAX_TERMS


# -- helpers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("adm*", ["adm", "admin", "ADMIN"], ["xadmin", "ad"]),
        ("*.php", ["/a.php", ".php"], ["/a.php5", "/aphp"]),
        ("?oot", ["root", "Boot"], ["oot", "rroot"]),
        ("a\\*b", ["a*b"], ["axb", "ab"]),
        ("a\\?*", ["a?", "a?zz"], ["ab"]),
        ("c:\\\\*", ["c:\\windows"], ["c:/windows"]),
        ("50%_*", ["50%_off"], ["50xyoff"]),
    ],
)
def test_wildcard_regex(pattern: str, matches: list[str], misses: list[str]) -> None:
    regex = re.compile(wildcard_regex(pattern), re.IGNORECASE | re.DOTALL)
    assert all(regex.fullmatch(m) for m in matches)
    assert not any(regex.fullmatch(m) for m in misses)


def test_wildcard_like_escapes_like_specials() -> None:
    assert wildcard_like("50%_*") == "50\\%\\_%"
    assert wildcard_like("a?b") == "a_b"
    assert wildcard_like("a\\*b\\?c\\\\") == "a*b?c\\\\"
    assert wildcard_like("x/y%", escape="/") == "x//y/%"


def test_is_number() -> None:
    assert all(is_number(x) for x in ("0", "-5", "+5", "1.5", ".5", "5.", "1e3", "-2.5E-3"))
    assert not any(is_number(x) for x in ("", "-", "1.2.3", "0x10", "nan", "inf", "1e", "١٢"))


def test_tokens_have_positions() -> None:
    kinds = [(t.kind.name, t.pos, t.text) for t in tokenize('a:"b c" -(d>=1)')]
    assert kinds == [
        ("FIELD", 0, "a"),
        ("PHRASE", 2, "b c"),
        ("NOT", 8, "-"),
        ("LPAREN", 9, "("),
        ("FIELD", 10, "d"),
        ("CMP", 11, ">="),
        ("WORD", 13, "1"),
        ("RPAREN", 14, ")"),
        ("EOF", 15, ""),
    ]


# -- rendering and properties ---------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        'user.name:root AND NOT (source.ip:"::1" OR x:[1 TO 5}) "failed password"',
        'x:"a \\" b" y:a\\*b* cs(User-Agent):*Mozilla\\ 5* -z:* @timestamp>="2026-11-01T08:00"',
        'p:{* TO 5] OR q>=3 OR \\-x OR "AND" OR x:"TO" OR \'\'',
    ],
)
def test_rendering_round_trips(query: str) -> None:
    tree = parse(query)
    assert parse(str(tree)) == tree


FIELDS = st.sampled_from(["user.name", "source.ip", "cs(User-Agent)", "cs-uri-stem", "a.b_c@d"])
CHARS = st.characters(codec="utf-8")
LITERALS = st.text(CHARS, max_size=8) | st.sampled_from(["and", "OR", "TO", "-x", "!", "*", "?"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    """A canonical wildcard pattern with at least one wildcard that is not just '*'."""
    parts = draw(st.lists(st.sampled_from(["*", "?"]) | st.text(CHARS, max_size=4), max_size=5))
    out = "".join(p if p in ("*", "?") else re.sub(r"([*?\\])", r"\\\1", p) for p in parts)
    out = out + draw(st.sampled_from(["*", "?"]))
    return "?*" if out == "*" else out


def leaves() -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Term, FIELDS, LITERALS),
        st.builds(Wildcard, FIELDS, patterns()),
        st.builds(Exists, FIELDS),
        st.builds(lambda v: Text(v), LITERALS),
        st.builds(lambda p: Text(p, wildcard=True), patterns()),
        st.builds(
            lambda f, lo, hi, il, ih: Range(f, lo, hi, il or lo is None, ih or hi is None),
            FIELDS,
            st.none() | LITERALS,
            LITERALS,
            st.booleans(),
            st.booleans(),
        ),
        st.just(MatchAll()),
    )


trees = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_any_tree_renders_to_text_that_parses_back_to_it(tree: Node) -> None:
    assert parse(str(tree)) == tree


TOKENS = [
    "(", ")", "[", "]", "{", "}", "AND", "and", "OR", "||", "NOT", "-", "!", "TO", "*", "?",
    ":", ">=", "<", ">", "\\", '"', "a", "b*", "user.name:", "x:", "@timestamp:",
    "cs(User-Agent):", "now-1h", "2026-11-01", "08:00", '"q r"', "5", "-3", "é", " ", "\t",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14), st.lists(st.booleans(), max_size=14))
def test_random_token_sequences_parse_or_raise_syntax_errors(
    tokens: list[str], spaces: list[bool]
) -> None:
    text = "".join(t + (" " if i < len(spaces) and spaces[i] else "") for i, t in enumerate(tokens))
    check_parses_or_fails_cleanly(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_random_text_parses_or_raises_syntax_errors(text: str) -> None:
    check_parses_or_fails_cleanly(text)


def check_parses_or_fails_cleanly(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        assert exc.message
        return
    assert isinstance(tree, Node)
    assert parse(str(tree)) == tree  # whatever parses also round-trips


DOC_EXAMPLES = [
    "event.category:authentication AND event.outcome:failure AND NOT user.name:root",
    "source.ip:203.0.113.7 (event.category:web OR event.kind:alert)",
    "http.response.status_code>=500 @timestamp>=now-1h",
    "url.path:*.php -user_agent.original:*Googlebot*",
    '"Failed password" host.name:web-01',
    'delta:("-5" OR 0)',
    "user.name:* AND NOT user.name:root",
    "@timestamp:[2026-11-01 TO 2026-11-03}",
    '@timestamp>="2026-11-01 08:00"',
    'url.original:"https://example.com/a?b=1"',
    'process.executable:"C:\\Windows\\System32\\cmd.exe"',
    "event.id:3fa2*",
    "winlog.event_data.LogonType:3 requestParameters.bucketName:logs",
]


@pytest.mark.parametrize("query", DOC_EXAMPLES)
def test_documented_examples_parse(query: str) -> None:
    tree = parse(query)
    assert parse(str(tree)) == tree


def test_documented_escapes() -> None:
    assert parse("process.executable:C\\:\\\\Windows\\\\*\\\\cmd.exe") == Wildcard(
        "process.executable", "C:\\\\Windows\\\\*\\\\cmd.exe"
    )
    regex = re.compile(wildcard_regex("C:\\\\Windows\\\\*\\\\cmd.exe"), re.IGNORECASE)
    assert regex.fullmatch("c:\\windows\\system32\\cmd.exe")
    assert parse('delta:("-5" OR 0)') == Or((Term("delta", "-5"), Term("delta", "0")))
    assert parse("delta:-5") == Term("delta", "-5")

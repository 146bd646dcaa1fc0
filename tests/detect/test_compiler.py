"""Tests of the Sigma rule compiler."""

from __future__ import annotations

import base64
import fnmatch
import re
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

from garrison.detect import CompiledRule, UnsupportedRuleError, compile_rule, haystack, literals
from garrison.detect.literals import MIN_LITERAL_LENGTH
from garrison.events.model import Event
from garrison.normalize.base import ParseContext

CTX = ParseContext(stream="t", now=datetime(2026, 11, 23, tzinfo=UTC))


def event(original: str = "", **fields: Any) -> Event:
    """An event whose fields are given with ``__`` standing for ``.``."""
    flat = {name.replace("__", "."): value for name, value in fields.items()}
    return CTX.make(timestamp=None, dataset="x", original=original, offset=0, fields=flat)


def parse(text: str) -> SigmaRule:
    rules = SigmaCollection.from_yaml(text).rules
    assert len(rules) == 1
    rule = rules[0]
    assert isinstance(rule, SigmaRule)
    return rule


def compile_yaml(text: str) -> CompiledRule:
    return compile_rule(parse(text))


def rule_of(detection: str) -> CompiledRule:
    """Compile a rule from the ``detection`` block body (indented by 4)."""
    return compile_yaml("title: test\nlogsource:\n    product: test\ndetection:\n" + detection)


def assert_sound(rule: CompiledRule, ev: Event) -> None:
    """``required_any`` must hold for a matching event."""
    if rule.matches(ev) and rule.required_any:
        text = haystack(ev)
        assert any(s in text for s in rule.required_any), (rule.required_any, text)


SSHD = """
title: SSHD Failed Password
id: 5a8c6f3e-1b2d-4c3e-9f00-000000000001
status: test
author: Garrison tests
level: medium
tags:
    - attack.credential-access
    - attack.t1110
logsource:
    product: linux
    service: sshd
detection:
    keywords:
        - 'Failed password for'
        - 'Failed password for invalid user'
    condition: keywords
"""


def test_sshd_keywords_and_metadata() -> None:
    rule = compile_yaml(SSHD)
    assert rule.id == "5a8c6f3e-1b2d-4c3e-9f00-000000000001"
    assert rule.title == "SSHD Failed Password"
    assert rule.level == "medium"
    assert rule.tags == ["attack.credential-access", "attack.t1110"]
    assert rule.author == "Garrison tests"
    assert (rule.logsource.product, rule.logsource.service) == ("linux", "sshd")
    assert rule.logsource.category is None
    hit = event("Nov 23 10:00:01 host sshd[1]: FAILED PASSWORD for root from 10.0.0.1 port 22")
    assert rule.matches(hit)
    assert rule.matches(event("x", message="... failed password for bob"))
    assert not rule.matches(event("Accepted password for root from 10.0.0.1"))
    assert rule.required_any == {"failed password for", "failed password for invalid user"}
    assert_sound(rule, hit)


PROC = """
title: Suspicious Encoded PowerShell
logsource:
    product: windows
    category: process_creation
detection:
    selection_img:
        Image|endswith:
            - '\\powershell.exe'
            - '\\pwsh.exe'
    selection_cli:
        CommandLine|contains|all:
            - ' -nop '
            - 'bypass'
    filter:
        ParentImage|startswith: 'C:\\Program Files\\Trusted\\'
    condition: all of selection_* and not filter
"""


def test_process_creation_contains_all_endswith_list_not_filter() -> None:
    rule = compile_yaml(PROC)
    base = {
        "Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.EXE",
        "CommandLine": "powershell.exe -NoProfile -NOP -ExecutionPolicy ByPass -c x",
        "ParentImage": "C:\\Windows\\explorer.exe",
    }
    assert rule.matches(event(**base))
    assert rule.matches(event(**{**base, "Image": "D:\\tools\\pwsh.exe"}))
    assert not rule.matches(event(**{**base, "Image": "C:\\x\\powershell.exe.bak"}))
    assert not rule.matches(event(**{**base, "CommandLine": "powershell -nop -c x"}))
    trusted = {**base, "ParentImage": "c:\\program files\\trusted\\agent.exe"}
    assert not rule.matches(event(**trusted))
    assert not rule.matches(event(**{k: v for k, v in base.items() if k != "Image"}))
    # The missing filter field does not prevent the match (``not`` of a non-match).
    assert rule.matches(event(**{k: v for k, v in base.items() if k != "ParentImage"}))
    # Literals come from one AND-ed branch (the rarest: the longest); every match contains
    # one of them. ``endswith`` literals end with the line break that follows every value.
    assert rule.required_any == {"\\powershell.exe\n", "\\pwsh.exe\n"}
    assert_sound(rule, event(**base))


def test_one_of_selections() -> None:
    rule = rule_of(
        "    selection_a:\n        a: one\n    selection_b:\n        b: two\n"
        "    condition: 1 of selection_*\n"
    )
    assert rule.matches(event(a="ONE"))
    assert rule.matches(event(b="two"))
    assert not rule.matches(event(a="one1", b="tw"))
    # Whole-value matches are framed by the line breaks around every value of the haystack.
    assert rule.required_any == {"\none\n", "\ntwo\n"}


def test_wildcards_and_escapes() -> None:
    rule = rule_of("    sel:\n        f: 'a*b?c'\n    condition: sel\n")
    assert rule.matches(event(f="AxxB-C"))
    assert rule.matches(event(f="ab-c"))
    assert not rule.matches(event(f="abc"))
    assert not rule.matches(event(f="ab--c"))
    star = rule_of("    sel:\n        f: 'a\\*b'\n    condition: sel\n")
    assert star.matches(event(f="A*B"))
    assert not star.matches(event(f="axb"))
    multiline = rule_of("    sel:\n        f|contains: 'x'\n    condition: sel\n")
    assert multiline.matches(event(f="line1\nline x 2"))


def test_lists_of_event_values() -> None:
    rule = rule_of("    sel:\n        process.args: '-enc'\n    condition: sel\n")
    assert rule.matches(event(process__args=["powershell", "-ENC", "abc"]))
    assert not rule.matches(event(process__args=["powershell", "-encoded"]))
    assert not rule.matches(event(process__args=[]))


def test_numbers_and_gt() -> None:
    rule = rule_of(
        "    sel:\n        EventID: 4625\n        LogonType|gte: 3\n        Bytes|gt: 1000\n"
        "    condition: sel\n"
    )
    assert rule.matches(event(EventID=4625, LogonType="3", Bytes=1000.5))
    assert rule.matches(event(EventID="4625", LogonType=10, Bytes="2000"))
    assert not rule.matches(event(EventID=4624, LogonType=3, Bytes=2000))
    assert not rule.matches(event(EventID=4625, LogonType=2, Bytes=2000))
    assert not rule.matches(event(EventID=4625, LogonType=3, Bytes="lots"))
    assert not rule.matches(event(EventID=4625, LogonType=3, Bytes=True))
    assert rule.required_any == frozenset()
    lt = rule_of("    sel:\n        n|lt: 0.5\n    condition: sel\n")
    assert lt.matches(event(n=0.25))
    assert not lt.matches(event(n=0.5))


def test_regex_flags() -> None:
    rule = rule_of("    sel:\n        cmd|re: '\\s-e(nc)?\\s'\n    condition: sel\n")
    assert rule.matches(event(cmd="powershell -enc AAA"))
    assert not rule.matches(event(cmd="powershell -ENC AAA"))  # case-sensitive by default
    folded = rule_of("    sel:\n        cmd|re|i: '^POWERSHELL'\n    condition: sel\n")
    assert folded.matches(event(cmd="powershell -enc AAA"))
    assert not folded.matches(event(cmd="x powershell"))
    dotall = rule_of("    sel:\n        cmd|re|s: 'a.b'\n    condition: sel\n")
    assert dotall.matches(event(cmd="a\nb"))
    multi = rule_of("    sel:\n        cmd|re|m: '^b$'\n    condition: sel\n")
    assert multi.matches(event(cmd="a\nb"))
    assert rule.required_any == frozenset()


def test_cidr() -> None:
    rule = rule_of(
        "    sel:\n        source.ip|cidr:\n            - 10.0.0.0/8\n            - 'fd00::/8'\n"
        "    condition: sel\n"
    )
    assert rule.matches(event(source__ip="10.1.2.3"))
    assert rule.matches(event(source__ip="fd12::1"))
    assert not rule.matches(event(source__ip="192.168.1.1"))
    assert not rule.matches(event(source__ip="not an ip"))
    assert not rule.matches(event())


def test_exists_and_null() -> None:
    present = rule_of("    sel:\n        user.name|exists: true\n    condition: sel\n")
    absent = rule_of("    sel:\n        user.name|exists: false\n    condition: sel\n")
    null = rule_of("    sel:\n        user.name: null\n    condition: sel\n")
    empty = rule_of("    sel:\n        user.name: ''\n    condition: sel\n")
    with_user, without = event(user__name="root"), event()
    assert present.matches(with_user) and not present.matches(without)
    assert absent.matches(without) and not absent.matches(with_user)
    assert null.matches(without) and null.matches(event(user__name=None))
    assert not null.matches(with_user) and not null.matches(event(user__name=""))
    assert empty.matches(event(user__name="")) and not empty.matches(without)


def test_cased() -> None:
    rule = rule_of("    sel:\n        cmd|cased|contains: 'Invoke-Mimikatz'\n    condition: sel\n")
    assert rule.matches(event(cmd="x Invoke-Mimikatz y"))
    assert not rule.matches(event(cmd="x invoke-mimikatz y"))
    assert rule.required_any == {"invoke-mimikatz"}


def test_base64offset_contains() -> None:
    rule = rule_of(
        "    sel:\n        CommandLine|base64offset|contains: 'http://'\n    condition: sel\n"
    )
    for prefix in ("", "a", "ab", "abc"):
        encoded = base64.b64encode(f"{prefix}http://evil/".encode()).decode()
        ev = event(CommandLine=f"powershell -e {encoded}")
        assert rule.matches(ev), prefix
        assert_sound(rule, ev)
    plain = base64.b64encode(b"ftp://evil/").decode()
    assert not rule.matches(event(CommandLine=f"powershell -e {plain}"))


def test_windash() -> None:
    rule = rule_of("    sel:\n        CommandLine|windash|contains: ' -enc '\n    condition: sel\n")
    assert rule.matches(event(CommandLine="powershell -enc AAA"))
    assert rule.matches(event(CommandLine="powershell /ENC AAA"))
    assert rule.matches(event(CommandLine="powershell \u2013enc AAA"))
    assert not rule.matches(event(CommandLine="powershell +enc AAA"))
    assert rule.required_any == {
        " -enc ",
        " /enc ",
        " \u2013enc ",
        " \u2014enc ",
        " \u2015enc ",
    }


def test_fieldref() -> None:
    rule = rule_of("    sel:\n        user.name|fieldref: user.target.name\n    condition: sel\n")
    assert rule.matches(event(user__name="Root", user__target__name="root"))
    assert not rule.matches(event(user__name="root", user__target__name="admin"))
    assert not rule.matches(event(user__name="root"))
    prefix = rule_of("    sel:\n        a|fieldref|startswith: b\n    condition: sel\n")
    assert prefix.matches(event(a="abcdef", b="abc"))
    assert not prefix.matches(event(a="xabc", b="abc"))


def test_keyword_wildcards_and_field_values() -> None:
    rule = rule_of("    keywords:\n        - 'segfault at * error'\n    condition: keywords\n")
    assert rule.matches(event("kernel: app[1]: SEGFAULT at 0 ip x error 4"))
    assert rule.matches(event("", message="segfault at 7f error 6"))
    assert not rule.matches(event("segfault in lib"))


def test_neq_modifier_and_timestamp_part() -> None:
    rule = rule_of("    sel:\n        user.name|neq: root\n    condition: sel\n")
    assert rule.matches(event(user__name="bob"))
    assert not rule.matches(event(user__name="ROOT"))
    hour = rule_of("    sel:\n        '@timestamp|hour': 0\n    condition: sel\n")
    assert hour.matches(event())  # the context's "now" is midnight
    assert not rule_of("    sel:\n        '@timestamp|hour': 3\n    condition: sel\n").matches(
        event()
    )


def test_field_name_mapping() -> None:
    rule = compile_rule(
        parse(
            "title: t\nlogsource: {product: linux}\ndetection:\n"
            "    sel:\n        User: root\n    condition: sel\n"
        ),
        field_name=lambda name: {"User": "user.name"}.get(name, name),
    )
    assert rule.matches(event(user__name="root"))
    assert not rule.matches(event(User="root"))


def test_dataset_attribute_field() -> None:
    rule = rule_of("    sel:\n        event.dataset: X\n    condition: sel\n")
    assert rule.matches(event())
    assert_sound(rule, event())


def test_multiple_conditions_are_ored() -> None:
    rule = rule_of(
        "    a:\n        f: 1\n    b:\n        g: 2\n    condition:\n        - a\n        - b\n"
    )
    assert rule.matches(event(f=1)) and rule.matches(event(g=2))
    assert not rule.matches(event(f=2))


def test_unsupported_placeholder() -> None:
    with pytest.raises(UnsupportedRuleError, match="placeholder '%admins%'"):
        rule_of("    sel:\n        user.name|expand: '%admins%'\n    condition: sel\n")


def test_unsupported_condition_error_is_reported() -> None:
    rule = parse(
        "title: t\nlogsource: {product: linux}\ndetection:\n"
        "    sel:\n        a: 1\n    condition: sel and missing\n"
    )
    with pytest.raises(UnsupportedRuleError, match="missing"):
        compile_rule(rule)


def test_speed_smoke() -> None:
    """Not a benchmark: 20k events through the process rule in well under a second."""
    import time

    rule = compile_yaml(PROC)
    events = [
        event(
            Image=f"C:\\Windows\\{i}.exe",
            CommandLine=f"cmd /c {i}",
            ParentImage="C:\\x.exe",
        )
        for i in range(20_000)
    ]
    start = time.perf_counter()
    hits = sum(1 for ev in events if rule.matches(ev))
    assert hits == 0
    assert time.perf_counter() - start < 1.0


# --- property test: compiled rules agree with a reference evaluator -----------------------

FIELDS = ("a", "b", "c")
VALUE_CHARS = "abAB*?"
TEXT_CHARS = "abAB"


def reference_value(pattern: str, modifier: str, value: Any) -> bool:
    """Sigma string matching written plainly: fnmatch on lowercased text."""
    if modifier in ("contains", "endswith"):
        pattern = "*" + pattern
    if modifier in ("contains", "startswith"):
        pattern = pattern + "*"
    items = value if isinstance(value, list) else [value]
    return any(
        isinstance(item, str) and fnmatch.fnmatchcase(item.lower(), pattern.lower())
        for item in items
    )


def reference_selection(selection: dict[str, Any], ev: dict[str, Any]) -> bool:
    for key, values in selection.items():
        field, *mods = key.split("|")
        modifier = next((m for m in mods if m != "all"), "")
        if field not in ev or ev[field] is None:
            return False
        checks = [reference_value(v, modifier, ev[field]) for v in values]
        if not (all(checks) if "all" in mods else any(checks)):
            return False
    return True


def reference_condition(tree: Any, results: dict[str, bool]) -> bool:
    if isinstance(tree, str):
        return results[tree]
    if tree[0] == "not":
        return not reference_condition(tree[1], results)
    left, right = reference_condition(tree[1], results), reference_condition(tree[2], results)
    return left and right if tree[0] == "and" else left or right


def condition_text(tree: Any) -> str:
    if isinstance(tree, str):
        return tree
    if tree[0] == "not":
        return f"not ({condition_text(tree[1])})"
    return f"({condition_text(tree[1])} {tree[0]} {condition_text(tree[2])})"


patterns = st.text(VALUE_CHARS, min_size=0, max_size=4)
selection_items = st.dictionaries(
    st.tuples(
        st.sampled_from(FIELDS),
        st.sampled_from(["", "contains", "startswith", "endswith"]),
        st.booleans(),
    ),
    st.lists(patterns, min_size=1, max_size=3),
    min_size=1,
    max_size=2,
).map(
    lambda d: {
        "|".join([f, *([m] if m else []), *(["all"] if al and len(v) > 1 else [])]): v
        for (f, m, al), v in d.items()
    }
)


def trees(names: list[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.sampled_from(names),
        lambda inner: st.one_of(
            st.tuples(st.just("not"), inner),
            st.tuples(st.sampled_from(["and", "or"]), inner, inner),
        ),
        max_leaves=4,
    )


@st.composite
def rules_and_events(draw: st.DrawFn) -> tuple[dict[str, Any], Any, list[dict[str, Any]]]:
    count = draw(st.integers(1, 3))
    selections = {f"sel{i}": draw(selection_items) for i in range(count)}
    tree = draw(trees(list(selections)))
    texts = st.text(TEXT_CHARS, max_size=5)
    field_values = st.one_of(st.none(), texts, st.lists(texts, max_size=3))
    events = draw(
        st.lists(st.dictionaries(st.sampled_from(FIELDS), field_values), min_size=1, max_size=8)
    )
    return selections, tree, events


@settings(max_examples=300, deadline=None)
@given(rules_and_events(), st.booleans())
def test_matches_reference_and_required_any_is_sound(
    case: tuple[dict[str, Any], Any, list[dict[str, Any]]], short: bool
) -> None:
    selections, tree, events = case
    document = {
        "title": "random",
        "logsource": {"product": "test"},
        "detection": {**selections, "condition": condition_text(tree)},
    }
    # The generated strings are short: half the time accept literals of any length, so the
    # literals (and their line-break anchors) are checked, not only "no literal".
    with mock.patch.object(literals, "MIN_LITERAL_LENGTH", 1 if short else MIN_LITERAL_LENGTH):
        rule = compile_yaml(yaml.safe_dump(document))
    for fields in events:
        results = {name: reference_selection(sel, fields) for name, sel in selections.items()}
        expected = reference_condition(tree, results)
        ev = event("", **fields)
        assert rule.matches(ev) is expected, (document, fields)
        assert_sound(rule, ev)


def test_lone_star_matches_any_present_value() -> None:
    for detection in ("f: '*'", "f|contains: ''", "f: '**'"):
        rule = rule_of(f"    sel:\n        {detection}\n    condition: sel\n")
        assert rule.matches(event(f="anything")), detection
        assert rule.matches(event(f=""))
        assert rule.matches(event(f=3))
        assert not rule.matches(event())
        assert rule.required_any == frozenset()


# --- prefilter literals -----------------------------------------------------------------------


def test_regex_rules_get_literals() -> None:
    rule = rule_of(
        "    sel:\n        cmd|re: 'crontab\\s+.*--hide[-_]shadow8\\b'\n    condition: sel\n"
    )
    assert rule.required_any == {"--hide-shadow8", "--hide_shadow8"}
    hit = event(cmd="/usr/bin/crontab -q --hide_shadow8 now")
    assert rule.matches(hit)
    assert_sound(rule, hit)
    folded = rule_of("    sel:\n        cmd|re|i: 'MIMI.*KATZ'\n    condition: sel\n")
    assert folded.required_any == {"katz"}
    assert folded.matches(event(cmd="x mimi-Katz"))
    keyword = rule_of(
        "    keywords:\n        - '|re': 'evil[0-9]+[.]exe'\n    condition: keywords\n"
    )
    assert keyword.required_any in ({"evil"}, {".exe"})
    dropped = event("run EVIL7.exe", f="evil12.exe")
    assert keyword.matches(dropped)
    assert_sound(keyword, dropped)


def test_and_takes_the_rarest_part() -> None:
    """``POST`` (one short literal) loses to a list of long payloads."""
    rule = rule_of(
        "    sel:\n        http.request.method: POST\n"
        "        url.original|contains: ['/phpmyadmin/setup.php', 'cmd=union select']\n"
        "    condition: sel\n"
    )
    assert rule.required_any == {"/phpmyadmin/setup.php", "cmd=union select"}
    tmp = rule_of(
        "    img:\n        exe|startswith: ['/tmp/', '/dev/shm/']\n"
        "    cli:\n        cmd|contains: [' --reverse-shell', ' --dump-creds']\n"
        "    condition: img and cli\n"
    )
    assert tmp.required_any == {" --reverse-shell", " --dump-creds"}


def test_cased_non_ascii_literals_are_no_prefilter() -> None:
    """``"xaΣ".lower()`` ends in a final sigma, but inside ``"xaΣy"`` it lowercases to σ."""
    rule = rule_of("    sel:\n        f|cased|contains: 'xa\u03a3'\n    condition: sel\n")
    hit = event(f="xa\u03a3y")
    assert rule.matches(hit)
    assert_sound(rule, hit)
    assert rule.required_any == frozenset()


def test_too_short_literals_are_no_prefilter() -> None:
    alone = rule_of("    sel:\n        f|contains: '/'\n    condition: sel\n")
    assert alone.required_any == frozenset()
    assert alone.matches(event(f="/x"))
    both = rule_of(
        "    sel:\n        f|contains: 'a'\n        g|contains: 'payload'\n    condition: sel\n"
    )
    assert both.required_any == {"payload"}
    # An OR is only as good as its weakest alternative.
    either = rule_of(
        "    a:\n        f|contains: 'x'\n    b:\n        g|contains: 'payload'\n"
        "    condition: a or b\n"
    )
    assert either.required_any == frozenset()


def test_whole_value_literals_are_anchored_by_line_breaks() -> None:
    cases = {
        "f: 'Root'": {"\nroot\n"},
        "f|startswith: '/tmp/'": {"\n/tmp/"},
        "f|endswith: '/python'": {"/python\n"},
        "f|contains: 'evil'": {"evil"},
        "f: 'abc*defgh'": {"defgh\n"},
        "f: 'abcdef*g?'": {"\nabcdef"},
    }
    for detection, expected in cases.items():
        rule = rule_of(f"    sel:\n        {detection}\n    condition: sel\n")
        assert rule.required_any == expected, detection
    rule = rule_of("    sel:\n        f|endswith: '/python'\n    condition: sel\n")
    hit = event("ran /usr/bin/python", f=["x", "/usr/bin/PYTHON"])
    assert rule.matches(hit)
    assert_sound(rule, hit)
    # A value that merely contains it is no match, and need not be a candidate.
    assert "/python\n" not in haystack(event(f="/usr/bin/python3"))
    # event.original is framed too.
    original = rule_of("    sel:\n        event.original|startswith: 'GET '\n    condition: sel\n")
    assert original.required_any == {"\nget "}
    get = event("GET / HTTP/1.1")
    assert original.matches(get)
    assert_sound(original, get)


def test_fields_outside_the_haystack_offer_no_literal() -> None:
    for name in ("event.id", "@timestamp", "event.dataset"):
        rule = rule_of(f"    sel:\n        '{name}|contains': 'abcdef'\n    condition: sel\n")
        assert rule.required_any == frozenset(), name
    # Also when the field mapping (not the rule) names them.
    parsed = parse(
        "title: t\nlogsource:\n    product: t\n"
        "detection:\n    sel:\n        Guid|contains: 'abcdef'\n    condition: sel\n"
    )
    mapped = compile_rule(parsed, lambda name: "event.id" if name == "Guid" else name)
    assert mapped.required_any == frozenset()


SINGLE_CHARS = "abcsiAB-_ \u0130\u017f\u03a3\u03c3"


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["", "|contains", "|startswith", "|endswith", "|cased", "|cased|contains", "|re", "|re|i"]
    ),
    st.text(SINGLE_CHARS, min_size=1, max_size=6),
    st.lists(st.text(SINGLE_CHARS, max_size=10), min_size=1, max_size=3),
)
def test_required_any_is_sound_for_single_values(
    modifier: str, value: str, texts: list[str]
) -> None:
    """Random values of every string modifier and regexes, against related texts.

    The alphabet holds the letters whose lowercase depends on the context (Σ) or is not one
    ASCII letter (İ, ſ).
    """
    if modifier.startswith("|re"):
        try:
            re.compile(value)
        except re.error:
            return
    document = {
        "title": "random",
        "logsource": {"product": "test"},
        "detection": {"sel": {f"f{modifier}": value}, "condition": "sel"},
    }
    with mock.patch.object(literals, "MIN_LITERAL_LENGTH", 1):
        rule = compile_yaml(yaml.safe_dump(document))
    for text in [*texts, value, value.upper(), f"x{value}y", value.swapcase()]:
        assert_sound(rule, event(text, f=text))
        assert_sound(rule, event("", f=[text, "zz"]))

"""The engine finds exactly what evaluating every rule finds, while evaluating fewer rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError
from sigma.types import SigmaRegularExpression

from garrison.detect import literals
from garrison.detect.compiler import CompiledRule, LogSource, compile_rule
from garrison.detect.engine import Engine
from garrison.detect.literals import MIN_LITERAL_LENGTH
from garrison.events.model import Event
from garrison.normalize.base import ParseContext
from tests.detect.regex_strategies import regexes
from tests.detect.test_compiler import condition_text, trees

RULES = """
title: SSH failed password
id: 00000000-0000-4000-8000-000000000001
author: Garrison
logsource: {product: linux, service: auth}
detection:
    selection: {event.action: ssh_login, event.outcome: failure}
    condition: selection
level: medium
---
title: Root login
id: 00000000-0000-4000-8000-000000000002
logsource: {product: linux, service: auth}
detection:
    selection: {user.name: root, event.outcome: success}
    condition: selection
level: high
---
title: SQL injection in query
id: 00000000-0000-4000-8000-000000000003
logsource: {category: webserver}
detection:
    selection:
        url.query|contains: ['union select', "' or 1=1"]
    condition: selection
level: high
---
title: Server errors
id: 00000000-0000-4000-8000-000000000004
logsource: {category: webserver}
detection:
    selection:
        http.response.status_code|gte: 500
    condition: selection
level: low
---
title: Shadow read anywhere
id: 00000000-0000-4000-8000-000000000005
logsource: {product: unknownproduct}
detection:
    keywords: ['/etc/shadow']
    condition: keywords
level: high
"""

ROUTES = {
    ("linux", None, "auth"): frozenset({"linux.auth"}),
    (None, "webserver", None): frozenset({"web.access"}),
}


def router(source: LogSource) -> frozenset[str] | None:
    return ROUTES.get((source.product, source.category, source.service))


def compiled() -> list[CompiledRule]:
    return [compile_rule(r) for r in SigmaCollection.from_yaml(RULES).rules]  # type: ignore[arg-type]


CTX = ParseContext(stream="t", now=datetime(2026, 11, 23, tzinfo=UTC))


def event(dataset: str, original: str, offset: int = 0, **fields: object) -> Event:
    return CTX.make(
        timestamp=None,
        dataset=dataset,
        original=original,
        offset=offset,
        fields={k.replace("__", "."): v for k, v in fields.items()},
    )


def titles(engine: Engine, ev: Event) -> list[str]:
    return [m.rule.title for m in engine.match(ev)]


def test_routing_and_prefilter_find_the_right_rules() -> None:
    engine = Engine(compiled(), router)
    ssh = event(
        "linux.auth",
        "Failed password for root",
        event__action="ssh_login",
        event__outcome="failure",
    )
    web = event(
        "web.access",
        "GET /?q=1",
        url__query="id=1 UNION SELECT password",
        http__response__status_code=200,
    )
    err = event("web.access", "GET /x", 1, url__query="", http__response__status_code=503)
    shadow = event("linux.syslog", "cat /etc/shadow", 2)
    assert titles(engine, ssh) == ["SSH failed password"]
    assert titles(engine, web) == ["SQL injection in query"]
    assert titles(engine, err) == ["Server errors"]
    assert titles(engine, shadow) == ["Shadow read anywhere"]


def test_rules_of_other_datasets_are_never_evaluated() -> None:
    engine = Engine(compiled(), router)
    web = event("web.access", "GET /", url__query="a=b", http__response__status_code=200)
    engine.match(web)
    # web.access holds 2 web rules + the unrouted one; the numeric rule has no literal and
    # is always a candidate; the others are filtered by their literals.
    assert engine.stats.candidates == 1 and engine.stats.evaluated_rules_skipped == 2


values = st.sampled_from(
    [
        "ssh_login",
        "failure",
        "success",
        "root",
        "alice",
        "union select",
        "x' or 1=1",
        "/etc/shadow",
        "",
        "503",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["linux.auth", "web.access", "linux.syslog"]),
            st.dictionaries(
                st.sampled_from(
                    [
                        "event.action",
                        "event.outcome",
                        "user.name",
                        "url.query",
                        "http.response.status_code",
                    ]
                ),
                st.one_of(values, st.integers(0, 600)),
                max_size=5,
            ),
            values,
        ),
        max_size=20,
    )
)
def test_engine_agrees_with_evaluating_every_routed_rule(
    specs: list[tuple[str, dict[str, object], str]],
) -> None:
    rules = compiled()
    engine = Engine(rules, router)
    for offset, (dataset, fields, raw) in enumerate(specs):
        ev = CTX.make(
            timestamp=None, dataset=dataset, original=raw, offset=offset, fields=dict(fields)
        )
        expected = [
            r.title
            for r in rules
            if (router(r.logsource) is None or dataset in (router(r.logsource) or ()))
            and r.matches(ev)
        ]
        assert titles(engine, ev) == expected


def test_log_source_restriction_is_not_taken_as_the_prefilter() -> None:
    """The dataset condition `prepare` adds matches every routed event: useless as a filter."""
    from garrison.rules.pipelines import load_pipelines, prepare

    (rule,) = SigmaCollection.from_yaml(
        """
title: Reverse shell
logsource: {product: linux, category: process_creation}
detection:
    selection:
        CommandLine|contains: ['/dev/tcp/', 'nc -e ']
    condition: selection
"""
    ).rules
    compiled_rule = compile_rule(prepare(rule, load_pipelines()))  # type: ignore[arg-type]
    assert compiled_rule.required_any == frozenset({"/dev/tcp/", "nc -e "})


# --- random rule sets: the prefilter never drops a match --------------------------------------

FIELDS = ("a", "b", "c")
MODIFIERS = ("", "|contains", "|startswith", "|endswith", "|contains|all", "|re", "|re|i")
PATTERN_CHARS = "abcxyzAB-*?"
TEXT_CHARS = "abcxyzAB- \u0130\u017f"


def _sigma_regex(pattern: str) -> bool:
    """Whether Python compiles ``pattern`` and pySigma accepts it (its engine may be RE2)."""
    try:
        re.compile(pattern)
        SigmaRegularExpression(pattern)
    except (re.error, SigmaError):
        return False
    return True


REGEXES = regexes().filter(_sigma_regex)


def _plain(pattern: str) -> str:
    """A text a value pattern likely matches (wildcards filled in)."""
    return pattern.replace("*", "").replace("?", "a").replace("\\", "")


@st.composite
def rule_sets_and_events(
    draw: st.DrawFn,
) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    documents: list[dict[str, Any]] = []
    pieces: list[str] = ["abc"]
    for index in range(draw(st.integers(1, 6))):
        selections: dict[str, Any] = {}
        for number in range(draw(st.integers(1, 3))):
            if draw(st.integers(0, 5)) == 0:
                words = draw(st.lists(st.text(PATTERN_CHARS, min_size=1, max_size=6), min_size=1))
                selections[f"sel{number}"] = words
                pieces.extend(_plain(w) for w in words)
                continue
            selection: dict[str, Any] = {}
            for _ in range(draw(st.integers(1, 2))):
                modifier = draw(st.sampled_from(MODIFIERS))
                if modifier.startswith("|re"):
                    values = draw(st.lists(REGEXES, min_size=1, max_size=2))
                    pieces.extend(
                        draw(st.from_regex(value, fullmatch=True))[:12] for value in values
                    )
                else:
                    values = draw(
                        st.lists(st.text(PATTERN_CHARS, min_size=1, max_size=6), min_size=1)
                    )
                    pieces.extend(_plain(v) for v in values)
                selection[f"{draw(st.sampled_from(FIELDS))}{modifier}"] = values
            selections[f"sel{number}"] = selection
        tree = draw(trees(list(selections)))
        documents.append(
            {
                "title": f"r{index}",
                "logsource": {"product": "test"},
                "detection": {**selections, "condition": condition_text(tree)},
            }
        )
    texts = st.one_of(
        st.text(TEXT_CHARS, max_size=8),
        st.sampled_from(pieces),
        st.tuples(st.text(TEXT_CHARS, max_size=2), st.sampled_from(pieces)).map("".join),
        st.tuples(st.sampled_from(pieces), st.text(TEXT_CHARS, max_size=2)).map("".join),
    )
    values = st.one_of(texts, texts.map(str.upper), st.lists(texts, max_size=3), st.none())
    events = draw(
        st.lists(
            st.tuples(texts, st.dictionaries(st.sampled_from(FIELDS), values)),
            min_size=1,
            max_size=6,
        )
    )
    return documents, events


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_sets_and_events(), st.booleans())
def test_engine_agrees_with_evaluating_every_rule_on_random_rule_sets(
    case: tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]], short: bool
) -> None:
    """Strings, wildcards, regexes and keywords under AND/OR/NOT: the engine finds exactly
    what evaluating every rule finds (half the time with literals of any length)."""
    documents, specs = case
    text = "---\n".join(yaml.safe_dump(d) for d in documents)
    with mock.patch.object(literals, "MIN_LITERAL_LENGTH", 1 if short else MIN_LITERAL_LENGTH):
        rules = [compile_rule(r) for r in SigmaCollection.from_yaml(text).rules]  # type: ignore[arg-type]
    engine = Engine(rules, lambda source: None)
    for offset, (raw, fields) in enumerate(specs):
        ev = CTX.make(timestamp=None, dataset="x", original=raw, offset=offset, fields=fields)
        assert titles(engine, ev) == [r.title for r in rules if r.matches(ev)], (text, raw, fields)

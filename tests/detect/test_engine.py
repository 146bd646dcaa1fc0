"""The engine finds exactly what evaluating every rule finds, while evaluating fewer rules."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sigma.collection import SigmaCollection

from garrison.detect.compiler import CompiledRule, LogSource, compile_rule
from garrison.detect.engine import Engine
from garrison.events.model import Event
from garrison.normalize.base import ParseContext

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

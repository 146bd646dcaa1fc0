"""CEL expressions and ``${{ }}`` templates: data is never evaluated."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.respond.expressions import ExpressionError, Functions, Scope, templates_in

SCOPE = Scope(
    {"alert": {"source_ip": "10.1.2.3", "tags": ["a", "b"], "count": 7, "user": "root"}},
    Functions(internal=("10.0.0.0/8",), never_block=("127.0.0.0/8",)),
)


def test_conditions_and_functions() -> None:
    assert SCOPE.truth("is_internal(alert.source_ip) && alert.count > 5")
    assert not SCOPE.truth("never_block(alert.source_ip)")
    assert SCOPE.truth("in_cidr(alert.source_ip, '10.1.0.0/16') && is_ip(alert.source_ip)")
    assert not SCOPE.truth("is_ip('not an ip') || in_cidr('x', 'y')")
    assert SCOPE.truth("'a' in alert.tags && alert.tags.exists(t, t == 'b')")


def test_a_whole_template_keeps_its_type_and_mixed_text_is_text() -> None:
    assert SCOPE.render("${{ alert.tags }}") == ["a", "b"]
    assert SCOPE.render("${{ alert.count }}") == 7
    assert SCOPE.render("n=${{ alert.count }} ip=${{ alert.source_ip }}") == "n=7 ip=10.1.2.3"
    assert SCOPE.render({"k": ["${{ alert.user }}", 3]}) == {"k": ["root", 3]}


def test_errors_are_clear() -> None:
    with pytest.raises(ExpressionError, match="no field 'nope'"):
        SCOPE.evaluate("alert.nope")
    with pytest.raises(ExpressionError, match="does not compile"):
        SCOPE.evaluate("alert.count +")
    with pytest.raises(ExpressionError, match="not true/false"):
        SCOPE.truth("alert.count")
    with pytest.raises(ExpressionError, match="failed"):
        SCOPE.evaluate("alert.count / 0")
    with pytest.raises(ExpressionError, match="empty"):
        SCOPE.evaluate("  ")


def test_templates_are_found() -> None:
    assert templates_in("a ${{ x.y }} b ${{z}}") == ["x.y", "z"]


PAYLOADS = st.sampled_from(
    ["${{ 7*7 }}", "{{ 7*7 }}", "$(reboot)", "`id`", "; rm -rf /", "\n${{ alert }}", "{% x %}"]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(PAYLOADS, st.text(max_size=40)), min_size=1, max_size=4).map("".join))
def test_values_from_events_are_data_never_code(payload: str) -> None:
    scope = Scope({"alert": {"message": payload}})
    assert scope.render("${{ alert.message }}") == payload
    assert scope.render("m: ${{ alert.message }}") == "m: " + payload

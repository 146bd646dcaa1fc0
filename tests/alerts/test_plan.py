from __future__ import annotations

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule

from garrison.alerts.plan import CorrelationPlan

BASE = """
title: base
name: base
logsource: {product: linux, service: auth}
detection: {sel: {a: b}, condition: sel}
"""


def corr(name: str, refs: list[str], kind: str = "event_count", generate: bool = False) -> str:
    condition = "" if kind.startswith("temporal") else "    condition: {gte: 2}\n"
    return (
        f"title: {name}\nname: {name}\n"
        + ("correlation:\n" if not generate else "correlation:\n    generate: true\n")
        + f"    type: {kind}\n    rules: [{', '.join(refs)}]\n    group-by: [source.ip]\n"
        + "    timespan: 5m\n"
        + condition
    )


def plan_of(*docs: str) -> CorrelationPlan:
    collection = SigmaCollection.from_yaml("---\n".join(docs))
    return CorrelationPlan([r for r in collection if isinstance(r, SigmaCorrelationRule)])


def test_correlations_come_after_the_correlations_they_reference() -> None:
    plan = plan_of(
        corr("second", ["first", "base"], "temporal_ordered"), corr("first", ["base"]), BASE
    )
    assert [c.key for c in plan.correlations] == ["first", "second"]
    assert plan.dependents("first") == [(1, "first")]
    assert {i for i, _ in plan.dependents("base")} == {0, 1}
    # Base rules report only through their correlations; correlations always report.
    assert plan.silent == {"base"}


def test_generate_true_keeps_the_base_rule_reporting() -> None:
    plan = plan_of(corr("first", ["base"], generate=True), BASE)
    assert plan.silent == set()


def test_a_reference_cycle_is_unsupported_not_skipped_silently() -> None:
    plan = plan_of(corr("a", ["b", "base"], "temporal"), corr("b", ["a", "base"], "temporal"), BASE)
    assert plan.correlations == []
    assert sorted(rule.name for rule, _ in plan.unsupported) == ["a", "b"]

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.alerts.suppress import Pattern, Suppression, SuppressionSet, parse_conditions
from garrison.core.errors import InputError

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def make(rule: str | None = "r1", until: datetime | None = None, **conditions: str) -> Suppression:
    return Suppression(
        id=1,
        rule_id=rule,
        conditions={k.replace("_", "."): v for k, v in conditions.items()},
        reason="scanner of the security team",
        created_by="alice",
        created_at=NOW,
        until=until,
    )


def test_exact_glob_and_cidr_values() -> None:
    assert Pattern.parse("Admin").matches("admin")
    assert not Pattern.parse("admin").matches("administrator")
    assert Pattern.parse("svc-*").matches("SVC-backup")
    assert Pattern.parse("10.0.0.0/8").matches("10.20.30.40")
    assert not Pattern.parse("10.0.0.0/8").matches("11.0.0.1")
    assert not Pattern.parse("10.0.0.0/8").matches("not an ip")
    assert Pattern.parse("2001:db8::/32").matches("2001:db8::1")
    assert Pattern.parse("x").matches(["a", "X"])
    assert not Pattern.parse("x").matches(None)


@given(st.ip_addresses(v=4), st.integers(min_value=0, max_value=32))
def test_cidr_patterns_agree_with_ipaddress(address: ipaddress.IPv4Address, prefix: int) -> None:
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    pattern = Pattern.parse(str(network))
    assert pattern.matches(str(address))
    outside = ipaddress.ip_address((int(network.broadcast_address) + 1) % 2**32)
    assert pattern.matches(str(outside)) is (outside in network)


@given(st.text(alphabet="abcXYZ-._ 0", min_size=1, max_size=12))
def test_a_value_without_wildcards_matches_itself_in_any_case(text: str) -> None:
    if text.strip():
        assert Pattern.parse(text).matches(text.upper())


def test_rule_and_all_conditions_must_match() -> None:
    item = make(source_ip="10.0.0.0/8", user_name="scanner")
    assert item.matches("r1", {"source.ip": "10.1.1.1", "user.name": "Scanner"})
    assert not item.matches("r1", {"source.ip": "10.1.1.1", "user.name": "bob"})
    assert not item.matches("r2", {"source.ip": "10.1.1.1", "user.name": "scanner"})
    assert make(rule=None, source_ip="10.0.0.5").matches("any", {"source.ip": "10.0.0.5"})


def test_snoozes_expire_and_hits_are_counted() -> None:
    snooze = make(until=NOW + timedelta(hours=1), source_ip="10.0.0.5")
    assert snooze.active(NOW) and not snooze.active(NOW + timedelta(hours=1))
    assert SuppressionSet([snooze], NOW + timedelta(hours=2)).items == []
    active = SuppressionSet([snooze], NOW)
    assert active.check("r1", {"source.ip": "10.0.0.5"}) is snooze
    assert active.check("r1", {"source.ip": "10.0.0.6"}) is None
    assert active.hits == {1: 1}


def test_invalid_suppressions_are_refused() -> None:
    with pytest.raises(InputError, match="rule or at least one"):
        make(rule=None)
    with pytest.raises(InputError, match="reason"):
        Suppression(None, "r1", {}, " ", "alice", NOW)
    with pytest.raises(InputError, match="invalid condition"):
        parse_conditions(["source.ip"])
    assert parse_conditions(["source.ip = 10.0.0.5", "user.name=a=b"]) == {
        "source.ip": "10.0.0.5",
        "user.name": "a=b",
    }

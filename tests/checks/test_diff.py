"""Comparing a scan with the previous scan of the same target."""

from __future__ import annotations

from datetime import timedelta

from garrison.checks.base import Status
from garrison.checks.diff import diff_scans
from garrison.checks.frameworks import framework
from tests.checks.frameworks.samples import CHECKS, T0, finding, host_scan, scan


def test_fixed_new_and_still() -> None:
    before = host_scan()
    after_findings = [
        *(f for f in host_scan(fixed=True).findings if f.check_id != "accounts_empty_password"),
        # The same empty password, moved to another line: still the same finding.
        finding(
            "accounts_empty_password",
            Status.FAIL,
            resource="/etc/shadow",
            message="account has an empty password",
            line=9,
        ),
        finding("auditd_enabled", Status.FAIL, resource="auditd", message="auditd stopped"),
    ]
    after = scan(after_findings, at=T0 + timedelta(days=1))
    change = diff_scans(after, before, frameworks=[framework("dengbao")], checks=CHECKS)
    assert [f.check_id for f in change.new] == ["auditd_enabled"]
    assert [f.check_id for f in change.fixed] == ["ssh_root_login"]
    assert [(f.check_id, f.line) for f in change.still] == [("accounts_empty_password", 9)]
    assert change.unverified == ()
    assert change.changed
    assert change.previous_finished == before.finished
    (delta,) = change.scores
    assert delta.framework == "dengbao"
    assert delta.before == 25.0 and delta.after is not None
    assert delta.delta == round(delta.after - delta.before, 1)


def test_a_check_that_did_not_run_is_not_fixed() -> None:
    before = host_scan()
    after = scan(
        [f for f in host_scan().findings if f.check_id != "ssh_root_login"],
        check_ids=("accounts_empty_password", "account_lockout", "auditd_enabled"),
    )
    change = diff_scans(after, before)
    assert change.fixed == ()
    assert [f.check_id for f in change.unverified] == ["ssh_root_login"]
    assert change.scores == ()


def test_without_a_previous_scan_everything_is_new() -> None:
    change = diff_scans(host_scan(), None, frameworks=[framework("dengbao")], checks=CHECKS)
    assert {f.check_id for f in change.new} == {"ssh_root_login", "accounts_empty_password"}
    assert change.fixed == change.still == ()
    assert change.scores[0].before is None and change.scores[0].delta is None

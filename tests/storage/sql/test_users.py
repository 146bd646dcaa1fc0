"""Accounts on SQLite and PostgreSQL: policy, MFA, lockout, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from garrison.alerts.query import AlertFilter
from garrison.auth import totp
from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError
from garrison.platform import Platform
from garrison.settings import Settings
from garrison.storage.sql.users import LoginOutcome

GOOD = "Correct-Horse-7-Battery"


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def test_an_admin_needs_a_totp_code_and_a_code_works_once(
    platform: Platform, clock: FrozenClock
) -> None:
    users = platform.users
    user, enrolment = users.create("zhang.wei", "admin", GOOD, actor="cli:root")
    assert enrolment is not None and not user.mfa_enrolled
    assert users.authenticate("zhang.wei", GOOD) == (LoginOutcome.MFA_REQUIRED, None)
    assert users.authenticate("zhang.wei", GOOD, "000000")[0] in (
        LoginOutcome.BAD_MFA,
        LoginOutcome.OK,  # one in a million: the random code is right
    )
    code = totp.code_at(enrolment.secret, clock.now())
    outcome, logged_in = users.authenticate("zhang.wei", GOOD, code, source="10.0.0.5")
    assert outcome is LoginOutcome.OK and logged_in is not None and logged_in.mfa_enrolled
    assert users.authenticate("zhang.wei", GOOD, code)[0] is LoginOutcome.BAD_MFA  # replay


def test_weak_duplicate_and_invalid_accounts_are_refused(platform: Platform) -> None:
    users = platform.users
    with pytest.raises(InputError, match="does not meet the policy"):
        users.create("li.na", "analyst", "Admin@123", actor="cli:root")
    with pytest.raises(InputError, match="unknown role"):
        users.create("li.na", "root", GOOD, actor="cli:root")
    with pytest.raises(InputError, match="invalid user name"):
        users.create("Li Na", "analyst", GOOD, actor="cli:root")
    users.create("li.na", "analyst", GOOD, actor="cli:root")
    with pytest.raises(InputError, match="exists"):
        users.create("li.na", "auditor", GOOD, actor="cli:root")
    assert users.authenticate("li.na", GOOD)[0] is LoginOutcome.OK  # analysts: no MFA by default


def test_five_failures_lock_the_account_raise_an_alert_and_are_audited(
    platform: Platform, clock: FrozenClock
) -> None:
    users = platform.users
    users.create("li.na", "analyst", GOOD, actor="cli:root")
    for _ in range(4):
        assert users.authenticate("li.na", "wrong", source="203.0.113.9")[0] is (
            LoginOutcome.BAD_CREDENTIALS
        )
        clock.advance(timedelta(seconds=30))
    assert users.authenticate("li.na", "wrong", source="203.0.113.9")[0] is (
        LoginOutcome.BAD_CREDENTIALS
    )
    assert users.authenticate("li.na", GOOD)[0] is LoginOutcome.LOCKED
    (alert,) = platform.alerts.search(AlertFilter())
    assert alert.alert.rule_id == "garrison.auth.lockout"
    assert alert.alert.group == {"user.name": "li.na", "source.ip": "203.0.113.9"}
    assert alert.alert.count == 5
    clock.advance(timedelta(minutes=15))
    assert users.authenticate("li.na", GOOD)[0] is LoginOutcome.OK
    actions = [e.action for e in platform.audit_entries()]
    assert actions.count("login.failure") == 6 and "user.lock" in actions
    assert actions[0] == "login.success" and actions[-1] == "user.create"
    assert platform.audit_verify().ok
    # Unknown names fail the same way and lock nothing.
    assert users.authenticate("nobody", GOOD)[0] is LoginOutcome.BAD_CREDENTIALS


def test_disabled_expired_and_reused_passwords(platform: Platform, clock: FrozenClock) -> None:
    users = platform.users
    users.create("li.na", "analyst", GOOD, actor="cli:root")
    users.change_password("li.na", GOOD + "2", actor="user:li.na")
    with pytest.raises(InputError, match="used recently"):
        users.change_password("li.na", GOOD, actor="user:li.na")
    clock.advance(timedelta(days=91))
    assert users.authenticate("li.na", GOOD + "2")[0] is LoginOutcome.PASSWORD_EXPIRED
    users.disable("li.na", actor="cli:root", reason="left")
    assert users.authenticate("li.na", GOOD + "2")[0] is LoginOutcome.DISABLED
    assert users.get("li.na").disabled
    users.enable("li.na", actor="cli:root", reason="back")
    enrolment = users.reset_mfa("li.na", actor="cli:root", reason="new phone")
    assert enrolment.uri.startswith("otpauth://")
    # An analyst with a new secret still logs in without a code until enrolled.
    assert users.authenticate("li.na", GOOD + "2")[0] is LoginOutcome.PASSWORD_EXPIRED


def test_second_factor_finishes_a_login_and_counts_failures(
    platform: Platform, clock: FrozenClock
) -> None:
    users = platform.users
    _, enrolment = users.create("zhang.wei", "admin", GOOD, actor="cli:root")
    users.create("li.na", "analyst", GOOD, actor="cli:root")
    assert enrolment is not None
    # Before the first code the console may show the enrolment; afterwards never again.
    pending = users.pending_enrolment("zhang.wei")
    assert pending is not None and pending.secret == enrolment.secret
    assert users.pending_enrolment("li.na") is None
    for _ in range(4):
        assert users.second_factor("zhang.wei", "000000")[0] in (
            LoginOutcome.BAD_MFA,
            LoginOutcome.OK,
        )
    # An account without a second factor cannot be "finished" by one.
    assert users.second_factor("li.na", "123456") == (LoginOutcome.BAD_MFA, None)
    code = totp.code_at(enrolment.secret, clock.now())
    outcome, user = users.second_factor("zhang.wei", code, source="10.0.0.5")
    assert outcome is LoginOutcome.OK and user is not None and user.mfa_enrolled
    assert users.pending_enrolment("zhang.wei") is None
    actions = [e.action for e in platform.audit_entries(limit=20)]
    assert actions.count("login.failure") == 5 and "login.success" in actions


def test_preferences_are_validated_and_audited(platform: Platform) -> None:
    users = platform.users
    users.create("li.na", "analyst", GOOD, actor="cli:root")
    users.set_preferences("li.na", language="en", timezone="Asia/Shanghai", actor="user:li.na")
    user = users.get("li.na")
    assert (user.language, user.timezone) == ("en", "Asia/Shanghai")
    with pytest.raises(InputError, match="unknown time zone"):
        users.set_preferences("li.na", language="en", timezone="Mars/Olympus", actor="user:li.na")
    with pytest.raises(InputError, match="unknown language"):
        users.set_preferences("li.na", language="fr", timezone=None, actor="user:li.na")
    assert platform.audit_entries(limit=1)[0].action == "user.preferences"


def test_pending_sessions_grant_nothing_and_expire(platform: Platform, clock: FrozenClock) -> None:
    platform.users.create("li.na", "analyst", GOOD, actor="cli:root")
    session_id, csrf = platform.sessions.open("li.na", pending=True)
    assert platform.sessions.check(session_id) is None
    assert platform.sessions.pending(session_id) == ("li.na", csrf)
    full_id, _ = platform.sessions.open("li.na")
    assert platform.sessions.pending(full_id) is None
    clock.advance(timedelta(minutes=5))
    assert platform.sessions.pending(session_id) is None

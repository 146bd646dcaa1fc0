"""The account page: language and time zone, switching language in place, own password."""

from __future__ import annotations

from garrison.platform import Platform
from tests.web.conftest import PASSWORD, Browser


def test_language_switch_keeps_the_page_and_is_audited(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    assert "Alerts" in analyst.get("/alerts").text  # type: ignore[attr-defined]
    response = analyst.post(
        "/account/language", {"language": "zh-CN", "next": "/alerts?level=high"}
    )
    assert response.headers["location"] == "/alerts?level=high"  # type: ignore[attr-defined]
    assert "告警" in analyst.get("/alerts").text  # type: ignore[attr-defined]
    assert platform.audit_entries(limit=1)[0].action == "user.preferences"
    outside = analyst.post("/account/language", {"language": "en", "next": "https://evil.example"})
    assert outside.headers["location"] == "/overview"  # type: ignore[attr-defined]


def test_preferences_are_validated(platform: Platform, people: dict[str, Browser]) -> None:
    auditor = people["auditor"]
    bad = auditor.post("/account", {"language": "en", "timezone": "Mars/Base"})
    assert bad.status_code == 400 and "unknown time zone" in bad.text  # type: ignore[attr-defined]
    good = auditor.post("/account", {"language": "en", "timezone": "Asia/Shanghai"})
    assert good.status_code == 303  # type: ignore[attr-defined]
    assert platform.users.get("zhao.min").timezone == "Asia/Shanghai"
    assert "Asia/Shanghai" in auditor.get("/account").text  # type: ignore[attr-defined]


def test_changing_the_password_needs_the_current_one_and_ends_the_session(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    new = "Another-Long-Pass-42"
    wrong = analyst.post("/account/password", {"current": "nope", "new": new, "confirm": new})
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert platform.audit_entries(limit=1)[0].action == "login.failure"
    mismatch = analyst.post("/account/password", {"current": PASSWORD, "new": new, "confirm": "x"})
    assert mismatch.status_code == 400  # type: ignore[attr-defined]
    weak = analyst.post(
        "/account/password", {"current": PASSWORD, "new": "123456", "confirm": "123456"}
    )
    assert weak.status_code == 400 and "policy" in weak.text  # type: ignore[attr-defined]
    done = analyst.post("/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert done.headers["location"] == "/login?changed=1"  # type: ignore[attr-defined]
    assert analyst.get("/overview").status_code == 303  # type: ignore[attr-defined]
    assert platform.users.authenticate("li.na", new)[0].value == "ok"

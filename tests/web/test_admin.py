"""The administration pages: accounts (create, disable, enable, reset MFA) and API tokens."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import cast

import httpx
import pytest

from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from tests.web.conftest import PASSWORD, Browser

STRONG = "Quiet-River-42-Lantern"
XSS = "<img src=x onerror=alert(1)>"
_TOKEN = re.compile(r'data-testid="token-secret">(gat_[A-Za-z0-9_-]+)<')


def get(browser: Browser, url: str) -> httpx.Response:
    return cast(httpx.Response, browser.get(url))


def post(browser: Browser, url: str, data: dict[str, str] | None = None) -> httpx.Response:
    return cast(httpx.Response, browser.post(url, data))


def post_form(browser: Browser, url: str, data: list[tuple[str, str]]) -> httpx.Response:
    """A form with repeated fields (checkboxes), with the session's CSRF token."""
    body = "&".join(f"{httpx.QueryParams({k: v})}" for k, v in [*data, ("csrf", browser.csrf)])
    return browser.client.post(
        url, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


def new_user(**fields: str) -> dict[str, str]:
    form = {
        "name": "zhang.wei",
        "display_name": "张伟",
        "role": "analyst",
        "language": "zh-CN",
        "password": STRONG,
        "confirm": STRONG,
    }
    form.update(fields)
    return form


def create_token(browser: Browser, name: str, *scopes: str, days: str = "90") -> str:
    response = post_form(
        browser, "/admin/tokens", [("name", name), ("days", days), *(("scope", s) for s in scopes)]
    )
    assert response.status_code == 200, response.text
    match = _TOKEN.search(response.text)
    assert match is not None
    return match.group(1)


@pytest.fixture(autouse=True)
def english_admin(people: dict[str, Browser], platform: Platform) -> None:
    """The administrator reads English, so that assertions do not depend on the zh-CN catalog."""
    platform.users.set_preferences("admin.wang", language="en", timezone=None, actor="cli:root")


def row_of(text: str, name: str, kind: str = "user") -> str:
    """The table row of one user (or token) in a page."""
    start = text.index(f'data-{kind}="{name}"')
    return text[start : text.index("</tr>", start)]


# -- who may do what ----------------------------------------------------------------------


PAGES = ["/admin/users", "/admin/users/new", "/admin/users/li.na", "/admin/tokens"]
ACTIONS = [
    ("/admin/users", new_user()),
    ("/admin/users/zhao.min/disable", {"reason": "x"}),
    ("/admin/users/li.na/enable", {"reason": "x"}),
    ("/admin/users/admin.wang/reset-mfa", {"reason": "x"}),
    ("/admin/tokens", {"name": "sneaky", "scope": "admin", "days": "90"}),
    ("/admin/tokens/shipper/revoke", {}),
]


def _state(platform: Platform) -> tuple[object, ...]:
    return (
        len(platform.audit_entries(limit=1000)),
        [(u.name, u.disabled, u.mfa_enrolled) for u in platform.users.list()],
        [(t["name"], t["active"]) for t in platform.tokens.list()],
    )


def test_analysts_and_auditors_are_refused_every_page_and_action(
    people: dict[str, Browser], platform: Platform
) -> None:
    create_token(people["admin"], "shipper", "ingest")
    before = _state(platform)
    for role in ("analyst", "auditor"):
        overview = get(people[role], "/overview").text
        assert 'href="/admin/users"' not in overview and 'href="/admin/tokens"' not in overview
        for url in PAGES:
            assert get(people[role], url).status_code == 403, (role, url)
        for url, form in ACTIONS:
            assert post(people[role], url, form).status_code == 403, (role, url)
    assert _state(platform) == before
    overview = get(people["admin"], "/overview").text
    assert 'href="/admin/users"' in overview and 'href="/admin/tokens"' in overview


def test_changes_without_the_csrf_token_are_refused(
    people: dict[str, Browser], platform: Platform
) -> None:
    admin = people["admin"]
    create_token(admin, "shipper", "ingest")
    before = _state(platform)
    for url, form in ACTIONS:
        assert admin.client.post(url, data=form).status_code == 403, url
        wrong = admin.client.post(url, data={**form, "csrf": "forged"})
        assert wrong.status_code == 403, url
    assert _state(platform) == before


def test_pages_render_in_chinese(people: dict[str, Browser], platform: Platform) -> None:
    platform.users.set_preferences("admin.wang", language="zh-CN", timezone=None, actor="cli:root")
    for url in PAGES:
        page = get(people["admin"], url)
        assert page.status_code == 200 and '<html lang="zh-CN">' in page.text


# -- accounts -----------------------------------------------------------------------------


def test_users_page_shows_roles_mfa_status_and_password_age(
    people: dict[str, Browser], platform: Platform, clock: FrozenClock
) -> None:
    now = clock.now()
    clock.set(now - timedelta(days=100))
    platform.users.create("old.timer", "auditor", STRONG, actor="cli:root")
    clock.set(now - timedelta(days=80))
    platform.users.create("soon.due", "analyst", STRONG, actor="cli:root", language="en")
    clock.set(now)
    for _ in range(5):
        platform.users.authenticate("soon.due", "wrong password", source="203.0.113.9")
    page = get(people["admin"], "/admin/users")
    assert page.status_code == 200
    text = page.text
    assert text.count('data-testid="user-row"') == 5
    assert 'class="role role-admin"' in text and 'class="role role-auditor"' in text

    def row(name: str) -> str:
        start = text.index(f'data-user="{name}"')
        return text[start : text.index("</tr>", start)]

    assert "Enrolled" in row("admin.wang")
    assert "Not required" in row("li.na")
    assert "Expired" in row("old.timer") and ">100<" in row("old.timer")
    assert "Due soon" in row("soon.due") and ">80<" in row("soon.due")
    assert "Locked" in row("soon.due") and "2026-11-23 12:15" in row("soon.due")
    assert "English" in row("soon.due") and "简体中文" in row("old.timer")
    assert "Never" in row("old.timer")  # never logged in
    assert "2026-11-23 12:00" in row("li.na")  # logged in by the fixture

    # A new administrator has MFA pending until the first sign-in with a code.
    platform.users.create("new.admin", "admin", STRONG, actor="cli:root")
    assert "Enrolment pending" in row_of(get(people["admin"], "/admin/users").text, "new.admin")


def test_creating_an_administrator_shows_the_enrolment_qr_once(
    people: dict[str, Browser], platform: Platform
) -> None:
    admin = people["admin"]
    form = get(admin, "/admin/users/new")
    assert form.status_code == 200 and 'name="password"' in form.text
    response = post(admin, "/admin/users", new_user(name="chen.jie", role="admin"))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert 'src="data:image/svg+xml' in response.text
    assert 'data-testid="enrolment-secret"' in response.text
    assert "will not be shown again" in response.text
    created = platform.users.get("chen.jie")
    assert (created.role, created.display_name, created.mfa_enrolled) == ("admin", "张伟", False)
    entry = platform.audit_entries(limit=1, action="user.create")[0]
    assert (entry.actor, entry.target) == ("user:admin.wang", "user:chen.jie")
    # The list shows the account, without the secret.
    listing = get(admin, "/admin/users").text
    assert "chen.jie" in listing and "data:image/svg+xml" not in listing
    secret = re.search(r'data-testid="enrolment-secret">([A-Z2-7]+)<', response.text)
    assert secret is not None and secret.group(1) not in listing


def test_creating_an_analyst_needs_no_qr(people: dict[str, Browser], platform: Platform) -> None:
    response = post(people["admin"], "/admin/users", new_user(language="en"))
    assert response.status_code == 200
    assert "data:image/svg+xml" not in response.text
    assert "does not need MFA" in response.text
    assert platform.users.get("zhang.wei").language == "en"


REFUSED_ACCOUNTS = [
    (
        {"password": "password1", "confirm": "password1"},
        "does not meet the policy: at least 12 characters",
    ),
    (
        {"password": "Zhang.wei-2026-Long", "confirm": "Zhang.wei-2026-Long"},
        "does not meet the policy: not containing the user name",
    ),
    ({"confirm": STRONG + "x"}, "The two passwords differ"),
    ({"name": "Bad Name"}, "invalid user name"),
    ({"name": "li.na"}, "exists"),
]


def test_refused_accounts_keep_the_form_but_never_the_password(
    people: dict[str, Browser], platform: Platform
) -> None:
    before = _state(platform)
    for fields, message in REFUSED_ACCOUNTS:
        form = new_user(display_name="Zhang Wei", role="auditor", language="en", **fields)
        response = post(people["admin"], "/admin/users", form)
        assert response.status_code == 400, fields
        assert message in html.unescape(response.text), fields
        assert 'value="Zhang Wei"' in response.text
        assert f'value="{html.escape(form["name"])}"' in response.text
        assert '<option value="auditor" selected>' in response.text
        assert '<option value="en" selected>' in response.text
        assert form["password"] not in response.text and STRONG not in response.text
    assert _state(platform) == before


def test_disable_and_enable_are_audited_and_end_sessions(
    people: dict[str, Browser], platform: Platform
) -> None:
    admin = people["admin"]
    missing = post(admin, "/admin/users/li.na/disable", {"reason": "  "})
    assert missing.status_code == 400 and "Give a reason" in missing.text
    assert not platform.users.get("li.na").disabled

    done = post(admin, "/admin/users/li.na/disable", {"reason": "left the team"})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/users/li.na?done=disabled"
    assert platform.users.get("li.na").disabled
    entry = platform.audit_entries(limit=1, action="user.disable")[0]
    assert (entry.actor, entry.target, entry.details["reason"]) == (
        "user:admin.wang",
        "user:li.na",
        "left the team",
    )
    # The disabled person's open session is over.
    assert get(people["analyst"], "/alerts").status_code == 303
    page = get(admin, done.headers["location"]).text
    assert "Account disabled" in page and 'data-testid="enable-form"' in page
    assert "left the team" in page  # the history shows the reason

    enabled = post(admin, "/admin/users/li.na/enable", {"reason": "back from leave"})
    assert enabled.status_code == 303
    assert not platform.users.get("li.na").disabled
    assert platform.audit_entries(limit=1, action="user.enable")[0].details == {
        "reason": "back from leave"
    }


def test_enable_clears_a_lockout(people: dict[str, Browser], platform: Platform) -> None:
    for _ in range(5):
        platform.users.authenticate("zhao.min", "wrong password", source="203.0.113.9")
    assert platform.users.get("zhao.min").locked_until is not None
    page = get(people["admin"], "/admin/users/zhao.min").text
    assert 'data-testid="unlock-form"' in page
    post(people["admin"], "/admin/users/zhao.min/enable", {"reason": "verified by phone"})
    assert platform.users.get("zhao.min").locked_until is None


def test_an_administrator_cannot_disable_themselves(
    people: dict[str, Browser], platform: Platform
) -> None:
    admin = people["admin"]
    page = get(admin, "/admin/users/admin.wang").text
    assert 'data-testid="disable-form"' not in page and 'data-testid="self-note"' in page
    response = post(admin, "/admin/users/admin.wang/disable", {"reason": "oops"})
    assert response.status_code == 403
    assert "cannot disable your own account" in response.text
    assert not platform.users.get("admin.wang").disabled
    assert not platform.audit_entries(limit=10, action="user.disable")
    assert get(admin, "/admin/users").status_code == 200  # still signed in


def test_unknown_accounts_are_not_found(people: dict[str, Browser]) -> None:
    assert get(people["admin"], "/admin/users/nobody").status_code == 404
    assert post(people["admin"], "/admin/users/nobody/enable", {"reason": "x"}).status_code == 404


def test_reset_mfa_shows_the_new_qr_once_and_is_audited(
    people: dict[str, Browser], platform: Platform
) -> None:
    platform.users.create("chen.jie", "admin", STRONG, actor="cli:root")
    response = post(people["admin"], "/admin/users/chen.jie/reset-mfa", {"reason": "new phone"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert 'src="data:image/svg+xml' in response.text
    assert "will not be shown again" in response.text
    entry = platform.audit_entries(limit=1, action="user.reset_mfa")[0]
    assert (entry.actor, entry.target, entry.details["reason"]) == (
        "user:admin.wang",
        "user:chen.jie",
        "new phone",
    )
    assert "data:image/svg+xml" not in get(people["admin"], "/admin/users/chen.jie").text


def test_display_names_are_escaped(people: dict[str, Browser], platform: Platform) -> None:
    admin = people["admin"]
    created = post(admin, "/admin/users", new_user(display_name=XSS))
    assert created.status_code == 200
    assert platform.users.get("zhang.wei").display_name == XSS
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    for text in (get(admin, "/admin/users").text, get(admin, "/admin/users/zhang.wei").text):
        assert XSS not in text and escaped in text
    refused = post(admin, "/admin/users", new_user(name="zhang.wei", display_name=XSS))
    assert refused.status_code == 400 and XSS not in refused.text


# -- API tokens ---------------------------------------------------------------------------


def test_tokens_page_starts_empty_with_a_helpful_form(people: dict[str, Browser]) -> None:
    page = get(people["admin"], "/admin/tokens").text
    assert "No API tokens yet" in page
    assert 'value="ingest" checked' in page and 'name="days"' in page and 'value="90"' in page


def test_a_new_token_is_shown_once_and_works_until_revoked(
    people: dict[str, Browser], platform: Platform, clock: FrozenClock
) -> None:
    admin = people["admin"]
    response = post_form(
        admin,
        "/admin/tokens",
        [("name", "web01-filebeat"), ("scope", "ingest"), ("scope", "read"), ("days", "30")],
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    match = _TOKEN.search(response.text)
    assert match is not None and 'class="secret-once"' in response.text
    token = match.group(1)
    assert f'curl -H "Authorization: Bearer {token}" --data-binary @auth.log' in response.text
    assert "http://testserver/api/v1/ingest" in response.text

    listed = platform.tokens.list()[0]
    assert (listed["name"], listed["scopes"], listed["created_by"]) == (
        "web01-filebeat",
        ["ingest", "read"],
        "user:admin.wang",
    )
    assert listed["expires_at"] == (clock.now() + timedelta(days=30)).isoformat().replace(
        "+00:00", "Z"
    )
    assert platform.audit_entries(limit=1, action="token.create")[0].actor == "user:admin.wang"

    api = admin.client
    whoami = api.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert whoami.status_code == 200, whoami.text
    assert whoami.json() == {
        "kind": "token",
        "name": "web01-filebeat",
        "scopes": ["ingest", "read"],
    }

    page = get(admin, "/admin/tokens").text
    assert token not in page
    assert "web01-filebeat" in page and "Active" in page and 'data-testid="revoke-dialog"' in page

    revoked = post(admin, "/admin/tokens/web01-filebeat/revoke")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/admin/tokens?revoked=web01-filebeat"
    after = get(admin, revoked.headers["location"]).text
    assert "was revoked" in after and "Revoked" in after
    assert 'data-testid="revoke-dialog"' not in after
    assert (
        platform.audit_entries(limit=1, action="token.revoke")[0].target == "token:web01-filebeat"
    )
    fails = api.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert fails.status_code == 401
    # Revoking twice is a clear "not found", not a crash.
    assert post(admin, "/admin/tokens/web01-filebeat/revoke").status_code == 404


def test_tokens_that_never_expire_and_expired_tokens(
    people: dict[str, Browser], platform: Platform, clock: FrozenClock
) -> None:
    admin = people["admin"]
    response = post_form(
        admin,
        "/admin/tokens",
        [("name", "kestra"), ("scope", "read"), ("never", "1"), ("days", "")],
    )
    assert response.status_code == 200 and "never expires" in response.text
    assert platform.tokens.list()[0]["expires_at"] is None
    create_token(admin, "short", "ingest", days="1")
    clock.advance(timedelta(days=2))
    # The browser session is long gone after two days: sign in again as another administrator.
    _, enrolment = platform.users.create(
        "night.shift", "admin", PASSWORD, actor="cli:root", language="en"
    )
    assert enrolment is not None
    again = Browser(platform, clock)
    again.login("night.shift", secret=enrolment.secret)
    page = get(again, "/admin/tokens").text
    short, kestra = row_of(page, "short", "token"), row_of(page, "kestra", "token")
    assert "Expired" in short and "Revoke" in short
    assert "Active" in kestra and "Never" in kestra


REFUSED_TOKENS = [
    ([("name", "no-scope"), ("days", "90")], "Choose at least one scope"),
    ([("name", "zero-days"), ("scope", "ingest"), ("days", "0")], "number of days"),
    ([("name", "word-days"), ("scope", "ingest"), ("days", "ninety")], "number of days"),
    ([("name", "bad name!"), ("scope", "ingest"), ("days", "90")], "invalid token name"),
    ([("name", "<script>x</script>"), ("scope", "ingest"), ("days", "9")], "invalid token name"),
    ([("name", "shipper"), ("scope", "read"), ("days", "90")], "exists"),
]


def test_refused_tokens_keep_the_form(people: dict[str, Browser], platform: Platform) -> None:
    admin = people["admin"]
    create_token(admin, "shipper", "ingest")
    before = _state(platform)
    for form, message in REFUSED_TOKENS:
        response = post_form(admin, "/admin/tokens", form)
        assert response.status_code == 400, form
        assert message in html.unescape(response.text), form
        assert f'value="{html.escape(form[0][1])}"' in response.text
        assert "<script>x</script>" not in response.text
        assert "gat_" not in response.text
    assert _state(platform) == before
    # The revoked notice names a token only once it is really revoked.
    assert 'data-testid="revoked"' not in get(admin, "/admin/tokens?revoked=shipper").text


def test_login_after_admin_creation_uses_the_shown_secret(
    people: dict[str, Browser], platform: Platform, clock: FrozenClock
) -> None:
    response = post(
        people["admin"],
        "/admin/users",
        new_user(name="chen.jie", role="admin", password=PASSWORD, confirm=PASSWORD),
    )
    secret = re.search(r'data-testid="enrolment-secret">([A-Z2-7]+)<', response.text)
    assert secret is not None
    newcomer = Browser(platform, clock)
    newcomer.login("chen.jie", secret=secret.group(1))
    assert platform.users.get("chen.jie").mfa_enrolled

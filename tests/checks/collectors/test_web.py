"""The web collector against real local servers: which requests, how bounded, what is kept."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors.web import (
    DEFAULT_CREDENTIALS,
    MAX_BODY,
    MAX_FILE,
    USER_AGENT,
    collect_web,
    parse_set_cookie,
)
from tests.checks.web._harness import Pki, Route, Running, Site, serve

#: Requests without a login: page, 4 VCS, .env, .DS_Store, 10 backups, 3 folders, 404,
#: 2 actuator, phpinfo, malformed query, admin page.
REQUESTS = 26


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def plain() -> Iterator[Running]:
    with serve(Site({}, Route(404, body=b"nope"))) as running:
        yield running


def _site(routes: dict[str, Route], default: Route | None = None) -> Site:
    return Site(routes, default or Route(404, body=b"nope"))


def test_requests_are_few_fixed_gets_with_a_clear_user_agent(plain: Running) -> None:
    web = collect_web(plain.url, timeout=2)
    assert web.error is None and web.page is not None and web.page.status == 404
    assert len(plain.seen) == REQUESTS == len(web.responses) + len(web.credentials)
    assert {s.method for s in plain.seen} == {"GET"}
    assert all(s.user_agent == USER_AGENT for s in plain.seen)
    assert USER_AGENT.startswith("Garrison-baseline/")
    assert not any(s.authorization for s in plain.seen)  # no Basic challenge, no login


def test_probes_go_below_the_urls_folder_but_admin_pages_to_the_root(plain: Running) -> None:
    collect_web(plain.url + "app/index.php", timeout=2)
    paths = [s.path for s in plain.seen]
    assert paths[0] == "/app/index.php" and "/app/.git/HEAD" in paths
    assert "/manager/html" in paths and "/app/manager/html" not in paths


def test_bodies_are_bounded_and_redirects_not_followed() -> None:
    routes = {
        "/": Route(302, [("Location", "/elsewhere")], b"x"),
        "/backup.zip": Route(200, [], b"PK\x03\x04" + b"\0" * (MAX_FILE * 4)),
        "/uploads/": Route(200, [], b"a" * (MAX_BODY * 3)),
    }
    with serve(_site(routes)) as running:
        web = collect_web(running.url, timeout=2)
    assert web.page is not None and web.page.status == 302
    assert "/elsewhere" not in [s.path for s in running.seen]
    backup, uploads = web.probe("backup.zip"), web.probe("uploads/")
    assert backup and backup.truncated and len(backup.body) == MAX_FILE
    assert uploads and uploads.truncated and len(uploads.body) == MAX_BODY


def _manager(password: str) -> Route:
    auth = {"realm": "Tomcat Manager Application", "user": "admin", "password": password}
    return Route(200, [], b"manager", basic_auth=auth)


def test_default_logins_stop_at_the_first_success_and_never_keep_the_password() -> None:
    with serve(_site({"/manager/html": _manager("admin@123")})) as running:
        web = collect_web(running.url, timeout=2)
    (probe,) = web.credentials
    assert probe.basic_realm == "Tomcat Manager Application"
    assert probe.tried and probe.attempts == len(DEFAULT_CREDENTIALS)
    assert probe.accepted_user == "admin"
    logins = [s for s in running.seen if s.path == "/manager/html"]
    assert len(logins) == 1 + len(DEFAULT_CREDENTIALS) <= 7
    assert "admin@123" not in repr(web)


def test_default_logins_refused_or_not_tried() -> None:
    with serve(_site({"/manager/html": _manager("a-long-unique-one")})) as running:
        (refused,) = collect_web(running.url, timeout=2).credentials
        (off,) = collect_web(running.url, timeout=2, try_default_credentials=False).credentials
    assert refused.tried and refused.accepted_user is None
    assert refused.attempts == len(DEFAULT_CREDENTIALS)
    assert not off.tried and off.attempts == 0 and off.basic_realm is not None


def test_cookies_keep_names_and_flags_never_values() -> None:
    cookies = [("Set-Cookie", "SID=topsecretvalue; Secure; HttpOnly"), ("Set-Cookie", "b=2")]
    with serve(_site({"/": Route(200, cookies, b"hi")})) as running:
        web = collect_web(running.url, timeout=2)
    assert [(c.name, c.secure, c.http_only) for c in web.cookies] == [
        ("SID", True, True),
        ("b", False, False),
    ]
    assert "topsecretvalue" not in repr(web.cookies)


def test_an_unreachable_host_stops_after_the_page() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nobody listens
    web = collect_web(f"http://127.0.0.1:{port}/", timeout=1)
    assert web.error and len(web.responses) == 1 and not web.credentials


def test_a_host_that_keeps_timing_out_is_given_up() -> None:
    slow = Route(404, body=b"slow", delay=1.0)
    with serve(_site({"/": Route(200, body=b"fast")}, slow)) as running:
        started = time.monotonic()
        web = collect_web(running.url, timeout=0.3)
        elapsed = time.monotonic() - started
    skipped = [r for r in web.responses if r.error and r.error.startswith("skipped")]
    assert len(skipped) >= REQUESTS - 5 and elapsed < 5


def test_a_given_client_is_used_and_left_open(plain: Running) -> None:
    with httpx.Client(headers={"User-Agent": "custom"}, trust_env=False) as client:
        collect_web(plain.url, client=client)
        assert not client.is_closed
    assert {s.user_agent for s in plain.seen} == {"custom"}


def test_not_a_web_url_is_refused() -> None:
    with pytest.raises(ValueError, match="not an http"):
        collect_web("ftp://example.com/")


def test_untrusted_certificate_stops_http_probes_but_keeps_tls_facts(
    pki: Pki, tmp_path: Path
) -> None:
    site = _site({"/": Route(200, body=b"hi")})
    site.tls = {"cert": "self_signed"}
    with serve(site, pki) as running:
        checked = collect_web(running.url, timeout=2, verify=pki.context())
        insecure = collect_web(running.url, timeout=2, verify=False)
    assert checked.error and checked.tls and checked.tls.verify_code == 18
    assert insecure.error is None and insecure.page and insecure.page.status == 200
    assert insecure.tls and insecure.tls.verified is False  # still a fact about the server


# --- Set-Cookie parsing ---------------------------------------------------------------

_token = st.text(
    st.characters(codec="ascii", categories=("L", "N", "P", "S"), exclude_characters=";=,"),
    min_size=1,
)


@given(
    name=_token,
    value=st.text(st.characters(codec="ascii", exclude_characters=";\r\n")),
    secure=st.booleans(),
    http_only=st.booleans(),
    same_site=st.sampled_from([None, "Lax", "Strict", "None"]),
    noise=st.lists(st.sampled_from(["Path=/", "Max-Age=60", " ", "Domain=x", "Foo"])),
)
def test_set_cookie_round_trip(
    name: str,
    value: str,
    secure: bool,
    http_only: bool,
    same_site: str | None,
    noise: list[str],
) -> None:
    parts = [f"{name}={value}", *noise]
    parts += ["secure"] if secure else []
    parts += ["HTTPONLY"] if http_only else []
    parts += [f"SameSite={same_site}"] if same_site else []
    cookie = parse_set_cookie("; ".join(parts))
    assert cookie is not None and cookie.name == name.strip()[:128]
    assert (cookie.secure, cookie.http_only, cookie.same_site) == (secure, http_only, same_site)


@given(st.text())
def test_set_cookie_never_raises(header: str) -> None:
    cookie = parse_set_cookie(header)
    assert cookie is None or (cookie.name and "=" not in cookie.name)

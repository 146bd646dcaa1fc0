"""Evidence from attacker-controlled bodies: short, one line, secrets masked."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors.web import MAX_BODY, Response
from garrison.checks.web._common import SNIPPET, around, looks_html, mask, snippet
from garrison.checks.web.web_debug_mode.web_debug_mode import actuator_findings, detect

_secret = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=8, max_size=40)


@given(st.text())
def test_snippet_is_one_short_printable_line(text: str) -> None:
    shown = snippet(text)
    assert len(shown) <= SNIPPET and "\n" not in shown and "\r" not in shown
    assert shown == "" or shown.isprintable()


@given(
    secret=_secret, key=st.sampled_from(["password", "DB_PASSWORD", "api_key", "token", "secret"])
)
def test_values_of_secret_keys_are_masked(secret: str, key: str) -> None:
    for text in (f"{key}={secret}", f'"{key}": "{secret}"', f"{key}: {secret} tail"):
        assert secret not in mask(text)


@given(user=_secret, password=_secret)
def test_url_credentials_are_masked(user: str, password: str) -> None:
    shown = snippet(f"url = https://{user}:{password}@git.example/acme.git")
    assert password not in shown and f"{user}:" not in shown


def test_long_tokens_are_cut_and_matches_are_centred() -> None:
    assert mask("Bearer eyJhbGciOiJIUzI1NiJ9abcdefghijkl") == "Bearer eyJh****"
    text = "x " * 250 + "NEEDLE" + " y" * 250
    shown = around(text, 500, 506)
    assert "NEEDLE" in shown and len(shown) <= SNIPPET


def test_html_sniffing_ignores_the_content_type() -> None:
    page = Response("x", "u", 200, (("content-type", "text/plain"),), b"  <!DOCTYPE html><p>")
    assert looks_html(page)
    assert not looks_html(Response("x", "u", 200, (("content-type", "text/html"),), b"A=1"))


def test_detectors_on_known_pages() -> None:
    samples = {
        "Werkzeug debugger": "<title>ZeroDivisionError // Werkzeug Debugger</title>",
        "Laravel Ignition/Whoops": '<div class="Whoops container">',
        "Rails exception page": "<title>Action Controller: Exception caught</title>",
        "ASP.NET error page": "<h1>Server Error in '/' Application.<hr></h1>",
        "PHP error message": "<b>Fatal error</b>:  Uncaught Error in /var/www/a.php on line <b>3</b>",
        "Java stack trace": "\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:198)",
        "Node.js stack trace": "    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)",
    }
    for name, body in samples.items():
        found, evidence = detect(Response("", "u", 500, (), body.encode()))
        assert found == [name] and evidence, name
    assert detect(Response("", "u", 200, (), b"<p>We fixed a Java bug.</p>")) == ([], "")


@pytest.mark.parametrize(
    "hostile",
    [
        "Warning: " + " in a" * 80,
        "<b>Warning</b>: " + "x" * 390,
        "at " + "a " * 90,
        "at org." + "a" * 290,
    ],
)
def test_detectors_stay_fast_on_hostile_bodies(hostile: str) -> None:
    body = (hostile * (MAX_BODY // len(hostile) + 1))[:MAX_BODY].encode()
    started = time.monotonic()
    detect(Response("", "u", 200, (), body))
    assert time.monotonic() - started < 3


def test_actuator_index_only_flags_sensitive_endpoints() -> None:
    health = b'{"_links":{"self":{},"health":{},"info":{}}}'
    assert actuator_findings(Response("actuator", "u", 200, (), health)) == []
    env = b'{"activeProfiles":[],"propertySources":[]}'
    assert actuator_findings(Response("actuator/env", "u", 200, (), env))
    assert actuator_findings(Response("actuator", "u", 200, (), b"not json")) == []

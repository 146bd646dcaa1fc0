"""Every web check against real local servers playing its fixtures, and on hand-made facts.

Each ``fail*.yaml`` must make its check fail with the messages it lists under ``expect``;
each ``pass*.yaml`` must give no failure of its check; no result may show a fixture secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.web import Response, WebFacts, collect_web
from garrison.checks.collectors.web_tls import Certificate, TlsFacts
from garrison.checks.loader import ROOT, load_check
from tests.checks.web._harness import Pki, Running, Site

HERE = Path(__file__).parent
#: The web checks, loaded alone (the suite's other areas may be mid-change).
CHECKS: dict[str, Check] = {
    f.name: load_check("web", f)()
    for f in sorted((ROOT / "web").iterdir())
    if f.is_dir() and not f.name.startswith("_")
}
FIXTURES = sorted(
    (check_id, path.name)
    for check_id in CHECKS
    for path in (HERE / check_id).glob("*.yaml")
    if path.name.startswith(("fail", "pass"))
)


def _scan(running: Running, pki: Pki, **kwargs: object) -> Facts:
    web = collect_web(running.url, timeout=2.0, verify=pki.context(), **kwargs)  # type: ignore[arg-type]
    return Facts(running.url, {"web": web}, now=datetime.now(UTC))


def _text(results: list[Result]) -> str:
    return "\n".join(f"{r.resource} {r.message} {r.expected} {r.actual}" for r in results)


def test_every_check_has_both_fixtures() -> None:
    assert len(CHECKS) == 10
    for check_id in CHECKS:
        names = {name for cid, name in FIXTURES if cid == check_id}
        assert any(n.startswith("fail") for n in names), check_id
        assert any(n.startswith("pass") for n in names), check_id


@pytest.mark.parametrize(("check_id", "fixture"), FIXTURES)
def test_fixture(
    check_id: str, fixture: str, site: Callable[[Path | Site], Running], pki: Pki
) -> None:
    running = site(HERE / check_id / fixture)
    results = CHECKS[check_id].run(_scan(running, pki))
    assert results, "a check always reports something"
    failed = [r for r in results if r.status is Status.FAIL]
    if fixture.startswith("fail"):
        assert failed, _text(results)
        messages = "\n".join(r.message for r in failed)
        for wanted in running.site.expect:
            assert wanted in messages, f"{wanted!r} not in:\n{messages}"
        assert all(r.expected and r.actual for r in failed)
    else:
        assert not failed, _text(failed)
        assert all(r.status is not Status.ERROR for r in results), _text(results)
    shown = _text(results)
    for secret in running.site.secrets:
        assert secret not in shown


def test_well_configured_site_passes_every_check(
    site: Callable[[Path | Site], Running], pki: Pki
) -> None:
    running = site(HERE / "well_configured.yaml")
    facts = _scan(running, pki)
    results = [r for check in CHECKS.values() for r in check.run(facts)]
    bad = [r for r in results if r.status in (Status.FAIL, Status.ERROR)]
    assert not bad, _text(bad)
    assert {r.check_id for r in results if r.status is Status.PASS} == set(CHECKS)


# --- hand-made facts: what local servers cannot play -----------------------------------


def _facts(**changes: object) -> Facts:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    page = Response("", "http://shop.example/", 200, (("content-type", "text/html"),), b"hi")
    web = WebFacts("http://shop.example/", "http", "shop.example", 80, now, (page,))
    return Facts(web.url, {"web": replace(web, **changes)}, now=now)  # type: ignore[arg-type]


def _run(check_id: str, facts: Facts) -> list[Result]:
    return CHECKS[check_id].run(facts)


def test_plain_http_fails_unless_loopback_or_redirected() -> None:
    (plain,) = _run("web_tls_versions", _facts())
    assert plain.status is Status.FAIL and "plain HTTP" in plain.message
    (local,) = _run("web_tls_versions", _facts(host="127.0.0.1"))
    assert local.status is Status.NOT_APPLICABLE
    moved = Response("", "http://shop.example/", 301, (("location", "https://shop.example/"),))
    (redirect,) = _run("web_tls_versions", _facts(responses=(moved,)))
    assert redirect.status is Status.MANUAL
    (headers,) = _run("web_security_headers", _facts(responses=(moved,)))
    assert headers.status is Status.MANUAL


def _tls(versions: dict[str, bool | None], **changes: object) -> TlsFacts:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    cert = Certificate("CN=shop", "CN=CA", now - timedelta(days=9), now + timedelta(days=90), False)
    return replace(TlsFacts("shop.example", 443, versions, cert, verified=True), **changes)  # type: ignore[arg-type]


def test_tls_versions_this_openssl_cannot_offer_are_unknown_not_refused() -> None:
    https = {"scheme": "https", "url": "https://shop.example/", "port": 443}
    modern = {"TLS 1.2": True, "TLS 1.3": True}
    (manual,) = _run(
        "web_tls_versions", _facts(**https, tls=_tls({"TLS 1.0": None, "TLS 1.1": None, **modern}))
    )
    assert manual.status is Status.MANUAL
    (partly,) = _run(
        "web_tls_versions", _facts(**https, tls=_tls({"TLS 1.0": None, "TLS 1.1": False, **modern}))
    )
    assert partly.status is Status.PASS and "TLS 1.0 not testable" in (partly.actual or "")
    (old,) = _run(
        "web_tls_versions", _facts(**https, tls=_tls({"TLS 1.0": None, "TLS 1.1": True, **modern}))
    )
    assert old.status is Status.FAIL and "TLS 1.1" in (old.actual or "")
    (down,) = _run("web_tls_versions", _facts(**https, tls=_tls({}, error="refused")))
    assert down.status is Status.ERROR


def test_certificate_date_failures_do_not_hide_trust() -> None:
    https = {"scheme": "https", "url": "https://shop.example/", "port": 443}
    expired = _tls({"TLS 1.3": True}, verified=False, verify_code=10, verify_error="expired")
    dates, trust = _run("web_certificate", _facts(**https, tls=expired))
    assert dates.status is Status.PASS  # the certificate itself is in date at facts.now
    assert trust.status is Status.PASS  # only the dates were wrong when verified
    (plain,) = _run("web_certificate", _facts())
    assert plain.status is Status.NOT_APPLICABLE


def test_unreachable_page_is_an_error_not_a_pass() -> None:
    facts = _facts(responses=(), error="ConnectError: refused")
    for check_id in CHECKS:
        if check_id in ("web_certificate",):
            continue
        results = _run(check_id, facts)
        assert results and all(r.status is Status.ERROR for r in results), check_id


def test_missing_fact_raises_for_the_runner() -> None:
    from garrison.checks.base import MissingFactError

    for check in CHECKS.values():
        with pytest.raises(MissingFactError):
            check.run(Facts("t", {}))

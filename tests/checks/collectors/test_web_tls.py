"""TLS facts from real local servers: accepted versions, certificate fields, trust."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from garrison.checks.collectors.web_tls import TlsFacts, probe_tls
from tests.checks.web._harness import Pki, Route, Site, serve


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


def _probe(pki: Pki, **tls: str) -> TlsFacts:
    site = Site({}, Route(200, body=b"ok"), tls=tls)
    with serve(site, pki) as running:
        port = int(running.url.rsplit(":", 1)[1].strip("/"))
        return probe_tls("127.0.0.1", port, timeout=2, verify=pki.context())


@pytest.fixture(scope="module")
def legacy(pki: Pki) -> Iterator[TlsFacts]:
    yield _probe(pki, min="TLSv1", cert="valid")


def test_old_versions_are_detected(legacy: TlsFacts) -> None:
    # This OpenSSL (3.x) still offers TLS 1.0/1.1 at SECLEVEL=0: they are really tried here.
    assert legacy.versions == {"TLS 1.0": True, "TLS 1.1": True, "TLS 1.2": True, "TLS 1.3": True}
    assert legacy.accepted[0] == "TLS 1.0" and legacy.verified is True


def test_modern_only_server_refuses_old_versions(pki: Pki) -> None:
    facts = _probe(pki, min="TLSv1_2", cert="valid")
    assert facts.versions["TLS 1.0"] is False and facts.versions["TLS 1.1"] is False
    assert facts.accepted == ("TLS 1.2", "TLS 1.3") and not facts.untested


def test_certificate_fields(legacy: TlsFacts) -> None:
    cert = legacy.certificate
    assert cert is not None and cert.subject == "CN=localhost" and not cert.self_signed
    assert cert.issuer == "CN=Garrison Test CA" and "127.0.0.1" in cert.names
    assert cert.not_before < cert.not_after


@pytest.mark.parametrize(
    ("kind", "code", "trust_problem"),
    [("self_signed", 18, True), ("wrong_host", 64, True), ("expired", 10, False)],
)
def test_verification_failures(pki: Pki, kind: str, code: int, trust_problem: bool) -> None:
    facts = _probe(pki, cert=kind)
    assert facts.verified is False and facts.verify_code == code and facts.verify_error
    assert facts.trust_problem is trust_problem
    assert facts.certificate is not None  # read even when untrusted


def test_nothing_listening_is_an_error() -> None:
    facts = probe_tls("127.0.0.1", 1, timeout=1)
    assert facts.error and not facts.accepted and facts.certificate is None

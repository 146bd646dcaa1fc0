"""HTTPS from the certificate and key in the settings, served for real by uvicorn."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from garrison.core.clock import FrozenClock
from garrison.core.errors import ConfigError
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.serve.runner import server_config
from garrison.settings import Settings, load_settings


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_speaks_https_with_the_configured_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    settings = Settings(
        home=tmp_path / "home", timezone="UTC", tls_cert_file=cert, tls_key_file=key
    )
    platform = Platform.open(settings, FrozenClock(datetime(2026, 11, 23, tzinfo=UTC)))
    port = free_port()
    server = uvicorn.Server(
        server_config(create_app(platform), platform, host="127.0.0.1", port=port)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        response = httpx.get(f"https://127.0.0.1:{port}/healthz", verify=context)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        platform.close()


def test_half_a_tls_pair_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    cert, _key = self_signed(tmp_path)
    with pytest.raises(ConfigError, match="go together"):
        load_settings(home=tmp_path, tls_cert_file=cert)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(home=tmp_path, tls_cert_file=cert, tls_key_file=tmp_path / "nope.pem")

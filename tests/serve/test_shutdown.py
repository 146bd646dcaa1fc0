"""``garrison serve`` stops cleanly on SIGTERM: exit 0, syslog flushed, scheduler lease released.

uvicorn re-raises the stop signal once its HTTP server is down, which would end the process
before Garrison's own clean-up; the runner's server does not, and this test holds it to that.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from garrison.core.clock import SystemClock
from garrison.storage.sql.engine import make_engine
from garrison.storage.sql.jobs import LEADER, JobStore
from tests.web.conftest import free_port

pytestmark = pytest.mark.slow


def test_sigterm_releases_the_scheduler_lease_and_exits_0(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "GARRISON_HOME": str(home), "GARRISON_TIMEZONE": "UTC"}
    env.pop("GARRISON_DATABASE_URL", None)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "garrison.cli.main",
                "serve",
                "--port",
                str(port),
                "--no-syslog",
            ],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "garrison serve did not start"
            time.sleep(0.2)
        engine = make_engine(f"sqlite:///{home / 'garrison.db'}")
        jobs = JobStore(engine, SystemClock())
        while jobs.holder(LEADER) is None:  # the first tick takes the lead
            assert time.monotonic() < deadline, "the scheduler never led"
            time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text(errors="replace")
        assert jobs.holder(LEADER) is None
        engine.dispose()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

"""``GET /metrics``: Prometheus text, behind a read token by default."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from garrison.alerts.live import StepReport
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.serve.syslog import Collector
from garrison.settings import Settings
from tests.serve.test_app import ACCESS_BODY, Client


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_ingest_detection_alerts_and_queues(platform: Platform) -> None:
    app = create_app(platform)
    client = Client(app)
    token = platform.tokens.create("prom", ["read", "ingest"], actor="cli:root")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/metrics").status_code == 401
    pushed = client.request(
        "POST", "/api/v1/ingest?format=access", content=ACCESS_BODY, headers=auth
    )
    assert pushed.status_code == 200
    collector = Collector(lambda records, origin, nonce: None)
    collector.buffers["udp:10.0.0.1"] = [b"a", b"b"]
    app.state.metrics.watch_syslog(collector)
    app.state.metrics.detected(StepReport(events=3, new_alerts=2), 0.25)
    before = samples(client.get("/metrics", headers=auth).text)
    assert before[("garrison_detection_lag_batches", ())] == 1  # one stored batch, not detected
    platform.detect()
    response = client.get("/metrics", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    assert found[("garrison_events_received_total", (("input", "http"),))] == 3
    assert found[("garrison_events_stored_total", (("input", "http"),))] == 3
    assert found[("garrison_detection_events_total", ())] == 3
    assert found[("garrison_alerts_raised_total", ())] == 2
    assert found[("garrison_syslog_queue", ())] == 2
    assert found[("garrison_detection_lag_batches", ())] == 0
    assert "# TYPE garrison_alerts gauge" in response.text
    latency = (
        "garrison_http_request_seconds_count",
        (("method", "POST"), ("route", "/api/v1/ingest"), ("status", "200")),
    )
    assert found[latency] == 1


def test_public_metrics_need_no_token(db_url: str, clock: FrozenClock, tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path / "h", database_url=db_url, timezone="UTC", metrics_public=True
    )
    plat = Platform.open(settings, clock)
    try:
        assert Client(create_app(plat)).get("/metrics").status_code == 200
    finally:
        plat.close()

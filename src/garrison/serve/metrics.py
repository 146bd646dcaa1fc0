"""Prometheus metrics (``GET /metrics``): ingest, detection, alerts, queues, latencies.

Each app has its own registry (prometheus-client), so several apps in one process (tests)
never clash. Values that live in the database (alerts per status, detection lag) are read at
scrape time by a custom collector; the rest are counted as things happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from garrison.alerts.live import StepReport
    from garrison.platform import Platform
    from garrison.serve.syslog import Collector as SyslogCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _StoreCollector(Collector):
    """Gauges read from the database at scrape time."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def collect(self) -> Iterator[GaugeMetricFamily]:
        alerts = GaugeMetricFamily("garrison_alerts", "Stored alerts by status.", labels=["status"])
        for status, count in sorted(self.platform.alerts.count().items()):
            alerts.add_metric([status], count)
        yield alerts
        lag = self.platform.detection_lag()
        yield GaugeMetricFamily(
            "garrison_detection_lag_batches",
            "Stored batches live detection has not looked at yet.",
            value=lag,
        )


class Metrics:
    """The metrics of one app."""

    def __init__(self, platform: Platform) -> None:
        """Create the registry and every metric."""
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.events_received = Counter(
            "garrison_events_received",
            "Records received, by input.",
            ["input"],
            registry=registry,
        )
        self.events_stored = Counter(
            "garrison_events_stored", "Events stored, by input.", ["input"], registry=registry
        )
        self.detection_events = Counter(
            "garrison_detection_events", "Events live detection looked at.", registry=registry
        )
        self.alerts_raised = Counter(
            "garrison_alerts_raised", "Alerts opened by live detection.", registry=registry
        )
        self.detection_seconds = Histogram(
            "garrison_detection_step_seconds",
            "Duration of live-detection passes.",
            registry=registry,
        )
        self.request_seconds = Histogram(
            "garrison_http_request_seconds",
            "HTTP request latency.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.syslog_buffered = Gauge(
            "garrison_syslog_queue",
            "Syslog messages waiting to be stored (buffered and retried).",
            registry=registry,
        )
        self.syslog_dropped = Gauge(
            "garrison_syslog_dropped",
            "Syslog messages dropped after storage failed for too long.",
            registry=registry,
        )
        registry.register(_StoreCollector(platform))

    def watch_syslog(self, collector: SyslogCollector) -> None:
        """Report the syslog collector's queue depth and drops at scrape time."""

        def queued() -> float:
            waiting = sum(len(r) for r in collector.buffers.values())
            return float(waiting + sum(len(r) for _, r, _ in collector.failed))

        self.syslog_buffered.set_function(queued)
        dropped: Callable[[], float] = lambda: float(collector.dropped)  # noqa: E731
        self.syslog_dropped.set_function(dropped)

    def detected(self, report: StepReport, seconds: float) -> None:
        """Count one live-detection pass."""
        self.detection_events.inc(report.events)
        self.alerts_raised.inc(report.new_alerts)
        self.detection_seconds.observe(seconds)

    def render(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)

"""Runs the HTTP server, the syslog listeners and the background workers in one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.server import HANDLED_SIGNALS

from garrison.automation import Automation
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.serve.metrics import Metrics
from garrison.serve.receiver import receive
from garrison.serve.scheduling import Scheduler, schedule_forever
from garrison.serve.syslog import Collector, Deliver, start_listeners, stop_listeners

log = logging.getLogger(__name__)


def storing_delivery(platform: Platform, metrics: Metrics | None = None) -> Deliver:
    """The syslog collector's delivery: parse as syslog and store in the platform's store."""
    options = platform.ingest_options(format="syslog")

    def deliver(records: list[bytes], origin: str, nonce: str) -> None:
        summary = receive(
            records,
            origin=origin,
            sink=platform.store,
            options=options,
            clock=platform.clock,
            idempotent=False,
            nonce=nonce,
        )
        if metrics is not None:
            metrics.events_received.labels("syslog").inc(len(records))
            metrics.events_stored.labels("syslog").inc(summary.stored)

    return deliver


async def detect_forever(
    platform: Platform, interval: float, metrics: Metrics | None = None
) -> None:
    """Detect on newly stored events every ``interval`` seconds, until cancelled.

    Detection runs in a worker thread (it is CPU and database work); a failing step is logged
    and retried at the next interval, never stops the server.
    """
    while True:
        start = time.perf_counter()
        try:
            report = await asyncio.to_thread(platform.detect)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must survive any one failing step
            log.exception("live detection step failed; retrying in %.0f s", interval)
        else:
            if metrics is not None:
                metrics.detected(report, time.perf_counter() - start)
            if report.events:
                log.info(
                    "detection: %d events, %d new alerts, %d updated, %d suppressed",
                    report.events,
                    report.new_alerts,
                    report.updated_alerts,
                    report.suppressed,
                )
        try:
            automation, clocks = await asyncio.to_thread(platform.incident_step)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must survive any one failing step
            log.exception("incident step failed; retrying in %.0f s", interval)
        else:
            for incident_id in automation.opened:
                log.info("incident %d opened from alerts", incident_id)
            for event in clocks:
                log.warning(
                    "incident %d: SLA %s %s (due %s)",
                    event.incident_id,
                    event.kind,
                    event.event,
                    event.due.isoformat(),
                )
        await asyncio.sleep(interval)


async def respond_forever(automation: Automation, interval: float = 5.0) -> None:
    """Run the response worker every ``interval`` seconds: triggers, due runs, block expiry.

    Runs are leased in the database, so several servers share the work without running a
    step twice; a failing pass is logged and the next one goes on.
    """
    while True:
        try:
            summary = await asyncio.to_thread(automation.step)
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must survive any one failing step
            log.exception("response worker pass failed; retrying in %.0f s", interval)
        else:
            for run in summary.advanced:
                log.info("playbook run %d (%s): %s", run.id, run.playbook, run.status)
            for address in summary.unblocked:
                log.info("block of %s expired and was lifted", address)
        await asyncio.sleep(interval)


class GracefulServer(uvicorn.Server):
    """uvicorn's server, except that it does not re-raise the stop signal after its shutdown.

    uvicorn raises SIGTERM/SIGINT again once the HTTP server has stopped, which ends the
    process before :func:`serve` can flush the syslog buffer and give up the scheduler lease.
    Here the signal only stops the server; the process then finishes its clean-up and exits.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop on SIGINT/SIGTERM, then restore the previous handlers (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def server_config(app: Any, platform: Platform, *, host: str, port: int) -> uvicorn.Config:
    """The uvicorn configuration: HTTPS when a certificate and key are set."""
    settings = platform.settings
    tls: dict[str, Any] = {}
    if settings.tls_cert_file is not None and settings.tls_key_file is not None:
        tls = {
            "ssl_certfile": str(settings.tls_cert_file),
            "ssl_keyfile": str(settings.tls_key_file),
        }
    return uvicorn.Config(app, host=host, port=port, log_level="info", server_header=False, **tls)


async def serve(
    platform: Platform, *, host: str, port: int, syslog_host: str, syslog_port: int | None
) -> None:
    """Serve until interrupted (SIGINT/SIGTERM handled by uvicorn)."""
    app = create_app(platform)
    metrics: Metrics = app.state.metrics
    collector = Collector(storing_delivery(platform, metrics))
    metrics.watch_syslog(collector)
    flusher: asyncio.Task[None] | None = None
    transport = server = None
    if syslog_port is not None:
        transport, server = await start_listeners(syslog_host, syslog_port, collector)
        flusher = asyncio.create_task(collector.run())
        log.info("syslog listening on %s:%d (udp+tcp)", syslog_host, syslog_port)
    detection = platform.settings.detection
    detector: asyncio.Task[None] | None = None
    if detection.enabled:
        platform.detector()  # load the rules now: a broken rule set fails at start-up
        detector = asyncio.create_task(
            detect_forever(platform, detection.interval_seconds, metrics)
        )
        log.info("live detection every %.0f s", detection.interval_seconds)
    automation = Automation(platform)
    for problem in automation.catalog().problems:
        log.warning("playbook problem: %s", problem)
    jobs = Scheduler(platform, automation=automation)
    added = jobs.ensure_builtin()
    changed = jobs.sync_playbooks()
    if added or changed:
        log.info("scheduled jobs: %s", ", ".join(["+" + n for n in added] + changed))
    log.info("scheduler worker %s", jobs.holder)
    scheduler = asyncio.create_task(schedule_forever(jobs))
    responder = asyncio.create_task(respond_forever(automation))
    config = server_config(app, platform, host=host, port=port)
    try:
        await GracefulServer(config).serve()
    finally:
        if transport is not None and server is not None:
            await stop_listeners(transport, server, collector)
        for task in (scheduler, responder):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if detector is not None:
            detector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await detector
        if flusher is not None:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher

"""Running a scan: collect the facts the selected checks need, run them, build the :class:`Scan`.

One function per kind of target. Collectors run once per target and only for facts some
selected check needs; checks then run on the facts (no I/O of their own).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from garrison.checks.base import Check, Facts
from garrison.checks.collectors.host.registry import collect_host, collectors
from garrison.checks.collectors.host.source import HostSource
from garrison.checks.collectors.web import collect_web
from garrison.checks.loader import select
from garrison.checks.runner import run_checks
from garrison.checks.scan import Scan, findings
from garrison.core.clock import Clock
from garrison.core.errors import InputError

#: Areas whose checks run on each kind of target.
AREAS: dict[str, tuple[str, ...]] = {
    "host": ("host", "credentials"),
    "web": ("web",),
    "config": ("container", "iac", "credentials"),
}
#: Facts read from configuration paths: fact name -> "module:function" taking the paths.
CONFIG_COLLECTORS: dict[str, str] = {
    "docker_run": "garrison.checks.collectors.docker_run:collect",
    "credential_settings": "garrison.checks.collectors.secrets_config:collect",
    "dockerfile": "garrison.checks.collectors.dockerfile:collect",
    "compose": "garrison.checks.collectors.compose:collect",
    "kubernetes": "garrison.checks.collectors.kubernetes:collect",
}


def checks_for(kind: str, ids: Sequence[str] = ()) -> list[Check]:
    """The checks that run on a target of ``kind`` (or just ``ids`` among them)."""
    chosen = [c for area in AREAS[kind] for c in select(area)]
    if ids:
        select(None, tuple(ids))  # unknown ids are refused with a hint
        chosen = [c for c in chosen if c.id in ids]
    return chosen


def _needs(checks: Iterable[Check]) -> set[str]:
    return {name for check in checks for name in check.needs}


def _scan(kind: str, checks: list[Check], facts: Facts, started: datetime, clock: Clock) -> Scan:
    results = run_checks(checks, facts)
    return Scan(
        target=facts.target,
        kind=kind,
        started=started,
        finished=clock.now(),
        check_ids=tuple(c.id for c in checks),
        findings=tuple(findings(results, checks, facts.target)),
    )


def scan_host(
    source: HostSource, clock: Clock, *, ids: Sequence[str] = (), target: str | None = None
) -> Scan:
    """Scan a Linux host through ``source`` (local, fixture tree or SSH)."""
    started = clock.now()
    checks = [c for c in checks_for("host", ids) if c.needs and set(c.needs) <= set(collectors())]
    facts = collect_host(source, _needs(checks), target=target, now=started)
    return _scan("host", checks, facts, started, clock)


def _resolve(spec: str) -> Callable[..., Any]:
    module, _, name = spec.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def scan_web(
    url: str,
    clock: Clock,
    *,
    ids: Sequence[str] = (),
    target: str | None = None,
    verify: bool = True,
    try_default_credentials: bool = True,
) -> Scan:
    """Scan a web endpoint (a fixed, small set of requests; see ``collectors.web``).

    Raises:
        InputError: When ``url`` is not an http(s) URL.
    """
    started = clock.now()
    checks = [c for c in checks_for("web", ids) if set(c.needs) <= {"web"}]
    try:
        web = collect_web(
            url, verify=verify, try_default_credentials=try_default_credentials, now=started
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    facts = Facts(target=target or url, values={"web": web}, now=started)
    return _scan("web", checks, facts, started, clock)


def scan_config(
    paths: Sequence[Path], clock: Clock, *, ids: Sequence[str] = (), target: str | None = None
) -> Scan:
    """Scan configuration files and folders (Dockerfiles, compose, Kubernetes, scripts...)."""
    started = clock.now()
    checks = [
        c for c in checks_for("config", ids) if c.needs and set(c.needs) <= set(CONFIG_COLLECTORS)
    ]
    name = target or ", ".join(str(p) for p in paths) or "config"
    facts = Facts(target=name, now=started)
    for name in sorted(_needs(checks)):
        facts.values[name] = _resolve(CONFIG_COLLECTORS[name])(paths)
    return _scan("config", checks, facts, started, clock)

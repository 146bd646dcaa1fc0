"""The host collectors by fact name, found by module: each module in this package that defines
``FACT`` (the fact name) and ``collect(source) -> facts`` is a collector.

Collectors run once per target, and only those the selected checks need, so a scan of one
check reads only what that check reads.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from typing import Any

from garrison.checks.base import Facts
from garrison.checks.collectors import host
from garrison.checks.collectors.host.source import HostSource

log = logging.getLogger(__name__)

Collector = Callable[[HostSource], Any]
_SKIP = {"source", "registry", "ssh"}  # ssh is the remote source, not a collector


@cache
def collectors() -> dict[str, Collector]:
    """Fact name -> collector function, for every collector module of this package."""
    found: dict[str, Collector] = {}
    for info in pkgutil.iter_modules(host.__path__):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{host.__name__}.{info.name}")
        name = getattr(module, "FACT", None)
        function = getattr(module, "collect", None)
        if isinstance(name, str) and callable(function):
            if name in found:
                raise RuntimeError(f"two host collectors give the fact {name!r}")
            found[name] = function
    return found


def collect_host(
    source: HostSource,
    needs: Iterable[str],
    target: str | None = None,
    now: datetime | None = None,
) -> Facts:
    """The facts ``needs`` names, read from ``source`` once each.

    A collector that fails leaves its fact out (``None``); the checks that need it then give
    ``error`` results rather than a silent pass.
    """
    known = collectors()
    facts = Facts(target=target or source.description, now=now)
    for name in sorted(set(needs)):
        function = known.get(name)
        if function is None:
            continue
        try:
            facts.values[name] = function(source)
        except (LookupError, OSError) as exc:  # a file that is not there or not readable
            log.warning("host collector %s: %s on %s", name, exc, facts.target)
        except Exception:  # one unreadable area must not stop the scan of the others
            log.exception("host collector %s failed on %s", name, facts.target)
    return facts

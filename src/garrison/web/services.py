"""Services an application builds once and shares between its API routes and its pages.

Each lives on ``app.state``, built at first use, so that tests can put one with a recording
command runner (or any other fake port) in its place before the first request.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from garrison.automation import Automation

_LOCK = threading.Lock()


def automation_of(app: FastAPI) -> Automation:
    """The application's response automation service (``app.state.automation``)."""
    found: Automation | None = getattr(app.state, "automation", None)
    if found is None:
        with _LOCK:  # two first requests at once must not build two services
            found = getattr(app.state, "automation", None)
            if found is None:
                found = Automation(app.state.platform)
                app.state.automation = found
    return found

"""What the response pages share: the automation service, labels of statuses, who may act.

The pages read and change runs through the application's one
:class:`~garrison.automation.Automation` (:func:`garrison.web.services.automation_of`),
the same service the REST API uses. Everything a run holds (arguments, messages, outputs,
errors) may come from an attacker's log line: the templates autoescape it, and JSON values
are shown as text inside ``<pre>``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi import Path as PathParam

from garrison.automation import Automation
from garrison.respond.playbook import ID, Playbook
from garrison.respond.runs import ApprovalRecord
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.services import automation_of

Reader = Annotated[Viewer, Depends(page("read"))]
Writer = Annotated[Viewer, Depends(page("write"))]
Admin = Annotated[Viewer, Depends(page("admin"))]
Ident = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
PlaybookId = Annotated[str, PathParam(pattern=ID)]

#: Statuses of runs, steps and approvals. "Failed" and "Running" already mean something else
#: in the catalogs (a failed check, a running SLA clock), hence "Failure" and "In progress".
STATUSES: dict[str, str] = {
    "pending": N_("Queued"),
    "running": N_("In progress"),
    "waiting": N_("Waiting"),
    "retrying": N_("Retrying"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failure"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
    "skipped": N_("Skipped"),
    "approved": N_("Approved"),
    "expired": N_("Expired"),
}
#: Run statuses, in the order the filter offers them.
RUN_STATUSES = ("pending", "running", "waiting", "succeeded", "failed", "rejected", "cancelled")
#: What starts runs.
TRIGGERS: dict[str, str] = {
    "alert": N_("Alert"),
    "incident": N_("Incident"),
    "schedule": N_("Scheduled"),
    "manual": N_("Manual"),
}
#: Kinds of steps.
KINDS: dict[str, str] = {
    "action": N_("Action"),
    "approval": N_("Approval"),
    "undo": N_("Undo"),
}
#: Notices after a change (``?done=``).
DONE: dict[str, str] = {
    "cancelled": N_("The run was cancelled."),
    "approve": N_("Your approval was recorded."),
    "reject": N_("Your rejection was recorded; the run stops."),
}
#: Input types of playbooks and how a form asks for them.
INPUT_TYPES: dict[str, str] = {
    "string": N_("Text"),
    "integer": N_("Whole number"),
    "boolean": N_("Yes or no"),
    "ip": N_("IP address"),
    "duration": N_("Duration (for example 24h)"),
}


def automation(request: Request) -> Automation:
    """The application's automation service."""
    return automation_of(request.app)


def labels(language: str) -> dict[str, dict[str, str]]:
    """Translated names of coded values, for the templates."""
    gettext = translations(language).gettext
    return {
        "statuses": {k: gettext(v) for k, v in STATUSES.items()},
        "triggers": {k: gettext(v) for k, v in TRIGGERS.items()},
        "kinds": {k: gettext(v) for k, v in KINDS.items()},
        "input_types": {k: gettext(v) for k, v in INPUT_TYPES.items()},
    }


def who(actor: str) -> str:
    """A person's name from an actor (``user:li.na`` -> ``li.na``); machines keep their kind."""
    return actor.split(":", 1)[1] if actor.startswith(("user:", "cli:")) else actor


def pretty(value: Any) -> str:
    """A JSON value as indented text (shown escaped inside ``<pre>``)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def triggers_of(playbook: Playbook) -> list[str]:
    """What starts a playbook: ``alert``, ``incident``, ``schedule``, else ``manual``."""
    found = [k for k in ("alert", "incident", "schedule") if getattr(playbook.trigger, k)]
    return found or ["manual"]


def approvals_given(approval: ApprovalRecord) -> int:
    """How many people approved so far."""
    return sum(1 for d in approval.decisions if d.decision == "approve")


def may_decide(approval: ApprovalRecord, viewer: Viewer) -> bool:
    """Whether the viewer may answer an approval now (the store checks again when they do).

    The viewer needs the ``write`` scope and a role or name the approval lists, and must not
    have answered it already.
    """
    if approval.status != "waiting" or not viewer.can("write"):
        return False
    if not approval.allows(viewer.actor, [viewer.role]):
        return False
    return all(d.actor != viewer.actor for d in approval.decisions)

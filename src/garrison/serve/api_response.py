"""REST API v1: response playbooks, their runs, approvals and the addresses they blocked.

Scopes: reading needs ``read``; dry runs, cancelling and deciding approvals need ``write``;
real runs need ``admin`` (they change hosts). Whether a caller may decide a given approval
is the playbook's choice (its ``approvers``): people decide with their role, API tokens as
``token:<name>`` with the roles their scopes imply (:func:`roles_of`).

Every route goes through one :class:`~garrison.automation.Automation` per application
(:func:`~garrison.web.services.automation_of`), the same one the console pages use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from garrison.auth.principal import Principal
from garrison.core.errors import ForbiddenError
from garrison.platform import Platform
from garrison.respond.loader import Loaded, Problem
from garrison.respond.playbook import ID, Step
from garrison.serve.api import Ident, Reader, Writer
from garrison.web.auth import role_of
from garrison.web.services import automation_of

PlaybookId = Annotated[str, PathParam(pattern=ID)]
RunStatusText = Literal[
    "pending", "running", "waiting", "succeeded", "failed", "rejected", "cancelled"
]
ApprovalStatusText = Literal["waiting", "approved", "rejected", "expired", "cancelled", "all"]
InputValue = str | int | float | bool | None


def roles_of(principal: Principal) -> list[str]:
    """The response roles a caller decides approvals with.

    A person has the one role of their account. A token has the roles its scopes imply:
    ``admin`` with the ``admin`` scope, ``analyst`` with ``write``, ``auditor`` with ``audit``.
    """
    if principal.kind == "user":
        return [role_of(principal.scopes)]
    implied = (("admin", "admin"), ("write", "analyst"), ("audit", "auditor"))
    return [role for scope, role in implied if scope in principal.scopes]


def step_json(step: Step) -> dict[str, Any]:
    """A playbook step as the API and the console describe it."""
    return {
        "id": step.id,
        "name": step.name,
        "kind": step.kind,
        "action": step.action,
        "needs": list(step.needs),
        "if": step.if_,
        "for_each": step.for_each,
        "on_error": step.on_error,
    }


def playbook_json(loaded: Loaded, *, source: bool = False) -> dict[str, Any]:
    """A playbook's description (with its YAML text when ``source``)."""
    p = loaded.playbook
    data: dict[str, Any] = {
        "id": p.id,
        "titles": {"en": p.title_in("en"), "zh-CN": p.title_in("zh-CN")},
        "description": p.description,
        "enabled": p.enabled,
        "tags": list(p.tags),
        "trigger": p.trigger.model_dump(mode="json", exclude_none=True),
        "inputs": {name: spec.model_dump(mode="json") for name, spec in p.inputs.items()},
        "steps": [step_json(s) for s in p.steps],
        "compensate": [step_json(s) for s in p.compensate],
        "builtin": loaded.builtin,
        "path": loaded.path,
        "revision": loaded.revision,
    }
    if source:
        data["source"] = loaded.source
    return data


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem of a playbook file."""
    return {"path": problem.path, "line": problem.line, "message": problem.message}


class RunIn(BaseModel):
    """A manual run of a playbook."""

    model_config = ConfigDict(extra="forbid")

    inputs: dict[Annotated[str, Field(max_length=64)], InputValue] = Field(
        default_factory=dict, max_length=50, description="the playbook's inputs by name"
    )
    dry_run: bool = Field(default=False, description="plan every step, change nothing")
    alert_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="run on this stored alert's data"
    )


class CancelIn(BaseModel):
    """Why a run is cancelled."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    """A comment with a decision (kept in the audit trail)."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(default="", max_length=2000)


def create_response_router(platform: Platform) -> APIRouter:
    """The playbook, run, approval and block routes (the platform comes from the request)."""
    router = APIRouter(prefix="/api/v1")

    @router.get("/playbooks", tags=["response"])
    def list_playbooks(request: Request, _: Reader) -> dict[str, Any]:
        """Every playbook (shipped and configured), and the problems of files that failed."""
        catalog = automation_of(request.app).catalog(reload=True)
        return {
            "playbooks": [playbook_json(p) for p in catalog.playbooks.values()],
            "problems": [problem_json(p) for p in catalog.problems],
        }

    @router.get("/playbooks/{playbook_id}", tags=["response"])
    def get_playbook(request: Request, _: Reader, playbook_id: PlaybookId) -> dict[str, Any]:
        """One playbook with its YAML text."""
        return playbook_json(automation_of(request.app).known(playbook_id), source=True)

    @router.post("/playbooks/{playbook_id}/run", tags=["response"], status_code=201)
    def run_playbook(
        request: Request, who: Writer, playbook_id: PlaybookId, body: RunIn
    ) -> dict[str, Any]:
        """Run a playbook now, as far as it goes (approvals wait); dry runs change nothing.

        A real run changes hosts and needs the ``admin`` scope; a dry run needs ``write``.
        """
        if not body.dry_run and not who.allows("admin"):
            raise ForbiddenError(
                "a real run needs the 'admin' scope", hint='send "dry_run": true to plan it'
            )
        automation = automation_of(request.app)
        automation.known(playbook_id)
        run = automation.start_manual(
            playbook_id,
            actor=who.actor,
            inputs=dict(body.inputs),
            dry_run=body.dry_run,
            alert_id=body.alert_id,
        )
        return automation.view_json(run.id)

    @router.get("/runs", tags=["response"])
    def list_runs(
        request: Request,
        _: Reader,
        playbook: Annotated[str | None, Query(max_length=64)] = None,
        status: Annotated[RunStatusText | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    ) -> list[dict[str, Any]]:
        """Playbook runs, newest first."""
        found = automation_of(request.app).runs.list(
            playbook=playbook, status=status, limit=limit, before=before
        )
        return [r.to_json() for r in found]

    @router.get("/runs/{run_id}", tags=["response"])
    def get_run(request: Request, _: Reader, run_id: Ident) -> dict[str, Any]:
        """One run with every step (arguments, commands, outputs, errors) and its approvals."""
        return automation_of(request.app).view_json(run_id)

    @router.post("/runs/{run_id}/cancel", tags=["response"])
    def cancel_run(request: Request, who: Writer, run_id: Ident, body: CancelIn) -> dict[str, Any]:
        """Cancel an unfinished run (its waiting approvals end too)."""
        automation = automation_of(request.app)
        automation.cancel(run_id, actor=who.actor, reason=body.reason)
        return automation.view_json(run_id)

    @router.get("/approvals", tags=["response"])
    def list_approvals(
        request: Request,
        _: Reader,
        status: Annotated[ApprovalStatusText, Query()] = "waiting",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        """Approvals (by default the waiting ones), soonest deadline first."""
        chosen = None if status == "all" else status
        found = automation_of(request.app).runs.approvals(status=chosen, limit=limit)
        return [a.to_json() for a in found]

    def _decide(
        request: Request,
        who: Principal,
        approval_id: int,
        decision: Literal["approve", "reject"],
        body: DecisionIn,
    ) -> dict[str, Any]:
        automation = automation_of(request.app)
        record = automation.decide(
            approval_id,
            user=who.actor,
            roles=roles_of(who),
            decision=decision,
            comment=body.comment,
        )
        return {"approval": record.to_json(), "run": automation.view_json(record.run_id)}

    @router.post("/approvals/{approval_id}/approve", tags=["response"])
    def approve(
        request: Request, who: Writer, approval_id: Ident, body: DecisionIn
    ) -> dict[str, Any]:
        """Approve; the run goes on at once when enough approvals are in."""
        return _decide(request, who, approval_id, "approve", body)

    @router.post("/approvals/{approval_id}/reject", tags=["response"])
    def reject(
        request: Request, who: Writer, approval_id: Ident, body: DecisionIn
    ) -> dict[str, Any]:
        """Reject; the run stops."""
        return _decide(request, who, approval_id, "reject", body)

    @router.get("/blocks", tags=["response"])
    def list_blocks(request: Request, _: Reader) -> list[dict[str, Any]]:
        """Addresses blocked by playbooks, with their expiry."""
        return [
            {
                "address": b.address,
                "backend": b.backend,
                "expires_at": b.expires_at.isoformat() if b.expires_at else None,
                "reason": b.reason,
                "run_id": b.run_id,
                "created_at": b.created_at.isoformat() if b.created_at else None,
            }
            for b in automation_of(request.app).blocks.list()
        ]

    return router

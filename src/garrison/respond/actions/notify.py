"""``notify``: queue a message for roles and people on the configured channels."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome

#: Role names (``command``, ``technical``, ``communication``, ``oncall``...).
_ROLE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
#: People are user names, as the user store accepts them (``li.na``).
_PERSON = re.compile(r"[a-z][a-z0-9_.-]{0,63}")


class NotifyArgs(BaseModel):
    """Arguments of ``notify``."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=4000)
    roles: list[str] = Field(default_factory=list, max_length=20)
    people: list[str] = Field(default_factory=list, max_length=50)
    incident_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _someone(self) -> NotifyArgs:
        if not self.roles and not self.people:
            raise ValueError("give roles or people to notify")
        for role in self.roles:
            if not _ROLE.fullmatch(role):
                raise ValueError(f"{role[:40]!r} is not a role name")
        for person in self.people:
            if not _PERSON.fullmatch(person):
                raise ValueError(f"{person[:40]!r} is not a user name")
        return self


class Notify(Action[NotifyArgs]):
    """Queue ``playbook.notice`` in the outbox (sent with retries and rate limits)."""

    name = "notify"
    title: ClassVar[dict[str, str]] = {"en": "Notify", "zh-CN": "通知"}
    args_model = NotifyArgs

    def _effect(self, args: NotifyArgs) -> Effect:
        to = ", ".join([*args.roles, *args.people])
        # One line for people even when the subject (from an event) holds line breaks.
        return Effect("record", f"notify {to}: {' '.join(args.subject.split())}")

    def plan(self, args: NotifyArgs, ctx: ActionContext) -> Outcome:
        """What would be queued."""
        return Outcome(f"would notify: {args.subject}", effects=(self._effect(args),))

    def run(self, args: NotifyArgs, ctx: ActionContext) -> Outcome:
        """Queue the notification."""
        ctx.ports.need("notify").notify(
            subject=args.subject,
            message=args.message,
            roles=args.roles,
            people=args.people,
            incident_id=args.incident_id,
        )
        return Outcome(
            f"notified: {args.subject}",
            output={"roles": args.roles, "people": args.people},
            effects=(self._effect(args),),
        )


ACTION = Notify()

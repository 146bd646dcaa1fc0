"""The notifier: from an event and its values to deliveries on every routed channel.

For each route matching the event (and the incident's grade) the notifier collects the people
of the route's roles (the on-call roster is read at the time of sending), renders the message
once per language (a channel with a fixed ``language`` gets one message; otherwise each
recipient gets their own language), and sends through the channel with rate limiting and
retries. It stores nothing: the caller records the returned deliveries.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType

import httpx

from garrison.core.clock import Clock
from garrison.core.errors import InputError
from garrison.core.timezones import resolve_zone
from garrison.notify.base import Channel, Delivery, Language, Message, Recipient
from garrison.notify.config import NotifyConfig
from garrison.notify.oncall import on_call
from garrison.notify.ratelimit import RateLimiter, RateSpec
from garrison.notify.registry import ChannelDeps, build_channel
from garrison.notify.retry import Rand, RetryPolicy, Sleep, send_with_retry
from garrison.notify.templates import normalise_grade, render


@dataclass(frozen=True, slots=True)
class Planned:
    """One message to send: a channel, a language and the people it is for."""

    channel: str
    language: Language
    recipients: tuple[Recipient, ...]


class _Limited:
    """A channel whose every attempt (retries too) takes a token from its bucket."""

    def __init__(self, channel: Channel, limiter: RateLimiter) -> None:
        self._channel = channel
        self._limiter = limiter

    @property
    def name(self) -> str:
        return self._channel.name

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        if not self._limiter.try_acquire(self.name):
            wait = self._limiter.wait_seconds(self.name)
            return Delivery(
                channel=self.name,
                ok=False,
                status="rate_limited",
                error=f"rate limit reached; next send possible in {wait:.1f} s",
                retryable=True,
                retry_after=wait,
            )
        try:
            return self._channel.send(message, recipients)
        except Exception as exc:
            # A channel must not raise; if one does, the other channels still get their turn.
            # The exception text is not used: it could carry a token.
            return Delivery(
                channel=self.name,
                ok=False,
                status="failed",
                error=f"internal error in channel ({type(exc).__name__})",
            )


class Notifier:
    """Sends notifications as configured.

    Args:
        config: The validated settings (see :func:`garrison.notify.config.load_config`).
        clock: Time for signatures, rate limits and the on-call roster.
        sleep: Called with seconds to wait between attempts (``time.sleep`` in production).
        client: Shared httpx client; one is created (and closed by :meth:`close`) if omitted.
        ssl_context: TLS settings for SMTP.
        rand: Jitter source for the backoff.
        channels: Ready-made channels by name, replacing the configured ones of that name.
    """

    def __init__(
        self,
        config: NotifyConfig,
        *,
        clock: Clock,
        sleep: Sleep,
        client: httpx.Client | None = None,
        ssl_context: ssl.SSLContext | None = None,
        rand: Rand = random.random,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._tz = resolve_zone(config.timezone)
        self._own_client: httpx.Client | None = None
        if client is None:
            client = self._own_client = httpx.Client(follow_redirects=False)
        deps = ChannelDeps(clock=clock, client=client, ssl_context=ssl_context)
        given = dict(channels or {})
        self._limiter = RateLimiter(clock)
        self._channels: dict[str, Channel] = {}
        for name, cfg in config.channels.items():
            channel = given.pop(name, None) or build_channel(name, cfg, deps)
            self._limiter.configure(name, RateSpec.per_minute(cfg.rate_per_minute, cfg.burst))
            self._channels[name] = _Limited(channel, self._limiter)
        if given:
            raise InputError(f"channels not in the configuration: {', '.join(sorted(given))}")
        self._policy = RetryPolicy(**self.config.retry.model_dump())

    def close(self) -> None:
        """Close the HTTP client if this notifier created it."""
        if self._own_client is not None:
            self._own_client.close()
            self._own_client = None

    def __enter__(self) -> Notifier:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _people(self, ids: Sequence[str]) -> list[Recipient]:
        unknown = sorted(set(ids) - set(self.config.people))
        if unknown:
            raise InputError(f"unknown people: {', '.join(unknown)}", hint="see notify.people")
        return [self.config.people[person] for person in ids]

    def _role(self, role: str, assignees: list[Recipient]) -> list[Recipient]:
        if role == "assignee":
            return assignees
        if role == "on_call":
            if self.config.oncall is None:
                raise InputError("role 'on_call' used without an oncall roster")
            return self._people([on_call(self.config.oncall, self._clock.now())])
        return self._people(self.config.roles[role])

    def plan(
        self,
        event: str,
        values: Mapping[str, object],
        *,
        people: Sequence[str] = (),
        roles: Sequence[str] | None = None,
    ) -> list[Planned]:
        """Work out what would be sent, without sending.

        ``roles``, when given (a playbook's ``notify`` step), replaces the routes' own roles:
        the routes for the event still choose the channels.

        Raises:
            InputError: Unknown people, or values the templates refuse.
        """
        # Render once up front so bad input fails before anything is sent.
        render(event, self.config.default_language, values, tz=self._tz)
        assignees = self._people(list(people))
        grade = normalise_grade(values["grade"]) if values.get("grade") else None
        per_channel: dict[str, dict[str, Recipient]] = {}
        for route in self.config.routes:
            if event not in route.events:
                continue
            if route.grades is not None and grade not in route.grades:
                continue
            wanted = route.roles if roles is None else [*roles, "assignee"]
            found = [
                p
                for role in wanted
                if role in self.config.roles
                or role == "assignee"
                or (role == "on_call" and self.config.oncall is not None)
                for p in self._role(role, assignees)
            ]
            for channel in route.channels:
                bucket = per_channel.setdefault(channel, {})
                for person in found:
                    bucket.setdefault(person.id, person)
        plans: list[Planned] = []
        for channel, by_id in per_channel.items():
            recipients = list(by_id.values())
            fixed = self.config.channels[channel].language
            if fixed is not None or not recipients:
                language = fixed or self.config.default_language
                plans.append(Planned(channel, language, tuple(recipients)))
                continue
            languages = list(dict.fromkeys(person.language for person in recipients))
            for language in languages:
                group = tuple(p for p in recipients if p.language == language)
                plans.append(Planned(channel, language, group))
        return plans

    def notify(
        self,
        event: str,
        values: Mapping[str, object],
        *,
        people: Sequence[str] = (),
        roles: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Render and send ``event`` on every routed channel; one delivery per message.

        Args:
            event: ``incident.new``, ``sla.warning``, ``sla.breach``, ``incident.escalated`` or
                ``task.assigned``.
            values: Template values (see :func:`garrison.notify.templates.render`).
            people: Person ids for the ``assignee`` role.
            roles: Roles that replace the routes' own (see :meth:`plan`).

        Returns:
            The deliveries, in route order; an empty list when no route matches.

        Raises:
            InputError: Bad values or unknown people (nothing is sent then).
        """
        plans = self.plan(event, values, people=people, roles=roles)
        messages: dict[str, Message] = {}
        deliveries: list[Delivery] = []
        for planned in plans:
            message = messages.get(planned.language)
            if message is None:
                message = render(event, planned.language, values, tz=self._tz)
                messages[planned.language] = message
            deliveries.append(
                send_with_retry(
                    self._channels[planned.channel],
                    message,
                    planned.recipients,
                    sleep=self._sleep,
                    policy=self._policy,
                    rand=self._rand,
                )
            )
        return deliveries

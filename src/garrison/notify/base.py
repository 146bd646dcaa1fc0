"""Values and the channel protocol shared by every notification channel.

A :class:`Message` is rendered once per language (see :mod:`garrison.notify.templates`) and
handed to a :class:`Channel` together with the people it is for. A channel never raises for a
delivery problem: it returns a :class:`Delivery` that says what happened, with an error text
that never contains a secret (tokens, signing keys, passwords), so the caller can record it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field

EventKind = Literal[
    "incident.new", "sla.warning", "sla.breach", "incident.escalated", "task.assigned"
]
Language = Literal["zh-CN", "en"]
DeliveryStatus = Literal["sent", "failed", "rate_limited", "skipped"]

EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
LANGUAGES: tuple[str, ...] = get_args(Language)

# Handles end up inside mention markup that we build ourselves (``<@id>``, ``<at id=..>``), so
# they are restricted to characters that cannot close or extend that markup.
HANDLE_PATTERN = r"^[A-Za-z0-9_.:+-]{1,64}$"
MOBILE_PATTERN = r"^\+?[0-9][0-9-]{4,19}$"
EMAIL_PATTERN = r"^[^@\s<>\"',;()\[\]\\]{1,64}@[A-Za-z0-9.-]{1,253}$"


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered notification in one language.

    Attributes:
        event: What happened (``incident.new``, ``sla.breach``, ...).
        language: ``zh-CN`` or ``en``.
        subject: One line, no control characters (email subject, robot title).
        text: Plain-text body (email, generic webhook).
        markdown: Markdown body for the robots; every interpolated value is neutralised so it
            cannot add links, mentions or formatting.
        url: Link to the incident in the console, if known.
        fields: The values the message was made from, as display strings (plus ``color``:
            ``red``/``orange``/``yellow``/``blue`` when a grade was given).
    """

    event: EventKind
    language: Language
    subject: str
    text: str
    markdown: str
    url: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


class Recipient(BaseModel):
    """A person who can be notified, and how to reach them.

    Attributes:
        id: Stable key used by roles and the on-call roster (``alice``).
        name: Display name.
        language: Language this person reads notifications in.
        email: Address for the email channel.
        mobile: Phone number; DingTalk robots mention people by it.
        handles: Per channel type (``wecom``, ``feishu``, ``dingtalk``) the platform's user id,
            used to mention the person in a group.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=HANDLE_PATTERN)
    # Names go into email headers and robot mentions: no control characters, no line breaks.
    name: str = Field(pattern=r"^[^\x00-\x1f\x7f]{1,100}$")
    language: Language = "zh-CN"
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN)
    mobile: str | None = Field(default=None, pattern=MOBILE_PATTERN)
    handles: dict[str, str] = Field(default_factory=dict)

    def handle(self, channel_type: str) -> str | None:
        """Return this person's user id on ``channel_type``, if valid and known."""
        value = self.handles.get(channel_type)
        if value is None or not re.fullmatch(HANDLE_PATTERN, value):
            return None
        return value


@dataclass(frozen=True, slots=True)
class Delivery:
    """What happened when one message was handed to one channel.

    Attributes:
        channel: Name of the channel (from the configuration).
        ok: Whether the receiver accepted the message.
        status: ``sent``, ``failed``, ``rate_limited`` or ``skipped`` (nothing to send to).
        attempts: How many times sending was tried.
        error: Why it failed, free of secrets; when ``ok``, ``None`` or what went partly wrong
            (an SMTP server refused some of the recipients).
        http_status: HTTP status (or SMTP reply code) of the last attempt, if any.
        retryable: Whether trying again later may succeed (transport error, 5xx, 429, SMTP 4xx).
        retry_after: Seconds the receiver asked us to wait (``Retry-After``), if it did.
        recipients: Ids of the people the message was for.
        language: Language of the message.
    """

    channel: str
    ok: bool
    status: DeliveryStatus
    attempts: int = 1
    error: str | None = None
    http_status: int | None = None
    retryable: bool = False
    retry_after: float | None = None
    recipients: tuple[str, ...] = ()
    language: Language | None = None


class Channel(Protocol):
    """Something that delivers a message to people (SMTP server, robot, webhook)."""

    @property
    def name(self) -> str:
        """Name of this channel in the configuration (``soc-dingtalk``)."""
        ...

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        """Deliver ``message``; never raises for delivery problems (see :class:`Delivery`)."""
        ...


class ChannelConfig(BaseModel):
    """Settings every channel type shares.

    Attributes:
        type: Channel type (``email``, ``webhook``, ``dingtalk``, ``wecom``, ``feishu``).
        language: Render one message in this language for everyone (useful for a group robot);
            ``None`` renders one message per recipient language.
        timeout: Seconds before a connection or a response is given up.
        rate_per_minute: Sustained sends per minute this channel may make.
        burst: Sends allowed at once before the rate applies.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    language: Language | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)
    rate_per_minute: float = Field(default=20.0, gt=0)
    burst: int = Field(default=5, ge=1)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (and its URL-encoded forms) with ``***``.

    Error texts from libraries may quote a URL or a server reply that contains a token, so
    every error that leaves a channel goes through here.
    """
    from urllib.parse import quote, quote_plus

    for secret in secrets:
        if len(secret) < 4:
            # Too short to be a real secret and replacing it would garble the message.
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    return text


def failure(
    channel: str,
    error: str,
    *,
    secrets: Iterable[str] = (),
    http_status: int | None = None,
    retryable: bool = False,
    retry_after: float | None = None,
) -> Delivery:
    """Build a failed :class:`Delivery` whose error text has the secrets removed."""
    return Delivery(
        channel=channel,
        ok=False,
        status="failed",
        error=redact(error, secrets)[:500],
        http_status=http_status,
        retryable=retryable,
        retry_after=retry_after,
    )


def check_url(value: str, *, what: str = "url") -> str:
    """Validate an http(s) endpoint from configuration and return it unchanged.

    Raises:
        ValueError: If the scheme is not http/https, the host is missing, or the text contains
            whitespace or control characters (pydantic turns this into a config error).
    """
    from urllib.parse import urlsplit

    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError(f"{what} must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL with a host")
    return value

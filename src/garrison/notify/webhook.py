"""Generic signed JSON webhook.

Every request carries ``X-Garrison-Timestamp`` (Unix seconds) and
``X-Garrison-Signature: sha256=<hex>``, the HMAC-SHA256 with the shared secret of the bytes
``<timestamp>.<body>``. Signing the timestamp together with the body lets a receiver refuse
replays: it recomputes the HMAC over the raw body it received, compares in constant time, and
rejects timestamps older than a few minutes (see ``docs/notifications.md``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from garrison.notify.base import ChannelConfig, Delivery, Message, Recipient, check_url
from garrison.notify.httpsend import HttpChannel, encode_json, post_json

SIGNATURE_HEADER = "X-Garrison-Signature"
TIMESTAMP_HEADER = "X-Garrison-Timestamp"
EVENT_HEADER = "X-Garrison-Event"
_RESERVED = {"content-type", "content-length", "host"}


class WebhookConfig(ChannelConfig):
    """A generic HTTP receiver.

    Attributes:
        url: Where to POST.
        secret: Shared HMAC key (at least 16 characters).
        headers: Extra headers (an ``Authorization`` token, say); treated as secrets.
        include_contacts: Also send each recipient's email and mobile, not only id and name.
    """

    type: Literal["webhook"] = "webhook"
    url: str
    secret: SecretStr = Field(min_length=16)
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    include_contacts: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name, secret in value.items():
            if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", name):
                raise ValueError("header names may use letters, digits and '-' only")
            if re.search(r"[\x00-\x1f\x7f]", secret.get_secret_value()):
                raise ValueError(f"header {name!r} has a control character in its value")
            lowered = name.lower()
            if lowered in _RESERVED or lowered.startswith("x-garrison-"):
                raise ValueError(f"header {name!r} is set by Garrison and cannot be configured")
        return value


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``X-Garrison-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Check a received signature (what a receiver does), in constant time."""
    if not timestamp.isdigit():
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


class WebhookChannel(HttpChannel[WebhookConfig]):
    """Posts each message as a signed JSON document."""

    def body(self, message: Message, recipients: Sequence[Recipient]) -> dict[str, Any]:
        """The JSON document sent for ``message``."""
        people: list[dict[str, str]] = []
        for person in recipients:
            entry = {"id": person.id, "name": person.name, "language": person.language}
            if self.config.include_contacts:
                contacts = (("email", person.email), ("mobile", person.mobile))
                entry.update({key: value for key, value in contacts if value})
            people.append(entry)
        return {
            "event": message.event,
            "language": message.language,
            "subject": message.subject,
            "text": message.text,
            "markdown": message.markdown,
            "url": message.url,
            "fields": dict(message.fields),
            "recipients": people,
        }

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        """POST the signed document; see the module docstring for the signature."""
        secret = self.config.secret.get_secret_value()
        body = encode_json(self.body(message, recipients))
        timestamp = int(self._clock.now().timestamp())
        headers = {name: value.get_secret_value() for name, value in self.config.headers.items()}
        secrets = [secret, *headers.values()]
        headers.update(
            {
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(secret, timestamp, body),
                EVENT_HEADER: message.event,
                "User-Agent": "garrison-notify",
            }
        )
        return post_json(
            self._client,
            channel=self._name,
            url=self.config.url,
            body=body,
            timeout=self.config.timeout,
            secrets=secrets,
            headers=headers,
        )

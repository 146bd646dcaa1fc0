"""DingTalk (钉钉) custom group robot.

The robot's webhook is ``https://oapi.dingtalk.com/robot/send?access_token=<token>``. With the
"加签" security setting, ``timestamp`` (milliseconds) and ``sign`` are added to the query, where
``sign`` is the URL-encoded Base64 of HMAC-SHA256 keyed with the secret over
``"<timestamp>\\n<secret>"``; DingTalk refuses timestamps more than an hour off. The reply is
JSON ``{"errcode": 0, "errmsg": "ok"}``; any other ``errcode`` is a failure even with HTTP 200.
People are mentioned by mobile number (``at.atMobiles``) or DingTalk user id (``at.atUserIds``),
each also written as ``@<number>`` in the text so the client highlights it; ``isAtAll`` is never
set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import SecretStr, field_validator

from garrison.notify.base import ChannelConfig, Delivery, Message, Recipient, check_url
from garrison.notify.httpsend import HttpChannel, code_check, encode_json, post_json

DEFAULT_URL = "https://oapi.dingtalk.com/robot/send"


class DingTalkConfig(ChannelConfig):
    """A DingTalk custom robot.

    Attributes:
        access_token: The ``access_token`` of the robot's webhook URL.
        secret: The signing secret (``SEC...``) when the robot uses "加签".
        base_url: Endpoint without query (changed only for tests or a proxy).
        mention: Mention the recipients (by mobile or DingTalk user id) in the group.
    """

    type: Literal["dingtalk"] = "dingtalk"
    access_token: SecretStr
    secret: SecretStr | None = None
    base_url: str = DEFAULT_URL
    mention: bool = True

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value, what="base_url")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Return the Base64 signature (before URL encoding) for ``timestamp_ms``."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkChannel(HttpChannel[DingTalkConfig]):
    """Posts markdown messages to a DingTalk group through a custom robot."""

    def url(self) -> str:
        """The webhook URL with the token and, when configured, the signature."""
        query: dict[str, str] = {"access_token": self.config.access_token.get_secret_value()}
        if self.config.secret is not None:
            timestamp = int(self._clock.now().timestamp() * 1000)
            query["timestamp"] = str(timestamp)
            query["sign"] = dingtalk_sign(self.config.secret.get_secret_value(), timestamp)
        separator = "&" if "?" in self.config.base_url else "?"
        # urlencode quotes with quote_plus, which is the "urlEncode" DingTalk's docs ask for.
        return self.config.base_url + separator + urlencode(query)

    def body(self, message: Message, recipients: Sequence[Recipient]) -> dict[str, Any]:
        """The JSON document sent for ``message``."""
        mobiles: list[str] = []
        user_ids: list[str] = []
        if self.config.mention:
            for person in recipients:
                if person.mobile:
                    mobiles.append(person.mobile)
                elif handle := person.handle("dingtalk"):
                    user_ids.append(handle)
        text = message.markdown
        if mobiles or user_ids:
            text += "\n\n" + " ".join(f"@{who}" for who in [*mobiles, *user_ids])
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": text},
            "at": {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False},
        }

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        """Post the message; a non-zero ``errcode`` in the reply is a failure."""
        secrets = [self.config.access_token.get_secret_value()]
        if self.config.secret is not None:
            secrets.append(self.config.secret.get_secret_value())
        return post_json(
            self._client,
            channel=self._name,
            url=self.url(),
            body=encode_json(self.body(message, recipients)),
            timeout=self.config.timeout,
            secrets=secrets,
            check=code_check("errcode", "errmsg"),
        )

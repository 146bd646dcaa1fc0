"""WeCom (企业微信) group robot.

The robot's webhook is ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>``; the key
is the only credential, so it is handled as a secret. Messages use ``msgtype: markdown`` with
``markdown.content`` (at most 4096 bytes of UTF-8); people are mentioned with ``<@userid>`` in
the content. The reply is ``{"errcode": 0, "errmsg": "ok"}``; any other ``errcode`` is a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import SecretStr, field_validator

from garrison.notify.base import ChannelConfig, Delivery, Message, Recipient, check_url
from garrison.notify.httpsend import HttpChannel, code_check, encode_json, post_json

DEFAULT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
MAX_CONTENT_BYTES = 4096


class WeComConfig(ChannelConfig):
    """A WeCom group robot.

    Attributes:
        key: The ``key`` of the robot's webhook URL.
        base_url: Endpoint without query (changed only for tests or a proxy).
        mention: Mention recipients that have a ``wecom`` handle (their WeCom user id).
    """

    type: Literal["wecom"] = "wecom"
    key: SecretStr
    base_url: str = DEFAULT_URL
    mention: bool = True

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value, what="base_url")


def truncate_utf8(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes without splitting a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


class WeComChannel(HttpChannel[WeComConfig]):
    """Posts markdown messages to a WeCom group through a group robot."""

    def url(self) -> str:
        """The webhook URL with the key."""
        separator = "&" if "?" in self.config.base_url else "?"
        return (
            self.config.base_url
            + separator
            + urlencode({"key": self.config.key.get_secret_value()})
        )

    def body(self, message: Message, recipients: Sequence[Recipient]) -> dict[str, Any]:
        """The JSON document sent for ``message``."""
        mentions = ""
        if self.config.mention:
            handles = [h for person in recipients if (h := person.handle("wecom"))]
            if handles:
                mentions = "\n" + " ".join(f"<@{h}>" for h in handles)
        # Mentions go last and are kept whole, so only the message text is cut to fit.
        budget = MAX_CONTENT_BYTES - len(mentions.encode())
        content = truncate_utf8(message.markdown, budget) + mentions
        return {"msgtype": "markdown", "markdown": {"content": content}}

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        """Post the message; a non-zero ``errcode`` in the reply is a failure."""
        return post_json(
            self._client,
            channel=self._name,
            url=self.url(),
            body=encode_json(self.body(message, recipients)),
            timeout=self.config.timeout,
            secrets=[self.config.key.get_secret_value()],
            check=code_check("errcode", "errmsg"),
        )

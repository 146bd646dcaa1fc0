"""Feishu / Lark (飞书) custom bot.

The bot's webhook is ``https://open.feishu.cn/open-apis/bot/v2/hook/<hook id>`` (Lark:
``open.larksuite.com``). With "签名校验" the body carries ``timestamp`` (Unix seconds, as a
string) and ``sign``: the Base64 of HMAC-SHA256 *keyed with* ``"<timestamp>\\n<secret>"`` over an
empty message (Feishu's own sample code; the key/message order is the reverse of DingTalk's).
Feishu refuses timestamps more than an hour off. Messages are an interactive card (header
coloured by the incident grade, ``lark_md`` body) or plain text. The reply is
``{"code": 0, "msg": "success"}`` (older deployments: ``StatusCode``); any other code is a
failure even with HTTP 200.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from garrison.notify.base import ChannelConfig, Delivery, Message, Recipient, check_url
from garrison.notify.httpsend import HttpChannel, code_check, encode_json, post_json

DEFAULT_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/"
_CARD_COLOURS = {"red", "orange", "yellow", "blue"}


class FeishuConfig(ChannelConfig):
    """A Feishu/Lark custom bot.

    Attributes:
        hook: The last path segment of the bot's webhook URL.
        secret: The signing secret when "签名校验" is on.
        base_url: Webhook URL without the hook id (Lark: ``https://open.larksuite.com/...``).
        format: ``interactive`` (a card) or ``text``.
        mention: Mention recipients that have a ``feishu`` handle (open_id or user_id).
    """

    type: Literal["feishu"] = "feishu"
    hook: SecretStr = Field(min_length=1)
    secret: SecretStr | None = None
    base_url: str = DEFAULT_URL
    format: Literal["interactive", "text"] = "interactive"
    mention: bool = True

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value, what="base_url")

    @field_validator("hook")
    @classmethod
    def _hook(cls, value: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,128}", value.get_secret_value()):
            raise ValueError("hook must be the id at the end of the webhook URL")
        return value


def feishu_sign(secret: str, timestamp: int) -> str:
    """Return the ``sign`` field for ``timestamp`` (seconds)."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


class FeishuChannel(HttpChannel[FeishuConfig]):
    """Posts cards or text to a Feishu/Lark group through a custom bot."""

    def url(self) -> str:
        """The webhook URL."""
        base = self.config.base_url
        if not base.endswith("/"):
            base += "/"
        return base + self.config.hook.get_secret_value()

    def body(self, message: Message, recipients: Sequence[Recipient]) -> dict[str, Any]:
        """The JSON document sent for ``message`` (signed when a secret is configured)."""
        handles = (
            [h for p in recipients if (h := p.handle("feishu"))] if self.config.mention else []
        )
        body: dict[str, Any]
        if self.config.format == "text":
            # Text messages interpret <at ...> tags anywhere, so no angle bracket may survive.
            text = message.text.replace("<", "＜").replace(">", "＞")
            if handles:
                text += "\n" + " ".join(f'<at user_id="{h}"></at>' for h in handles)
            body = {"msg_type": "text", "content": {"text": text}}
        else:
            content = message.markdown
            if handles:
                content += "\n" + " ".join(f"<at id={h}></at>" for h in handles)
            colour = message.fields.get("color", "blue")
            body = {
                "msg_type": "interactive",
                "card": {
                    "config": {"wide_screen_mode": True},
                    "header": {
                        "title": {"tag": "plain_text", "content": message.subject},
                        "template": colour if colour in _CARD_COLOURS else "blue",
                    },
                    "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": content}}],
                },
            }
        if self.config.secret is not None:
            timestamp = int(self._clock.now().timestamp())
            body["timestamp"] = str(timestamp)
            body["sign"] = feishu_sign(self.config.secret.get_secret_value(), timestamp)
        return body

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        """Post the message; a non-zero ``code`` in the reply is a failure."""
        secrets = [self.config.hook.get_secret_value()]
        if self.config.secret is not None:
            secrets.append(self.config.secret.get_secret_value())
        return post_json(
            self._client,
            channel=self._name,
            url=self.url(),
            body=encode_json(self.body(message, recipients)),
            timeout=self.config.timeout,
            secrets=secrets,
            check=code_check("code", "msg", fallback_key="StatusCode"),
        )

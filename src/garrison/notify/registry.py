"""Channel types by name, and building channels from configuration dicts.

A new channel type is one module with a pydantic config model (``type: Literal["..."]``) and a
class following :class:`garrison.notify.base.Channel`, registered here with
:func:`register_channel`.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from garrison.core.clock import Clock
from garrison.core.errors import ConfigError
from garrison.notify.base import Channel, ChannelConfig
from garrison.notify.dingtalk import DingTalkChannel, DingTalkConfig
from garrison.notify.email import EmailChannel, EmailConfig
from garrison.notify.feishu import FeishuChannel, FeishuConfig
from garrison.notify.webhook import WebhookChannel, WebhookConfig
from garrison.notify.wecom import WeComChannel, WeComConfig


@dataclass(frozen=True, slots=True)
class ChannelDeps:
    """What a channel may need from its surroundings.

    Attributes:
        clock: For signature timestamps and email dates.
        client: Shared httpx client (``None``: each HTTP channel makes its own).
        ssl_context: TLS settings for SMTP (``None``: system trust store or ``ca_file``).
    """

    clock: Clock
    client: httpx.Client | None = None
    ssl_context: ssl.SSLContext | None = None


ChannelFactory = Callable[[str, Any, ChannelDeps], Channel]
_TYPES: dict[str, tuple[type[ChannelConfig], ChannelFactory]] = {}


def register_channel(
    type_name: str, config_model: type[ChannelConfig], factory: ChannelFactory
) -> None:
    """Make ``type_name`` available in channel configurations."""
    _TYPES[type_name] = (config_model, factory)


def channel_types() -> list[str]:
    """Names of the registered channel types."""
    return sorted(_TYPES)


def validation_message(exc: ValidationError) -> str:
    """Describe a validation error by location and reason only.

    Pydantic's own text quotes the input, which for channels holds tokens and passwords.
    """
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(top)"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def parse_channel_config(name: str, data: Mapping[str, Any] | BaseModel) -> ChannelConfig:
    """Validate one channel's configuration by its ``type``.

    Raises:
        ConfigError: Unknown type or invalid settings (the message never quotes values).
    """
    if isinstance(data, ChannelConfig):
        return data
    raw = data.model_dump(by_alias=True) if isinstance(data, BaseModel) else dict(data)
    type_name = raw.get("type")
    if type_name not in _TYPES:
        raise ConfigError(
            f"channel {name!r}: unknown type {type_name!r}",
            hint="one of " + ", ".join(channel_types()),
        )
    model, _ = _TYPES[str(type_name)]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"channel {name!r}: {validation_message(exc)}") from None


def build_channel(name: str, config: ChannelConfig, deps: ChannelDeps) -> Channel:
    """Create the channel described by ``config``."""
    _, factory = _TYPES[config.type]
    return factory(name, config, deps)


register_channel(
    "email",
    EmailConfig,
    lambda name, cfg, deps: EmailChannel(name, cfg, clock=deps.clock, ssl_context=deps.ssl_context),
)
register_channel(
    "webhook",
    WebhookConfig,
    lambda name, cfg, deps: WebhookChannel(name, cfg, clock=deps.clock, client=deps.client),
)
register_channel(
    "dingtalk",
    DingTalkConfig,
    lambda name, cfg, deps: DingTalkChannel(name, cfg, clock=deps.clock, client=deps.client),
)
register_channel(
    "wecom",
    WeComConfig,
    lambda name, cfg, deps: WeComChannel(name, cfg, clock=deps.clock, client=deps.client),
)
register_channel(
    "feishu",
    FeishuConfig,
    lambda name, cfg, deps: FeishuChannel(name, cfg, clock=deps.clock, client=deps.client),
)

"""``http_request``: call a web API that ``[response] http_allow`` names (a ticket system, a
chat bot, a firewall manager).

The URL usually carries values from events, so everything about it is checked before a byte is
sent: ``http`` or ``https`` only, no ``user:password@`` part, and a host that is on the
allow-list exactly or under a ``*.suffix`` entry. The host checked is the host connected to
(the same parsed URL is sent). Redirects are never followed: a redirect could lead anywhere.
Header names and values are checked too (no CR, LF or NUL, so nothing can be smuggled into the
request), and ``Host`` and the framing headers are httpx's alone.

Header values and query strings may hold secrets: effects, summaries and errors show the URL
without its query, and never a header value. The response is read up to 64 KiB.
"""

from __future__ import annotations

import json as jsonlib
import re
import ssl
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from garrison.core.errors import ActionError
from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome
from garrison.respond.config import ResponseSettings

#: Largest part of a response body kept in the output.
MAX_BODY = 64 * 1024
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
#: Headers only the HTTP client may set: the target and the message framing.
_RESERVED = {"host", "content-length", "transfer-encoding", "connection", "te", "upgrade"}


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every request (building one loads the CA bundle)."""
    return httpx.create_ssl_context()


def _check_url(value: str) -> httpx.URL:
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise ValueError(f"{value[:80]!r} is not a URL") from None
    if url.scheme not in {"http", "https"}:
        raise ValueError(f"only http and https URLs are allowed, not {url.scheme or 'none'!r}")
    if url.userinfo:
        raise ValueError("a URL may not hold a user name or password (use a header)")
    if not url.host:
        raise ValueError("the URL has no host")
    return url


class HttpArgs(BaseModel):
    """Arguments of ``http_request``.

    Attributes:
        url: ``http(s)://`` URL; its host must be on ``[response] http_allow``.
        method: ``GET``, ``POST`` (default), ``PUT``, ``PATCH`` or ``DELETE``.
        json_body: A JSON body (argument name ``json``).
        headers: Extra headers (``Authorization``, ``X-Api-Key``...).
        timeout: Seconds to wait for the connection and for each read (at most 120).
    """

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=4096)]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    json_body: Any = Field(default=None, alias="json")
    headers: dict[str, str] = Field(default_factory=dict, max_length=32)
    timeout: float = Field(default=15.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        _check_url(value)
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"{name[:64]!r} is not a header name ([A-Za-z0-9-], 1-64)")
            if name.lower() in _RESERVED:
                raise ValueError(f"header {name} is set by the HTTP client, not by playbooks")
            if len(text) > 1024:
                raise ValueError(f"header {name} is longer than 1024 characters")
            if any(ch in text for ch in "\r\n\0"):
                raise ValueError(f"header {name} holds a line break or NUL")
        return value

    @field_validator("json_body")
    @classmethod
    def _json(cls, value: Any) -> Any:
        try:
            jsonlib.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise ValueError("the json body must be JSON (no NaN or infinity)") from None
        return value


def allowed(host: str, allow: list[str]) -> bool:
    """Whether ``host`` is on the allow-list: equal to an entry, or under a ``*.suffix`` one.

    ``*.example.com`` allows ``api.example.com`` and ``a.b.example.com`` but not
    ``example.com`` itself nor ``badexample.com``.
    """
    host = host.lower().rstrip(".")
    for entry in allow:
        if entry.startswith("*."):
            if host.endswith("." + entry[2:].rstrip(".")):
                return True
        elif host == entry.rstrip("."):
            return True
    return False


def shown(url: httpx.URL) -> str:
    """The URL for people and logs: without its query (which may hold a key) or fragment."""
    text = str(url.copy_with(query=None, fragment=None))
    return text + ("?…" if url.query else "")


def permitted(url: str, settings: ResponseSettings) -> httpx.URL:
    """The parsed URL when its host is allowed.

    Raises:
        ActionError: Not a usable URL, or a host outside ``http_allow``.
    """
    try:
        parsed = _check_url(url)
    except ValueError as exc:
        raise ActionError(f"http_request: {exc}") from None
    host = parsed.raw_host.decode("ascii", "replace")
    if not allowed(host, settings.http_allow):
        raise ActionError(
            f"http_request: host {host[:100]!r} is not on the allow-list",
            hint="add it (or *.its-domain) to [response] http_allow in garrison.toml",
        )
    return parsed


def _read(response: httpx.Response) -> tuple[bytes, bool]:
    """Up to :data:`MAX_BODY` bytes of the body, and whether there was more."""
    kept = bytearray()
    for chunk in response.iter_bytes():
        kept += chunk
        if len(kept) > MAX_BODY:
            return bytes(kept[:MAX_BODY]), True
    return bytes(kept), False


class HttpRequest(Action[HttpArgs]):
    """Send one HTTP request to an allowed host and return its status and body."""

    name = "http_request"
    title: ClassVar[dict[str, str]] = {"en": "HTTP request", "zh-CN": "HTTP 请求"}
    args_model = HttpArgs

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        # Tests may pass a transport; by default httpx makes its own (and reads proxy settings
        # from the environment, as the notification senders do).
        self._transport = transport

    def plan(self, args: HttpArgs, ctx: ActionContext) -> Outcome:
        """The request that would be sent (the allow-list is checked, nothing is sent)."""
        url = permitted(args.url, ctx.settings)
        return Outcome(
            f"would send {args.method} {shown(url)}",
            effects=(Effect("http", f"{args.method} {shown(url)}"),),
        )

    def run(self, args: HttpArgs, ctx: ActionContext) -> Outcome:
        """Send the request; a 2xx answer is a success, anything else an error.

        Raises:
            ActionError: A refused host, a failed exchange, or a non-2xx status (retryable for
                5xx and 429).
        """
        url = permitted(args.url, ctx.settings)
        where = f"{args.method} {shown(url)}"
        kwargs: dict[str, Any] = {"headers": args.headers}
        if args.json_body is not None:
            kwargs["json"] = args.json_body
        try:
            with (
                httpx.Client(
                    follow_redirects=False,
                    timeout=args.timeout,
                    transport=self._transport,
                    verify=tls_context(),
                ) as client,
                client.stream(args.method, url, **kwargs) as response,
            ):
                body, truncated = _read(response)
        except httpx.TimeoutException:
            raise ActionError(
                f"{where}: no answer within {args.timeout:g} s", retryable=True
            ) from None
        except httpx.TransportError as exc:
            raise ActionError(f"{where}: {type(exc).__name__}", retryable=True) from None
        status = response.status_code
        if not 200 <= status < 300:
            raise self._failure(where, response)
        output: dict[str, Any] = {"status": status, "truncated": truncated}
        try:
            text = body.decode(response.charset_encoding or "utf-8", "replace")
        except LookupError:  # a charset Python does not know
            text = body.decode("utf-8", "replace")
        if "json" in response.headers.get("content-type", "") and not truncated:
            try:
                output["json"] = jsonlib.loads(text) if text.strip() else None
            except ValueError:
                output["text"] = text
        else:
            output["text"] = text
        return Outcome(
            f"{where} answered {status}",
            output=output,
            effects=(Effect("http", where),),
        )

    @staticmethod
    def _failure(where: str, response: httpx.Response) -> ActionError:
        status = response.status_code
        if 300 <= status < 400:
            target = response.headers.get("location", "")
            try:
                moved = shown(httpx.URL(target)) if target else "nowhere"
            except (httpx.InvalidURL, ValueError):
                moved = "an invalid URL"
            return ActionError(
                f"{where} answered {status} (a redirect to {moved}; redirects are not followed)",
                hint="call the final URL directly",
            )
        retry = status >= 500 or status == 429
        return ActionError(f"{where} answered {status} {response.reason_phrase}", retryable=retry)


ACTION = HttpRequest()

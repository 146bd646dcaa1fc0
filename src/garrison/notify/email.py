"""Email over SMTP, with STARTTLS required by default.

The message is ``multipart/alternative`` when HTML is enabled (the HTML part is the plain text,
HTML-escaped, never a template of its own), otherwise a single ``text/plain`` part. Headers
and body are UTF-8 (RFC 2047 encoded words in headers) so Chinese arrives intact. The
connection is refused, rather than downgraded, when the server does not offer STARTTLS, and a
password is never sent over an unencrypted connection.
"""

from __future__ import annotations

import base64
import html
import smtplib
import ssl
from collections.abc import Sequence
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from garrison.core.clock import Clock
from garrison.notify.base import (
    EMAIL_PATTERN,
    ChannelConfig,
    Delivery,
    Message,
    Recipient,
    failure,
)


class EmailConfig(ChannelConfig):
    """An SMTP relay.

    Attributes:
        host: SMTP server name.
        port: 587 for STARTTLS, 465 for implicit TLS.
        security: ``starttls`` (required by default), ``tls`` (implicit, port 465) or ``none``
            (only for a local relay, and never with a password).
        username: Login name, if the relay wants one.
        password: Login password.
        sender: The ``From`` address (YAML key ``from``).
        sender_name: Display name for ``From``.
        ca_file: PEM bundle to trust instead of the system's (a private CA).
        html: Add an HTML alternative part.
        helo_name: Name sent in EHLO; defaults to the sender's domain.
    """

    type: Literal["email"] = "email"
    host: str = Field(min_length=1, pattern=r"^[A-Za-z0-9.:\[\]-]+$")
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(alias="from", pattern=EMAIL_PATTERN)
    sender_name: str = Field(default="Garrison", pattern=r"^[^\x00-\x1f\x7f]{1,100}$")
    ca_file: str | None = None
    html: bool = False
    helo_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.-]{1,253}$")
    rate_per_minute: float = Field(default=60.0, gt=0)

    model_config = ChannelConfig.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _no_clear_password(self) -> EmailConfig:
        if self.security == "none" and (self.username or self.password):
            raise ValueError("a password must not be sent without TLS: use starttls or tls")
        if self.password is not None and not self.username:
            raise ValueError("password given without username")
        return self


def html_body(message: Message) -> str:
    """The HTML alternative: the plain text escaped, with the console link made clickable."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{message.language}"><head><meta charset="utf-8">',
        f"<title>{html.escape(message.subject)}</title></head><body>",
        '<div style="white-space:pre-wrap;font-family:sans-serif">',
        html.escape(message.text),
        "</div>",
    ]
    if message.url:
        url = html.escape(message.url, quote=True)
        parts.append(f'<p><a href="{url}">{url}</a></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; credentials outside ASCII go through AUTH PLAIN as UTF-8 (RFC 4616).

    ``smtplib.login`` encodes credentials as ASCII and raises on anything else.
    """
    if username.isascii() and password.isascii():
        smtp.login(username, password)
        return
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPException("server offers no AUTH PLAIN for a non-ASCII password")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode())
    code, reply = smtp.docmd("AUTH", "PLAIN " + token.decode("ascii"))
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class EmailChannel:
    """Sends each message as one email to all recipients that have an address."""

    def __init__(
        self,
        name: str,
        config: EmailConfig,
        *,
        clock: Clock,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._name = name
        self.config = config
        self._clock = clock
        self._ssl_context = ssl_context

    @property
    def name(self) -> str:
        """Channel name from the configuration."""
        return self._name

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is not None:
            return self._ssl_context
        return ssl.create_default_context(cafile=self.config.ca_file)

    def build(self, message: Message, recipients: Sequence[Recipient]) -> MIMEBase:
        """The email for ``message``; recipients without an address are left out.

        Built with the classic ``email.mime`` classes and :class:`email.header.Header`: the
        newer ``EmailMessage`` folding drops the space between an encoded word and the next
        word (``新安全事件 INC-7`` arrives as ``新安全事件INC-7``), while ``Header`` keeps spaces
        inside the encoded words.
        """
        domain = self.config.sender.rsplit("@", 1)[1]
        mail: MIMEBase
        text = MIMEText(message.text, "plain", "utf-8")
        if self.config.html:
            mail = MIMEMultipart("alternative")
            mail.attach(text)
            mail.attach(MIMEText(html_body(message), "html", "utf-8"))
        else:
            mail = text
        mail["From"] = formataddr((self.config.sender_name, self.config.sender), "utf-8")
        mail["To"] = ", ".join(
            formataddr((p.name, p.email), "utf-8") for p in recipients if p.email
        )
        # Subjects are single-line by construction; this guards against header injection anyway.
        # typeshed only admits str here, but compat32 messages take a Header (see docstring).
        subject: Any = Header(" ".join(message.subject.split()), "utf-8")
        mail["Subject"] = subject
        mail["Date"] = format_datetime(self._clock.now())
        mail["Message-ID"] = make_msgid(domain=domain)
        mail["Auto-Submitted"] = "auto-generated"
        mail["X-Garrison-Event"] = message.event
        mail["Content-Language"] = message.language
        return mail

    def send(self, message: Message, recipients: Sequence[Recipient]) -> Delivery:
        """Connect, secure the connection, log in if configured, and send one email."""
        to = [p.email for p in recipients if p.email]
        if not to:
            return Delivery(
                channel=self._name, ok=False, status="skipped", error="no recipient has an email"
            )
        secrets = [self.config.password.get_secret_value()] if self.config.password else []
        try:
            return self._send(self.build(message, recipients), to)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            transient = all(400 <= code < 500 for code in codes)
            return failure(
                self._name,
                f"all recipients refused (codes {sorted(set(codes))})",
                retryable=transient,
                http_status=codes[0] if codes else None,
            )
        except smtplib.SMTPAuthenticationError as exc:
            return failure(
                self._name,
                f"SMTP login refused ({exc.smtp_code})",
                secrets=secrets,
                http_status=exc.smtp_code,
            )
        except smtplib.SMTPResponseException as exc:
            reply = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            # SMTP's own convention: 4yz replies are transient, 5yz are permanent.
            return failure(
                self._name,
                f"SMTP {exc.smtp_code}: {reply}",
                secrets=secrets,
                http_status=exc.smtp_code,
                retryable=400 <= exc.smtp_code < 500,
            )
        except ssl.SSLError as exc:
            # A certificate that does not verify will not verify on the next try either.
            return failure(self._name, f"TLS failed: {exc}", secrets=secrets)
        except (OSError, smtplib.SMTPException) as exc:
            return failure(
                self._name, f"{type(exc).__name__}: {exc}", secrets=secrets, retryable=True
            )

    def _send(self, mail: MIMEBase, to: list[str]) -> Delivery:
        cfg = self.config
        helo = cfg.helo_name or cfg.sender.rsplit("@", 1)[1]
        smtp: smtplib.SMTP
        if cfg.security == "tls":
            smtp = smtplib.SMTP_SSL(
                cfg.host,
                cfg.port,
                local_hostname=helo,
                timeout=cfg.timeout,
                context=self._context(),
            )
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, local_hostname=helo, timeout=cfg.timeout)
        with smtp:
            smtp.ehlo()
            if cfg.security == "starttls":
                if not smtp.has_extn("starttls"):
                    return failure(
                        self._name, "server does not offer STARTTLS; not sending in clear"
                    )
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if cfg.username and cfg.password is not None:
                _login(smtp, cfg.username, cfg.password.get_secret_value())
            refused = smtp.send_message(mail, from_addr=cfg.sender, to_addrs=to)
        error = f"{len(refused)} of {len(to)} recipients refused" if refused else None
        return Delivery(channel=self._name, ok=True, status="sent", error=error, http_status=250)

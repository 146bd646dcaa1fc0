"""Email channel against a local aiosmtpd server with STARTTLS and AUTH."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path

import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import ConfigError
from garrison.notify.base import Message, Recipient
from garrison.notify.email import EmailChannel, EmailConfig, html_body
from garrison.notify.registry import parse_channel_config
from garrison.notify.templates import render
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER, MailSink, _start

ALICE = Recipient(id="alice", name="张三", language="zh-CN", email="alice@example.com")
BOB = Recipient(id="bob", name="Bob", language="en", email="bob@example.com")
NO_MAIL = Recipient(id="carol", name="Carol", mobile="13800000000")


def _config(port: int, **extra: object) -> EmailConfig:
    data: dict[str, object] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "from": "soc@example.com",
        "sender_name": "Garrison 安全运营",
        "username": SMTP_USER,
        "password": SMTP_PASSWORD,
    }
    data.update(extra)
    return EmailConfig.model_validate(data)


def _message(title: str = "SSH 暴力破解后登录成功") -> Message:
    return render(
        "incident.new",
        "zh-CN",
        {
            "incident_id": "INC-7",
            "title": title,
            "grade": "II",
            "category": "网络攻击",
            "link": "https://garrison.example/incidents/INC-7",
        },
    )


def test_sends_utf8_message_over_starttls(
    smtp_server: MailSink, clock: FrozenClock, client_tls: ssl.SSLContext
) -> None:
    channel = EmailChannel(
        "mail", _config(smtp_server.port, html=True), clock=clock, ssl_context=client_tls
    )
    message = _message()
    delivery = channel.send(message, [ALICE, BOB, NO_MAIL])

    assert delivery.ok and delivery.status == "sent" and delivery.http_status == 250
    assert smtp_server.tls_sessions == [True]
    assert smtp_server.logins == [(SMTP_USER.encode(), True)]
    [(mail_from, rcpt, raw)] = smtp_server.envelopes
    assert mail_from == "soc@example.com"
    assert rcpt == ["alice@example.com", "bob@example.com"]

    # Headers travel as ASCII (RFC 2047 encoded words) and decode back to the Chinese text.
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    header_block.decode("ascii")
    assert b"=?utf-8?" in header_block
    [mail] = smtp_server.messages()
    assert mail["Subject"] == "【II级·重大·橙色】新安全事件 INC-7：SSH 暴力破解后登录成功"
    assert mail["Subject"] == message.subject
    assert mail["From"] == "Garrison 安全运营 <soc@example.com>"
    assert mail["To"] == "张三 <alice@example.com>, Bob <bob@example.com>"
    assert mail["Date"] == format_datetime(clock.now()) == "Mon, 23 Nov 2026 12:00:00 +0000"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Garrison-Event"] == "incident.new"
    assert mail["Content-Language"] == "zh-CN"
    assert mail["Message-ID"].endswith("@example.com>")
    assert mail.get_content_type() == "multipart/alternative"

    text_part = mail.get_body(("plain",))
    html_part = mail.get_body(("html",))
    assert text_part is not None and html_part is not None
    assert text_part.get_content_charset() == "utf-8"
    assert text_part.get_content() == message.text
    assert text_part.get_content() == (
        "发现新的网络安全事件，请按应急预案立即研判处置。\n"
        "\n"
        "事件编号：INC-7\n"
        "事件名称：SSH 暴力破解后登录成功\n"
        "事件级别：II级·重大·橙色\n"
        "事件类别：网络攻击\n"
        "\n"
        "查看事件：https://garrison.example/incidents/INC-7\n"
    )
    assert html_part.get_content() == html_body(message)


def test_plain_only_without_html(
    smtp_server: MailSink, clock: FrozenClock, client_tls: ssl.SSLContext
) -> None:
    channel = EmailChannel("mail", _config(smtp_server.port), clock=clock, ssl_context=client_tls)
    assert channel.send(_message(), [BOB]).ok
    [mail] = smtp_server.messages()
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content() == _message().text


def test_html_part_escapes_hostile_title(
    smtp_server: MailSink, clock: FrozenClock, client_tls: ssl.SSLContext
) -> None:
    channel = EmailChannel(
        "mail", _config(smtp_server.port, html=True), clock=clock, ssl_context=client_tls
    )
    assert channel.send(_message('<script>alert(1)</script><a href="x">'), [BOB]).ok
    html_part = smtp_server.messages()[0].get_body(("html",))
    assert html_part is not None
    content = html_part.get_content()
    assert "<script>" not in content and '<a href="x">' not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_refuses_server_without_starttls(plain_smtp_server: MailSink, clock: FrozenClock) -> None:
    channel = EmailChannel("mail", _config(plain_smtp_server.port), clock=clock)
    delivery = channel.send(_message(), [ALICE])
    assert not delivery.ok and not delivery.retryable
    assert delivery.error is not None and "STARTTLS" in delivery.error
    assert plain_smtp_server.envelopes == [] and plain_smtp_server.logins == []


def test_untrusted_certificate_is_a_permanent_failure(
    smtp_server: MailSink, clock: FrozenClock
) -> None:
    channel = EmailChannel(
        "mail", _config(smtp_server.port), clock=clock, ssl_context=ssl.create_default_context()
    )
    delivery = channel.send(_message(), [ALICE])
    assert not delivery.ok and not delivery.retryable
    assert delivery.error is not None and delivery.error.startswith("TLS failed")
    assert smtp_server.envelopes == [] and smtp_server.logins == []


def test_wrong_password_never_shows_in_error(
    smtp_server: MailSink, clock: FrozenClock, client_tls: ssl.SSLContext
) -> None:
    wrong = "wrong-password-123"
    channel = EmailChannel(
        "mail", _config(smtp_server.port, password=wrong), clock=clock, ssl_context=client_tls
    )
    delivery = channel.send(_message(), [ALICE])
    assert not delivery.ok and not delivery.retryable
    assert delivery.http_status == 535
    assert wrong not in repr(delivery) and SMTP_PASSWORD not in repr(delivery)
    assert smtp_server.envelopes == []


def test_connection_refused_is_retryable(clock: FrozenClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delivery = EmailChannel("mail", _config(port, timeout=2), clock=clock).send(_message(), [ALICE])
    assert not delivery.ok and delivery.retryable and delivery.status == "failed"


def test_skips_when_nobody_has_an_address(clock: FrozenClock) -> None:
    delivery = EmailChannel("mail", _config(25), clock=clock).send(_message(), [NO_MAIL])
    assert delivery.status == "skipped" and not delivery.ok


@pytest.fixture
def implicit_tls_server(tls_files: tuple[Path, Path]) -> Iterator[MailSink]:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(str(tls_files[0]), str(tls_files[1]))
    sink = MailSink()
    controller = _start(sink, ssl_context=server_tls, auth_require_tls=False)
    yield sink
    controller.stop()


def test_implicit_tls(
    implicit_tls_server: MailSink, clock: FrozenClock, client_tls: ssl.SSLContext
) -> None:
    config = _config(implicit_tls_server.port, security="tls")
    delivery = EmailChannel("mail", config, clock=clock, ssl_context=client_tls).send(
        _message(), [ALICE]
    )
    assert delivery.ok
    assert implicit_tls_server.messages()[0]["Subject"] == _message().subject


def test_config_refuses_password_without_tls() -> None:
    with pytest.raises(ConfigError) as info:
        parse_channel_config(
            "mail",
            {
                "type": "email",
                "host": "relay",
                "from": "a@example.com",
                "security": "none",
                "username": "u",
                "password": "hunter2-secret",
            },
        )
    assert "without TLS" in str(info.value)
    assert "hunter2-secret" not in str(info.value)


def test_config_rejects_header_injection_in_sender() -> None:
    with pytest.raises(ConfigError):
        parse_channel_config(
            "mail", {"type": "email", "host": "relay", "from": "a@example.com\r\nBcc: x@evil"}
        )

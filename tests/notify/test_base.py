"""Shared values: recipients, redaction, URL checks."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from garrison.notify.base import Message, Recipient, check_url, failure, redact


def test_redact_removes_plain_and_url_encoded_secrets() -> None:
    secret = "a+b/c=d"
    text = f"GET /send?key={secret} and key=a%2Bb%2Fc%3Dd"
    assert redact(text, [secret]) == "GET /send?key=*** and key=***"
    assert redact("abc", ["ab"]) == "abc"  # too short to be a real secret


def test_failure_redacts_and_truncates() -> None:
    delivery = failure("c", "boom token-xyz " + "x" * 600, secrets=["token-xyz"])
    assert delivery.error is not None
    assert "token-xyz" not in delivery.error and len(delivery.error) == 500


def test_recipient_validation() -> None:
    person = Recipient(
        id="alice", name="张三", handles={"wecom": "zhangsan", "feishu": "<at id=all>"}
    )
    assert person.handle("wecom") == "zhangsan"
    assert person.handle("feishu") is None  # would break out of the mention markup
    assert person.handle("dingtalk") is None
    bad_values: list[dict[str, str]] = [
        {"email": "a@b@c"},
        {"mobile": "call me"},
        {"id": "a b"},
        {"language": "fr"},
        {"name": "Eve\r\nBcc: x@evil.example"},
    ]
    for bad in bad_values:
        with pytest.raises(ValidationError):
            Recipient.model_validate({"id": "x", "name": "X", **bad})


def test_message_is_frozen() -> None:
    message = Message(event="incident.new", language="en", subject="s", text="t", markdown="m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.subject = "other"  # type: ignore[misc]


@pytest.mark.parametrize("url", ["ftp://x", "http://", "https://a b", "javascript:alert(1)"])
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        check_url(url)

"""Backoff bounds (property tests) and retries against a real local server."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.notify.base import Message, Recipient
from garrison.notify.retry import RetryPolicy, backoff, delays, send_with_retry
from garrison.notify.webhook import WebhookChannel, WebhookConfig
from tests.notify.conftest import Receiver

ALICE = Recipient(id="alice", name="Alice", language="en")

policies = st.builds(
    RetryPolicy,
    attempts=st.integers(1, 10),
    base=st.floats(0, 100, allow_nan=False),
    factor=st.floats(1, 10, allow_nan=False),
    cap=st.floats(0, 3600, allow_nan=False),
    jitter=st.floats(0, 1, allow_nan=False),
)


@given(policies, st.integers(0, 10_000), st.floats(0, 1, exclude_max=True))
def test_backoff_stays_within_jitter_bounds(policy: RetryPolicy, retry: int, u: float) -> None:
    ceiling = min(policy.cap, policy.base * policy.factor ** min(retry, 64))
    delay = backoff(policy, retry, u)
    assert ceiling * (1 - policy.jitter) - 1e-9 <= delay <= ceiling
    assert 0 <= delay <= policy.cap


@given(policies)
def test_ceilings_grow_until_the_cap(policy: RetryPolicy) -> None:
    # Without jitter (u = 0) the delays never shrink and never pass the cap.
    waits = delays(policy, lambda: 0.0)
    assert len(waits) == policy.attempts - 1
    assert waits == sorted(waits)
    assert all(w <= policy.cap for w in waits)


def test_default_delays() -> None:
    assert delays(RetryPolicy(), lambda: 0.0) == [1.0, 2.0, 4.0]
    assert delays(RetryPolicy(), lambda: 0.999) == [0.5005, 1.001, 2.002]


def _webhook(receiver: Receiver, client: httpx.Client, clock: FrozenClock) -> WebhookChannel:
    config = WebhookConfig.model_validate(
        {"url": receiver.url + "/hook", "secret": "0123456789abcdef0123"}
    )
    return WebhookChannel("hook", config, clock=clock, client=client)


def _message() -> Message:
    return Message(event="incident.new", language="en", subject="s", text="t\n", markdown="t\n")


def test_retries_503_then_succeeds(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock
) -> None:
    receiver.replies.append((503, {}, b"busy"))
    slept: list[float] = []
    delivery = send_with_retry(
        _webhook(receiver, client, clock),
        _message(),
        [ALICE],
        sleep=slept.append,
        rand=lambda: 0.5,
    )
    assert delivery.ok and delivery.attempts == 2
    assert delivery.recipients == ("alice",) and delivery.language == "en"
    assert slept == [0.75]  # base 1 s, half of the 50 % jitter taken away
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body


def test_client_error_is_not_retried(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock
) -> None:
    receiver.replies.append((404, {}, b"no such hook"))
    slept: list[float] = []
    delivery = send_with_retry(
        _webhook(receiver, client, clock), _message(), [ALICE], sleep=slept.append
    )
    assert not delivery.ok and delivery.attempts == 1 and delivery.http_status == 404
    assert slept == [] and len(receiver.requests) == 1


def test_429_waits_as_asked_but_within_the_cap(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock
) -> None:
    receiver.replies += [(429, {"Retry-After": "30"}, b""), (429, {"Retry-After": "3600"}, b"")]
    slept: list[float] = []
    delivery = send_with_retry(
        _webhook(receiver, client, clock),
        _message(),
        [ALICE],
        sleep=slept.append,
        policy=RetryPolicy(cap=60.0),
        rand=lambda: 0.0,
    )
    assert delivery.ok and delivery.attempts == 3
    assert slept == [30.0, 60.0]


def test_gives_up_after_the_attempts(
    receiver: Receiver, client: httpx.Client, clock: FrozenClock
) -> None:
    receiver.default = (500, {}, b"broken")
    slept: list[float] = []
    delivery = send_with_retry(
        _webhook(receiver, client, clock),
        _message(),
        [ALICE],
        sleep=slept.append,
        attempts=3,
        rand=lambda: 0.0,
    )
    assert not delivery.ok and delivery.retryable and delivery.attempts == 3
    assert slept == [1.0, 2.0] and len(receiver.requests) == 3

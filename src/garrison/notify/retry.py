"""Retrying a send with exponential backoff and jitter.

Only failures that may pass retry: transport errors, HTTP 429 and 5xx, SMTP 4yz replies
(the channel marks them ``retryable``). A 4xx, a robot's error code or a refused login will
fail the same way again, so it is returned at once. Waiting goes through an injected
``sleep`` so library code never blocks on the wall clock by itself and tests run instantly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from garrison.notify.base import Channel, Delivery, Message, Recipient

Sleep = Callable[[float], None]
Rand = Callable[[], float]

# Beyond this many doublings every realistic policy is at its cap; stops float overflow.
_MAX_EXPONENT = 64


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait between attempts.

    Attributes:
        attempts: Total tries, the first included (1 means no retry).
        base: Delay before the first retry, in seconds, before jitter.
        factor: Growth of the delay per retry.
        cap: Largest delay, in seconds (also caps a server's ``Retry-After``).
        jitter: Fraction of each delay that is randomised away: a delay ``d`` becomes a value
            in ``[d * (1 - jitter), d]``, so many senders that failed together spread out.
    """

    attempts: int = 4
    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base < 0 or self.cap < 0 or self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ValueError("need base >= 0, cap >= 0, factor >= 1 and 0 <= jitter <= 1")


def backoff(policy: RetryPolicy, retry: int, u: float) -> float:
    """Delay in seconds before retry number ``retry`` (0 for the first retry).

    Args:
        policy: The policy.
        retry: Zero-based retry index.
        u: A uniform random number in ``[0, 1)`` (injected so this function is pure).

    Returns:
        ``min(cap, base * factor**retry) * (1 - jitter * u)``.
    """
    ceiling = min(policy.cap, policy.base * policy.factor ** min(retry, _MAX_EXPONENT))
    return ceiling * (1 - policy.jitter * u)


def delays(policy: RetryPolicy, rand: Rand) -> list[float]:
    """All the waits a send would make if every attempt failed retryably."""
    return [backoff(policy, retry, rand()) for retry in range(policy.attempts - 1)]


def send_with_retry(
    channel: Channel,
    message: Message,
    recipients: Sequence[Recipient],
    *,
    sleep: Sleep,
    attempts: int | None = None,
    policy: RetryPolicy | None = None,
    rand: Rand = random.random,
) -> Delivery:
    """Send, retrying retryable failures with backoff.

    Args:
        channel: Where to send.
        message: What to send.
        recipients: Who it is for.
        sleep: Called with the delay in seconds between attempts.
        attempts: Overrides ``policy.attempts``.
        policy: Backoff shape; the default policy when ``None``.
        rand: Source of jitter (not security-relevant).

    Returns:
        The last delivery, with ``attempts``, ``recipients`` and ``language`` filled in.
    """
    policy = policy or RetryPolicy()
    if attempts is not None:
        policy = replace(policy, attempts=attempts)
    ids = tuple(person.id for person in recipients)
    attempt = 0
    while True:
        attempt += 1
        delivery = channel.send(message, recipients)
        if delivery.ok or not delivery.retryable or attempt >= policy.attempts:
            return replace(delivery, attempts=attempt, recipients=ids, language=message.language)
        delay = backoff(policy, attempt - 1, rand())
        if delivery.retry_after is not None:
            delay = min(policy.cap, max(delay, delivery.retry_after))
        sleep(delay)

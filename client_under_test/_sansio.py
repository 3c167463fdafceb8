"""One code path for the sync and async clients: operations are generators of effects.

An operation (start a job, refresh a token) is written once as a generator that yields
:class:`Send` (``httpx.Request`` out, ``httpx.Response`` back, or an ``httpx.TransportError``
thrown in) and :class:`Sleep` (wait through the injected sleep). :func:`run_sync` and
:func:`run_async` carry the effects out with a sync or an async httpx client. Retries, backoff
and ``Retry-After`` live here, once, and never read the wall clock: time comes from the clock
the client was given, waiting from its sleep.
"""

from __future__ import annotations

import inspect
import logging
import random
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

__all__ = [
    "Effect",
    "RetryPolicy",
    "Send",
    "Sleep",
    "Steps",
    "retry_after_seconds",
    "run_async",
    "run_sync",
    "send_with_retry",
]

log = logging.getLogger("client_under_test")

T = TypeVar("T")


@dataclass(frozen=True)
class Send:
    request: httpx.Request
    #: An auth for this request only (the id_token lookups); None: the client's own.
    auth: httpx.Auth | None = None


@dataclass(frozen=True)
class Sleep:
    seconds: float


Effect = Send | Sleep
Steps = Generator[Effect, Any, T]


def run_sync(
    steps: Steps[T],
    send: Callable[[Send], httpx.Response],
    sleep: Callable[[float], Any],
) -> T:
    """Drive ``steps`` with a blocking ``send`` and ``sleep``."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = steps.throw(error) if error is not None else steps.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        value = error = None
        if isinstance(effect, Sleep):
            sleep(effect.seconds)
            continue
        try:
            value = send(effect)
        except httpx.TransportError as exc:
            error = exc


async def run_async(
    steps: Steps[T],
    send: Callable[[Send], Awaitable[httpx.Response]],
    sleep: Callable[[float], Any],
) -> T:
    """Drive ``steps`` with an awaitable ``send``; ``sleep`` may be sync or async."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = steps.throw(error) if error is not None else steps.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        value = error = None
        if isinstance(effect, Sleep):
            waited = sleep(effect.seconds)
            if inspect.isawaitable(waited):
                await waited
            continue
        try:
            value = await send(effect)
        except httpx.TransportError as exc:
            error = exc


@dataclass
class RetryPolicy:
    """Bounded retries with jittered exponential backoff; ``Retry-After`` honoured up to
    ``max_wait``.

    * 429 and 503: wait ``Retry-After`` (seconds or an HTTP date) when given, else back off.
    * idempotent requests (GETs) also retry 502, 504 and transport errors.
    * a non-idempotent request retries only when it surely did not reach the server (429, 503,
      a connection that never opened); StartJobs has its own check-before-retry (see _api).
    """

    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    #: A ``Retry-After`` longer than this is not waited out: the call fails instead.
    max_wait: float = 300.0
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """ "Equal jitter": uniform in [c/2, c] with c = min(max, base * 2**(n-1)), so that
        retries spread out (no thundering herd) yet never come back at once."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)


RETRY_STATUSES_ANY = frozenset({429, 503})
RETRY_STATUSES_IDEMPOTENT = frozenset({429, 502, 503, 504})


def retry_after_seconds(response: httpx.Response, now: float) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


def is_retryable(
    response: httpx.Response | None, error: BaseException | None, *, idempotent: bool
) -> bool:
    if error is not None:
        # A connection that never opened cannot have delivered the request.
        return idempotent or isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
    assert response is not None
    statuses = RETRY_STATUSES_IDEMPOTENT if idempotent else RETRY_STATUSES_ANY
    return response.status_code in statuses


def delay_for(
    policy: RetryPolicy, attempt: int, response: httpx.Response | None, now: float
) -> float | None:
    """How long to wait before the next attempt; None when the server asks too much."""
    if response is not None and response.status_code in RETRY_STATUSES_ANY:
        asked = retry_after_seconds(response, now)
        if asked is not None:
            return asked if asked <= policy.max_wait else None
    return policy.backoff(attempt)


def send_with_retry(
    request: httpx.Request,
    policy: RetryPolicy,
    clock: Callable[[], float],
    *,
    idempotent: bool,
    auth: httpx.Auth | None = None,
) -> Steps[httpx.Response]:
    """Send ``request`` with bounded retries; returns the last response or raises the error."""
    attempt = 0
    while True:
        attempt += 1
        response: httpx.Response | None = None
        error: httpx.TransportError | None = None
        try:
            response = yield Send(request, auth)
        except httpx.TransportError as exc:
            error = exc
        if response is not None and not is_retryable(response, None, idempotent=idempotent):
            return response
        if error is not None and not is_retryable(None, error, idempotent=idempotent):
            raise error
        delay = delay_for(policy, attempt, response, clock())
        if attempt >= policy.max_attempts or delay is None:
            if error is not None:
                raise error
            assert response is not None
            return response
        what = type(error).__name__ if error is not None else f"HTTP {response.status_code}"  # type: ignore[union-attr]
        log.debug(
            "%s %s: %s, retry %d/%d in %.1f s",
            request.method,
            request.url.path,
            what,
            attempt,
            policy.max_attempts - 1,
            delay,
        )
        yield Sleep(delay)

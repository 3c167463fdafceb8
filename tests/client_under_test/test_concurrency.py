"""Single flight: 16 threads, 16 asyncio tasks, or both at once, crossing an expiry together,
cause exactly one refresh.

To make the race real rather than lucky, the token endpoint is gated: the first refresh is held
until every caller has seen the stale token and is waiting for it. A client without single
flight then sends one refresh per caller (and, with rotation, burns the refresh token).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx

from client_under_test import TokenAuth, TokenSet

from .conftest import make_auth, token_requests

N = 16
USERINFO = "https://cloud.uipath.com/identity_/connect/userinfo"


class Gate(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Holds token requests until ``expected`` distinct callers found the token stale."""

    def __init__(self, inner: httpx.MockTransport, auth: TokenAuth, expected: int) -> None:
        self.inner = inner
        self.expected = expected
        self.stale_callers: set[Any] = set()
        self.cond = threading.Condition()
        fast = auth._fast

        def counting_fast(stale: str | None) -> TokenSet | None:
            found = fast(stale)
            if found is None:
                with self.cond:
                    self.stale_callers.add(_caller())
                    self.cond.notify_all()
            return found

        auth._fast = counting_fast  # type: ignore[method-assign]

    def _is_token(self, request: httpx.Request) -> bool:
        return request.url.path.endswith("/connect/token")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._is_token(request):
            with self.cond:
                assert self.cond.wait_for(
                    lambda: len(self.stale_callers) >= self.expected, timeout=20
                ), f"only {len(self.stale_callers)} callers arrived"
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._is_token(request):
            for _ in range(100_000):  # let the other tasks (and threads) reach the lock
                if len(self.stale_callers) >= self.expected:
                    break
                await asyncio.sleep(0)
            assert len(self.stale_callers) >= self.expected
        return await self.inner.handle_async_request(request)


def _caller() -> Any:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    return id(task) if task is not None else threading.get_ident()


def _expired_auth(cloud: Any, expected: int) -> tuple[TokenAuth, Gate]:
    plain = cloud.transport()
    auth = make_auth(cloud, "refresh_token", transport=plain)
    auth.tokens_sync()
    cloud.clock.advance(3600 - 360)  # exactly at the proactive refresh point
    gate = Gate(plain, auth, expected)
    auth._transport = auth._async_transport = gate
    cloud.journal.clear()
    return auth, gate


def _threads(auth: TokenAuth, cloud: Any, barrier: threading.Barrier, out: list[int]) -> list[Any]:
    def work() -> None:
        with httpx.Client(auth=auth, transport=cloud.transport()) as client:
            barrier.wait()
            out.append(client.get(USERINFO).status_code)

    threads = [threading.Thread(target=work) for _ in range(N)]
    for t in threads:
        t.start()
    return threads


def test_16_threads_crossing_an_expiry_cause_one_refresh(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth, _ = _expired_auth(cloud, N)
    statuses: list[int] = []
    for t in _threads(auth, cloud, threading.Barrier(N), statuses):
        t.join()
    assert statuses == [200] * N
    assert len(token_requests(cloud)) == 1
    assert token_requests(cloud)[0].status_code == 200


async def test_16_tasks_crossing_an_expiry_cause_one_refresh(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth, _ = _expired_auth(cloud, N)
    async with httpx.AsyncClient(auth=auth, transport=cloud.transport()) as client:
        responses = await asyncio.gather(*(client.get(USERINFO) for _ in range(N)))
    assert [r.status_code for r in responses] == [200] * N
    assert len(token_requests(cloud)) == 1


def test_threads_and_tasks_together_cause_one_refresh(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth, _ = _expired_auth(cloud, 2 * N)
    barrier = threading.Barrier(N + 1)
    statuses: list[int] = []

    async def tasks() -> list[int]:
        async with httpx.AsyncClient(auth=auth, transport=cloud.transport()) as client:
            barrier.wait()
            got = await asyncio.gather(*(client.get(USERINFO) for _ in range(N)))
        return [r.status_code for r in got]

    threads = _threads(auth, cloud, barrier, statuses)
    task_statuses = asyncio.run(tasks())
    for t in threads:
        t.join()
    assert statuses + task_statuses == [200] * (2 * N)
    assert len(token_requests(cloud)) == 1


def test_concurrent_401s_on_one_token_cause_one_refresh(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    auth = make_auth(cloud, "refresh_token")
    auth.tokens_sync()
    cloud.identity.revoke_access_tokens()  # server-side: every live token now gets a 401
    cloud.journal.clear()
    barrier = threading.Barrier(N)
    statuses: list[int] = []
    for t in _threads(auth, cloud, barrier, statuses):
        t.join()
    assert statuses == [200] * N
    assert len(token_requests(cloud)) == 1
    # Threads that came after the refresh sent the new token at once: at most N 401s.
    assert 1 <= len(cloud.journal.filter(status=401)) <= N

"""Two processes, one file token store, one rotating refresh token, 100 rotations: the token
endpoint never sees a consumed refresh token (no ``invalid_grant``, ever).

The mock is served over loopback (``cloud.serve()``) so that both processes talk to one world;
each process forces rotations as fast as it can, interleaving with the other. Without the
store's cross-process lock and the re-read under it, the second process would present the
refresh token the first had just consumed, and reuse detection would revoke the family.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from mock_orchestrator import MockCloud

ROTATIONS_PER_PROCESS = 50


def _rotate(
    token_url: str, client_id: str, refresh_token: str, store_path: str, go: Any, results: Any
) -> None:
    from client_under_test import FileTokenStore, RefreshTokenAuth, UiPathClientError
    from mock_orchestrator import FakeClock

    auth = RefreshTokenAuth(
        token_url, client_id, refresh_token, store=FileTokenStore(store_path), clock=FakeClock()
    )
    go.wait(30)
    done = 0
    try:
        for _ in range(ROTATIONS_PER_PROCESS):
            auth.tokens_sync(force=True)  # rotate now, after re-reading the shared store
            done += 1
        results.put(("ok", done))
    except UiPathClientError as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        auth.close()


def test_two_processes_share_one_file_store_across_100_rotations(tmp_path: Path) -> None:
    cloud = MockCloud("identity")
    d = cloud.defaults
    store = str(tmp_path / "tokens.json")
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    results = ctx.Queue()
    with cloud.serve() as base_url:
        args = (
            base_url + "/identity_/connect/token",
            d.public_client_id,
            d.refresh_token,
            store,
            go,
            results,
        )
        workers = [ctx.Process(target=_rotate, args=args) for _ in range(2)]
        for w in workers:
            w.start()
        go.set()
        outcomes = [results.get(timeout=120) for _ in workers]
        for w in workers:
            w.join(30)
    assert outcomes == [("ok", ROTATIONS_PER_PROCESS)] * 2, outcomes
    tokens = cloud.journal.token_requests()
    assert len(tokens) == 2 * ROTATIONS_PER_PROCESS
    assert [e.status_code for e in tokens] == [200] * len(tokens)
    presented = [e.request.content for e in tokens]
    assert len(set(presented)) == len(presented)  # no refresh token was presented twice

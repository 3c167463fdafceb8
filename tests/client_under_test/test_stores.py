"""Token stores: the file store is atomic, private, and locked across threads and processes."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from client_under_test import ConfigurationError, FileTokenStore, MemoryTokenStore, TokenSet

from .conftest import make_auth, token_requests

TOKENS = TokenSet(
    access_token="a" * 40, received_at=100.0, lifetime=3600, refresh_token="r" * 64, seed="s1"
)


def test_memory_store_round_trip() -> None:
    store = MemoryTokenStore()
    assert store.load("k") is None
    store.save("k", TOKENS)
    assert store.load("k") == TOKENS
    assert "a" * 40 not in repr(store)


def test_file_store_round_trip_keeps_credentials_apart(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    other = TokenSet(access_token="b" * 40, refresh_token=None)
    store.save("one", TOKENS)
    store.save("two", other)
    again = FileTokenStore(tmp_path / "tokens.json")
    assert again.load("one") == TOKENS
    assert again.load("two") == other
    assert again.load("three") is None
    assert TOKENS.expires_at == 3700.0
    assert "r" * 64 not in repr(TOKENS)


def test_file_store_is_private(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "sub" / "tokens.json")
    with store.locked():
        store.save("k", TOKENS)
    for path in (store.path, store.lock_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_store_writes_atomically_with_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    store.save("k", TOKENS)
    before = store.path.read_bytes()
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))

    def crash(src: str, dst: str) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.save("k", TokenSet(access_token="new"))
    assert synced, "the temp file is fsynced before the rename"
    assert store.path.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json"]  # no temp left


def test_a_corrupt_store_is_a_clear_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        FileTokenStore(path).load("k")


def test_two_store_objects_on_one_path_share_the_lock(tmp_path: Path) -> None:
    a = FileTokenStore(tmp_path / "t.json")
    b = FileTokenStore(tmp_path / "t.json")
    assert a.acquire()
    try:
        assert not b.acquire(blocking=False)
    finally:
        a.release()
    assert b.acquire(blocking=False)
    b.release()


def _hold_lock(path: str, held: Any, release: Any) -> None:
    store = FileTokenStore(path)
    with store.locked():
        held.set()
        release.wait(10)


def test_the_lock_excludes_another_process(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    path = str(tmp_path / "t.json")
    child = ctx.Process(target=_hold_lock, args=(path, held, release))
    child.start()
    try:
        assert held.wait(20)
        store = FileTokenStore(path)
        assert not store.acquire(blocking=False)  # the other process holds it
    finally:
        release.set()
        child.join(20)
    assert child.exitcode == 0
    assert store.acquire(blocking=False)
    store.release()


def test_a_second_process_uses_what_the_first_one_stored(make_cloud: Any, tmp_path: Path) -> None:
    """Two caches on one file (as two processes have): the second adopts the first's refresh."""
    cloud = make_cloud("identity")
    path = tmp_path / "tokens.json"
    first = make_auth(cloud, "refresh_token", store=FileTokenStore(path))
    second = make_auth(cloud, "refresh_token", store=FileTokenStore(path))
    first.tokens_sync()
    second.tokens_sync()
    cloud.clock.advance(hours=1)
    a = first.tokens_sync()  # rotates
    b = second.tokens_sync()  # its cache is stale: re-reads the store under the lock
    assert a.access_token == b.access_token
    assert len(token_requests(cloud)) == 2
    assert all(e.status_code == 200 for e in token_requests(cloud))


async def test_an_async_refresh_waits_for_a_held_file_lock_without_blocking_the_loop(
    make_cloud: Any, tmp_path: Path
) -> None:
    import asyncio
    import threading

    cloud = make_cloud("identity")
    path = tmp_path / "tokens.json"
    auth = make_auth(cloud, "refresh_token", store=FileTokenStore(path))
    held, release = threading.Event(), threading.Event()

    def other_holder() -> None:  # another process (or thread) in the middle of its refresh
        with FileTokenStore(path).locked():
            held.set()
            release.wait(20)

    holder = threading.Thread(target=other_holder)
    holder.start()
    assert held.wait(20)
    refresh = asyncio.create_task(auth.tokens_async())
    for _ in range(200):  # the event loop keeps turning while the refresh waits
        await asyncio.sleep(0)
    assert not refresh.done()
    assert len(token_requests(cloud)) == 0
    release.set()
    tokens = await asyncio.wait_for(refresh, 20)
    holder.join(20)
    assert tokens.access_token
    assert [e.status_code for e in token_requests(cloud)] == [200]

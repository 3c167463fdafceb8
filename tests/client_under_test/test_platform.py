"""The token store on every platform: the lock is ``filelock`` (no ``fcntl`` needed), and what
else differs between POSIX and Windows goes through ``client_under_test._platform``, whose
Windows path runs here too."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from client_under_test import FileTokenStore, TokenSet, _platform

TOKENS = TokenSet(access_token="a" * 40, received_at=100.0, lifetime=3600, refresh_token="r" * 64)


def test_the_file_store_works_where_fcntl_does_not_exist(tmp_path: Path) -> None:
    """Windows has no ``fcntl``: the store must neither import it nor refuse to start."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["fcntl"] = None  # as on Windows: importing it raises ImportError
        from client_under_test import FileTokenStore, TokenSet
        store = FileTokenStore({str(tmp_path / "tokens.json")!r})
        with store.locked():
            assert store.lock_path.exists()
            store.save("k", TokenSet(access_token="x" * 20))
        assert store.load("k").access_token == "x" * 20
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _record_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    return synced


def _record_fchmods(monkeypatch: pytest.MonkeyPatch) -> dict[int, int]:
    """inode -> mode of every ``os.fchmod`` (filelock's own, on the lock file, included)."""
    chmodded: dict[int, int] = {}
    real_fchmod = os.fchmod

    def spy(fd: int, mode: int) -> None:
        chmodded[os.fstat(fd).st_ino] = mode
        real_fchmod(fd, mode)

    monkeypatch.setattr(os, "fchmod", spy)
    return chmodded


def test_on_windows_the_store_neither_chmods_nor_opens_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_platform, "CURRENT", _platform.WINDOWS)
    chmodded = _record_fchmods(monkeypatch)
    synced = _record_fsyncs(monkeypatch)
    store = FileTokenStore(tmp_path / "tokens.json")
    with store.locked():
        store.save("k", TOKENS)
    assert FileTokenStore(tmp_path / "tokens.json").load("k") == TOKENS
    # os.fchmod does not exist on Windows before Python 3.13
    assert store.path.stat().st_ino not in chmodded
    assert len(synced) == 1, "only the file is fsynced: Windows cannot open a directory"


def test_on_posix_the_store_chmods_and_syncs_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_platform, "CURRENT", _platform.POSIX)
    chmodded = _record_fchmods(monkeypatch)
    synced = _record_fsyncs(monkeypatch)
    store = FileTokenStore(tmp_path / "tokens.json")
    store.save("k", TOKENS)
    assert chmodded[store.path.stat().st_ino] == 0o600
    assert len(synced) == 2, "the file, then its directory (the rename made durable)"


def test_the_running_platform_is_picked_by_os_name() -> None:
    assert _platform.CURRENT is (_platform.WINDOWS if os.name == "nt" else _platform.POSIX)

"""The two places the kit meets the operating system, exercised on this machine for every
platform: a command client's process group (``conformance._procs``) and the token file
(``client_under_test._platform``, tested beside the store in tests/client_under_test).

The Windows branches run here with ``sys.platform`` set to ``win32`` and the Windows-only calls
recorded; the POSIX branch runs for real: a client's grandchild dies with it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from typing import Any

import pytest

from conformance import _procs

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the POSIX branch, run for real")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it counts as dead)."""
    ps = shutil.which("ps")
    assert ps, "ps is part of every POSIX system"
    state = subprocess.run([ps, "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return bool(state.stdout.strip()) and not state.stdout.strip().startswith("Z")


@posix_only
def test_a_killed_client_takes_its_children_with_it() -> None:
    proc = subprocess.Popen(
        ["sh", "-c", "sleep 300 & echo $!; wait"], stdout=subprocess.PIPE, **_procs.new_group()
    )
    assert proc.stdout is not None
    grandchild = int(proc.stdout.readline())
    assert _alive(grandchild)
    _procs.kill_group(proc)
    assert proc.returncode is not None
    for _ in range(100):  # init reaps the orphan soon after SIGKILL; bounded, never a sleep
        if not _alive(grandchild):
            break
        threading.Event().wait(0.05)
    assert not _alive(grandchild), "the client's child outlived it"
    proc.stdout.close()


class _FakeProc:
    pid = 4242
    returncode: int | None = None

    def kill(self) -> None:
        self.returncode = -9

    def wait(self, timeout: float | None = None) -> int:
        return -9


def test_on_windows_a_client_starts_in_a_new_process_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    assert _procs.new_group() == {"creationflags": 0x200}


def test_on_windows_the_whole_tree_is_ended_with_taskkill(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    ran: list[list[str]] = []

    def record(argv: list[str], **options: Any) -> subprocess.CompletedProcess[bytes]:
        ran.append(argv)
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(subprocess, "run", record)
    proc = _FakeProc()
    _procs.kill_group(proc)  # type: ignore[arg-type]
    assert ran == [["taskkill", "/F", "/T", "/PID", "4242"]]
    assert proc.returncode == -9


@posix_only
def test_on_posix_a_client_starts_a_new_session() -> None:
    assert _procs.new_group() == {"start_new_session": True}

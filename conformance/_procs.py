"""Client processes in their own process group, and the one way to end a group.

A client command may start helpers of its own (a shell wrapper, ``npx``, a language server), so
killing only the process the suite started would leave those orphaned. Every command client
starts as the leader of a new group (a new session on POSIX, ``CREATE_NEW_PROCESS_GROUP`` on
Windows) and :func:`kill_group` ends the whole group. It is the only place that knows how.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from typing import Any

__all__ = ["kill_group", "new_group"]


def new_group() -> dict[str, Any]:
    """``Popen`` keyword arguments that start the command as the leader of a new group."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` and every process of its group, at once (no grace period), and reap it.

    Safe to call on a process that has already exited: its group may still hold children.
    """
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        # taskkill /T walks the process tree (Windows has no process groups to signal).
        with contextlib.suppress(OSError):
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)

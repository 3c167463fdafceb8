"""One scheduled run of the program under soak: a fresh shell process, bounded in time and output.

The program runs as a scheduler would run it: ``/bin/sh -c CMD`` in its own process group (so a
timeout kills the shell *and* whatever it started), with stdout and stderr going to files in the
soak's scratch directory rather than pipes (a chatty program can never block on a full pipe, and
memory stays bounded whatever it writes). What the soak keeps of the output is bounded too: the
first :data:`SCAN_BYTES` are searched for secrets, the last :data:`TAIL_BYTES` shown in reports.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mock_orchestrator import SystemClock

__all__ = ["SCAN_BYTES", "TAIL_BYTES", "Finished", "run_program"]

#: Bytes of each stream searched for secrets (a program writing more is judged on these).
SCAN_BYTES = 4 * 1024 * 1024
#: Bytes of each stream kept for the report.
TAIL_BYTES = 4096
_wall = (
    SystemClock()
)  # how long a run took, for reports and the bench only: nothing is judged on it


@dataclass
class Finished:
    """How one run ended: exit code (None when it was killed at its timeout), and its output."""

    exit_code: int | None
    seconds: float
    stdout: str
    stderr: str
    stdout_tail: str
    stderr_tail: str

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


def _read(path: Path) -> tuple[str, str]:
    """(the first SCAN_BYTES, the last TAIL_BYTES) of a file, decoded leniently."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(SCAN_BYTES)
        if size > TAIL_BYTES:
            handle.seek(size - TAIL_BYTES)
        else:
            handle.seek(0)
        tail = handle.read(TAIL_BYTES)
    return head.decode("utf-8", "replace"), tail.decode("utf-8", "replace")


def run_program(
    command: str, env: dict[str, str], scratch: Path, timeout: float, number: int
) -> Finished:
    """Run ``command`` through the shell once; kill its process group at ``timeout`` seconds."""
    out_path, err_path = scratch / f"run-{number}.out", scratch / f"run-{number}.err"
    begun = _wall.time()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            command,
            shell=True,  # the program is a command line, exactly as a crontab holds it
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,  # its own process group: a timeout kills all of it
        )
        try:
            exit_code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            exit_code = None
            _kill_group(proc)
    seconds = _wall.time() - begun
    stdout, stdout_tail = _read(out_path)
    stderr, stderr_tail = _read(err_path)
    out_path.unlink(missing_ok=True)
    err_path.unlink(missing_ok=True)
    return Finished(exit_code, seconds, stdout, stderr, stdout_tail, stderr_tail)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

"""What a client writes: a bounded tail searched as it streams, fd-level capture in process,
and killing a command client's whole process group."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from conformance._output import OutputTail, capture_fds, excerpt
from conformance._procs import kill_group, new_group
from tests.processes import alive

SECRET = "S3cr3t-Value-0123456789"


def _scan(text: str) -> tuple[str, str] | None:
    return ("the canary", SECRET) if SECRET in text else None


def test_the_tail_keeps_the_last_lines_only_each_cut_short() -> None:
    tail = OutputTail(max_lines=50)
    for index in range(10_000):
        tail.add("stderr", f"line {index} " + "z" * 5_000)
    assert len(tail.lines) == 50
    assert tail.line_count == 10_000
    assert tail.last(1)[0].startswith("stderr: line 9999 ")
    assert all(len(line) <= 2_100 for line in tail.lines)


def test_a_secret_cut_by_a_piece_boundary_is_still_found() -> None:
    tail = OutputTail()
    tail.scanner = _scan
    tail.add("stdout", "a" * 1000 + SECRET[:7], continues=True)
    tail.add("stdout", SECRET[7:] + " and more")
    assert tail.findings == [f"the canary in stdout: ...***({len(SECRET)} chars) and more"]
    assert tail.line_count == 1


def test_an_excerpt_masks_the_secret_and_cuts_no_other_token_in_half() -> None:
    text = "token eyJfirst.part " + "w " * 200 + SECRET + " " + "q" * 500
    shown = excerpt(text, SECRET)
    assert SECRET not in shown
    assert f"***({len(SECRET)} chars)" in shown
    assert "eyJfirst" not in shown
    assert "qqq" not in shown, "a word longer than the window is left out, not cut"


def test_file_descriptors_are_captured_like_capfd() -> None:
    tail = OutputTail()
    tail.scanner = _scan
    with capture_fds(tail):
        os.write(2, f"raw stderr {SECRET}\n".encode())
        os.write(1, b"raw stdout\n")
        sys.__stderr__.write("bound at import\n")  # type: ignore[union-attr]
        sys.__stderr__.flush()  # type: ignore[union-attr]
    lines = list(tail.lines)
    assert "fd1: raw stdout" in lines
    assert "fd2: bound at import" in lines
    assert tail.findings
    assert tail.findings[0].startswith("the canary in fd2: raw stderr ***(")


def test_kill_group_ends_the_client_and_what_it_started() -> None:
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, **new_group())
    assert proc.stdout is not None
    grandchild = int(proc.stdout.readline())
    assert alive(grandchild)
    kill_group(proc)
    assert proc.returncode is not None
    pause = threading.Event()
    for _ in range(250):  # bounded: SIGKILL is immediate, reaping by init may lag a little
        if not alive(grandchild):
            break
        pause.wait(0.02)
    assert not alive(grandchild)
    proc.stdout.close()

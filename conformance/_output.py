"""What a client writes, kept bounded and searched for secrets as it streams.

A client under test may write without end (1.2 GB of stdout has been seen), so nothing keeps its
output whole: :class:`OutputTail` keeps the last lines (each cut to a few KB) for quoting when a
client stops, and, while a rule is looking for leaks, hands every piece to a scanner as it
arrives, so that a secret written early is found even after its line has left the tail.

:func:`capture_fds` is the in-process half: like pytest's ``capfd`` it points file descriptors 1
and 2 at pipes for the duration, so that a client writing with ``os.write(2, ...)``, from C, or
through a stream it bound at import time (``_ERR = sys.stderr``) is read too.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator

from mock_orchestrator import mask

__all__ = ["MAX_LINE", "OutputTail", "TailStream", "capture_fds", "excerpt"]

#: Longest piece of a line kept or scanned at once; longer lines arrive as several pieces.
MAX_LINE = 1_048_576
#: A secret cut by a piece boundary is still found: this much of the previous piece is kept.
_OVERLAP = 512
_SHOWN_LINE = 2_000
_MAX_FINDINGS = 20

#: ``scanner(text) -> (what the secret is, the string found), or None``.
Scanner = Callable[[str], "tuple[str, str] | None"]


def excerpt(text: str, needle: str, around: int = 120) -> str:
    """``text`` around ``needle``, with ``needle`` masked, cut only at whitespace: no other
    token is cut in half (a half token is not recognisable any more, so it could not be
    masked later)."""
    at = max(text.find(needle), 0)
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at + len(needle))
    line_end = len(text) if line_end < 0 else line_end
    start, end = max(line_start, at - around), min(line_end, at + len(needle) + around)
    if start > line_start:  # cut inside the line: at a space, never inside a token
        space = text.find(" ", start, at)
        start = space + 1 if space >= 0 else at
    if end < line_end:
        space = text.rfind(" ", at + len(needle), end)
        end = space if space >= 0 else at + len(needle)
    shown = text[start:end].replace(needle, mask(needle))
    return ("..." if start > line_start else "") + shown + ("..." if end < line_end else "")


class OutputTail:
    """The last ``max_lines`` lines of a client's output, and the secrets found in all of it."""

    def __init__(self, max_lines: int = 200) -> None:
        self.lines: deque[str] = deque(maxlen=max_lines)
        self.line_count = 0
        self.byte_count = 0
        self.scanner: Scanner | None = None
        #: Where else each piece goes (the rule's capture, while one is open).
        self.mirror: OutputTail | None = None
        #: ``"<what> in <where>: <the line around it>"`` for each leak found (bounded; not
        #: masked yet: the rule masks it with every secret it knows).
        self.findings: list[str] = []
        self._carry: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, source: str, text: str, *, continues: bool = False) -> None:
        """One line (or one piece of a long one: ``continues`` when more of it follows)."""
        with self._lock:
            self.byte_count += len(text)
            carried = self._carry.pop(source, "")
            if not carried:
                self.line_count += 1
                if text.strip():
                    self.lines.append(f"{source}: {text[:_SHOWN_LINE]}")
            if continues:
                self._carry[source] = text[-_OVERLAP:]
            scanner = self.scanner
        if scanner is not None and len(self.findings) < _MAX_FINDINGS:
            found = scanner(carried + text)
            if found is not None:
                what, needle = found
                with self._lock:
                    self.findings.append(f"{what} in {source}: {excerpt(carried + text, needle)}")
        if self.mirror is not None:
            self.mirror.add(source, text, continues=continues)

    def add_text(self, source: str, text: str) -> None:
        for line in text.splitlines():
            for start in range(0, max(len(line), 1), MAX_LINE):
                piece = line[start : start + MAX_LINE]
                self.add(source, piece, continues=start + MAX_LINE < len(line))

    def last(self, count: int = 5) -> list[str]:
        with self._lock:
            return list(self.lines)[-count:]


class TailStream(io.TextIOBase):
    """A text stream (for ``sys.stdout``/``sys.stderr``) writing lines into a tail."""

    def __init__(self, tail: OutputTail, source: str) -> None:
        super().__init__()
        self.tail = tail
        self.source = source
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        data = self._pending + text
        *lines, self._pending = data.split("\n")
        for line in lines:
            self.tail.add_text(self.source, line)
        if len(self._pending) > MAX_LINE:
            self.tail.add(self.source, self._pending, continues=True)
            self._pending = ""
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.tail.add_text(self.source, self._pending)
            self._pending = ""


def pump(stream: io.BufferedIOBase | io.RawIOBase, tail: OutputTail, source: str) -> None:
    """Read ``stream`` to its end into ``tail``, a line (or a MAX_LINE piece) at a time."""
    reader = io.BufferedReader(stream) if isinstance(stream, io.RawIOBase) else stream
    with reader:
        while True:
            chunk = reader.readline(MAX_LINE)
            if not chunk:
                return
            complete = chunk.endswith(b"\n")
            text = chunk.decode("utf-8", "replace").rstrip("\r\n")
            tail.add(source, text, continues=not complete)


@contextlib.contextmanager
def capture_fds(tail: OutputTail) -> Iterator[None]:
    """Point file descriptors 1 and 2 at pipes read into ``tail`` (pytest's ``capfd`` way).

    Python-level ``sys.stdout``/``sys.stderr`` are flushed first and after, so that nothing
    buffered before the capture lands in it, and nothing written during it escapes it.
    """
    saved: list[tuple[int, int]] = []
    readers: list[threading.Thread] = []
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    try:
        for fd, source in ((1, "fd1"), (2, "fd2")):
            read_end, write_end = os.pipe()
            saved.append((fd, os.dup(fd)))
            os.dup2(write_end, fd)
            os.close(write_end)
            reader = threading.Thread(
                target=pump,
                args=(os.fdopen(read_end, "rb", buffering=0), tail, source),
                name=f"conformance-capture-{source}",
                daemon=True,
            )
            reader.start()
            readers.append(reader)
        yield
    finally:
        for stream in (sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        for fd, copy in saved:
            os.dup2(copy, fd)  # the pipe's last write end closes: its reader sees the end
            os.close(copy)
        for reader in readers:
            reader.join(5)

"""Helpers of the served benchmarks: servers in subprocesses and a raw keep-alive HTTP client.

The client is a bare socket writing prebuilt request bytes and reading answers by their
Content-Length, so that what is measured is the server, not an HTTP client library.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: The Node baseline, pinned: the last line supporting Node.js 20 (the kit's example client's).
OAUTH2_MOCK_SERVER = "oauth2-mock-server@8.2.3"
NODE_DIR = BENCH / ".node"


class RawClient:
    """One keep-alive connection; ``request`` sends bytes and returns (status, body)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._connect()

    def _connect(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def build(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def request(self, raw: bytes) -> tuple[int, bytes]:
        try:
            self.sock.sendall(raw)
            while b"\r\n\r\n" not in self._buffer:
                self._more()
        except ConnectionError:  # the server closed an idle keep-alive connection: reconnect
            self.sock.close()
            self._connect()
            self.sock.sendall(raw)
            while b"\r\n\r\n" not in self._buffer:
                self._more()
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._recv()
        self._buffer = rest[length:]
        return status, rest[:length]

    def _more(self) -> None:
        self._buffer += self._recv()

    def _recv(self) -> bytes:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def rate(client: RawClient, raw: bytes, count: int, expect: int = 200) -> float:
    """Requests per second over ``count`` sequential requests on one connection."""
    start = time.perf_counter()
    for _ in range(count):
        status, body = client.request(raw)
        if status != expect:
            raise RuntimeError(f"expected {expect}, got {status}: {body[:200]!r}")
    return count / (time.perf_counter() - start)


def _split_cpus() -> tuple[set[int], set[int]] | None:
    """(the client's CPU, the servers' CPUs), or None where affinity cannot be set."""
    if not hasattr(os, "sched_getaffinity"):  # not Linux
        return None
    mine = sorted(os.sched_getaffinity(0))
    if len(mine) < 2:
        return None
    return {mine[0]}, set(mine[1:])


#: Where the client and the servers run: apart, each server alone with the others (one is
#: measured at a time). A server sharing a CPU with the client is measured with the client's
#: cache misses in it, and how often that happens changes from run to run; a large server
#: (the mock) pays for it more than a bare app, which made the ratios swing by a tenth.
CPUS = _split_cpus()


def pin_client() -> str:
    """Run this process (the benchmark's client) on its own CPU; says where everything runs."""
    if CPUS is None:
        return "client and servers unpinned (one CPU, or no CPU affinity here)"
    client, servers = CPUS
    os.sched_setaffinity(0, client)
    return f"client on CPU {min(client)}, servers on CPU {','.join(map(str, sorted(servers)))}"


def _pin_server() -> None:  # in the child, before exec: every thread it starts inherits it
    if CPUS is not None:
        os.sched_setaffinity(0, CPUS[1])


@contextlib.contextmanager
def process(argv: list[str], cwd: Path = ROOT) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A server process that prints its base URL as its first line; stopped on exit. It runs
    on the servers' CPUs (:data:`CPUS`)."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        preexec_fn=_pin_server if CPUS is not None else None,  # the bench has no threads
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().replace("localhost", "127.0.0.1")
        if not url.startswith("http"):
            raise RuntimeError(f"{argv[0]} did not start: {url!r}")
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def mock_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestrator_kit", "serve", *args]


#: Seconds `npm install` of the Node baseline may take before it is skipped.
NPM_INSTALL_TIMEOUT = 180


def node_oauth2_mock_server() -> Path | None:
    """The Node baseline installed under bench/.node (npm, once); None without node and npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return None
    script = NODE_DIR / "serve.mjs"
    if not (NODE_DIR / "node_modules" / "oauth2-mock-server").is_dir():
        NODE_DIR.mkdir(exist_ok=True)
        try:
            # Bounded: a registry that cannot be reached must cost this baseline, not the run.
            subprocess.run(
                [
                    npm,
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(NODE_DIR),
                    OAUTH2_MOCK_SERVER,
                ],
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                timeout=NPM_INSTALL_TIMEOUT,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"  (oauth2-mock-server could not be installed: {exc})")
            return None
    script.write_text(
        'import { OAuth2Server } from "oauth2-mock-server";\n'
        "const server = new OAuth2Server();\n"
        'await server.issuer.keys.generate("RS256");\n'
        'await server.start(0, "127.0.0.1");\n'
        "console.log(server.issuer.url);\n"
    )
    return script

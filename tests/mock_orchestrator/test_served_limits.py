"""The served mode's limits: slow and greedy clients are cut off, and nothing stalls the loop.

Each test serves its own world with tight limits and talks to it over raw sockets. The waits
are bounded by socket timeouts (a few seconds): without the limit a test fails on that
timeout instead of hanging the run.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator._served import control
from mock_orchestrator.served import ServeLimits, serve_in_thread

#: How long a test waits for the server to act, at most (real seconds; the limits are far less).
_PATIENCE = 8.0


@contextmanager
def _serving(cloud: MockCloud, **limits: float) -> Iterator[tuple[str, int]]:
    with serve_in_thread(cloud, limits=ServeLimits(**limits)) as base_url:
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; socket.timeout if it never does."""
    sock.settimeout(_PATIENCE)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _one_request(sock: socket.socket, path: str = "/_mock/health") -> bytes:
    """One whole keep-alive exchange: the answer read to the end of its body."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    sock.settimeout(_PATIENCE)
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
    while len(body) < length:
        body += sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
    return answer


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /_mock/hea", b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n"],
    ids=["nothing", "half a request line", "headers never ended"],
)
def test_a_request_head_that_never_arrives_gets_a_408_and_is_closed(
    make_cloud: Callable[..., MockCloud], sent: bytes
) -> None:
    with (
        _serving(make_cloud(), header_timeout=0.2) as address,
        socket.create_connection(address) as sock,
    ):
        sock.sendall(sent)
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    assert b'"error": "request_timeout"' in answer


def test_a_keep_alive_connection_that_stalls_mid_request_is_closed(
    make_cloud: Callable[..., MockCloud],
) -> None:
    # The first request is answered; the second one's head never finishes.
    with (
        _serving(make_cloud(), header_timeout=0.2) as address,
        socket.create_connection(address) as sock,
    ):
        _one_request(sock)
        sock.sendall(b"GET /_mock/health HT")
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]


def test_a_body_that_never_arrives_gets_a_408_and_is_closed(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud()
    head = (
        b"POST /identity_/connect/token HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    with _serving(cloud, body_timeout=0.2) as address, socket.create_connection(address) as sock:
        sock.sendall(head + b"grant_type=cli")
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    assert len(cloud.journal) == 0  # the world never saw half a request


def test_an_idle_keep_alive_connection_is_closed(make_cloud: Callable[..., MockCloud]) -> None:
    with _serving(make_cloud(), keep_alive=0.2) as address, socket.create_connection(address) as s:
        _one_request(s)
        assert _read_until_closed(s) == b""  # closed quietly, between requests


def test_connections_over_the_cap_get_a_503_and_are_closed(
    make_cloud: Callable[..., MockCloud],
) -> None:
    with (
        _serving(make_cloud(), max_connections=2) as address,
        socket.create_connection(address) as first,
        socket.create_connection(address) as second,
    ):
        _one_request(first)
        _one_request(second)  # both are open and counted now
        with socket.create_connection(address) as third:
            answer = _read_until_closed(third)
        assert answer.startswith(b"HTTP/1.1 503 "), answer[:100]
        assert b"too_many_connections" in answer
        _one_request(first)  # the ones within the cap are still served


def test_a_control_body_over_its_limit_is_a_413(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud()
    with serve_in_thread(cloud, limits=ServeLimits(control_max_body=1000)) as url:
        big = {"route": "identity.token", "status": 503, "body": "x" * 5000}
        answer = httpx.post(url + "/_mock/faults", json=big, timeout=_PATIENCE)
        small = httpx.post(url + "/_mock/faults", json={**big, "body": "x"}, timeout=_PATIENCE)
    assert answer.status_code == 413
    assert answer.json()["error"] == "payload_too_large"
    assert small.status_code == 201
    assert len(list(cloud.faults)) == 1


@pytest.mark.parametrize(
    ("method", "path", "dialect"),
    [
        ("GET", "/identity_/.well-known/openid-configuration", "error"),
        ("POST", "/identity_/connect/token", "error"),
        ("GET", "/acmecorp/AcmeDefaultq3v91/orchestrator_/odata/Jobs", "errorCode"),
    ],
)
def test_a_body_over_the_limit_is_a_413_on_every_route(
    make_cloud: Callable[..., MockCloud], method: str, path: str, dialect: str
) -> None:
    cloud = make_cloud()
    with serve_in_thread(cloud, limits=ServeLimits(max_body=2000)) as url:
        answer = httpx.request(method, url + path, content=b"x" * 3000, timeout=_PATIENCE)
    assert answer.status_code == 413, answer.text
    assert dialect in answer.json()
    assert not cloud.internal_errors


def test_limits_are_checked_when_built() -> None:
    with pytest.raises(ValueError, match="header_timeout"):
        ServeLimits(header_timeout=0)
    with pytest.raises(ValueError, match="max_connections"):
        ServeLimits(max_connections=float("inf"))


# -- fault patterns cannot stall the loop -----------------------------------------------------


def test_a_pathological_fault_pattern_does_not_stall_the_server(
    make_cloud: Callable[..., MockCloud],
) -> None:
    # (a|a)+$ against 40 a's and a "!" is 2^40 steps for a backtracking engine: the request
    # (and every other on the loop) would hang far past the client's timeout.
    cloud = make_cloud()
    with (
        serve_in_thread(cloud) as url,
        httpx.Client(base_url=url, timeout=_PATIENCE) as client,
    ):
        added = client.post("/_mock/faults", json={"path": "(a|a)+$", "status": 503})
        assert added.status_code == 201, added.text
        assert client.get("/" + "a" * 40 + "!").status_code == 404
        assert client.get("/" + "a" * 40).status_code == 503
        assert client.get("/_mock/health").status_code == 200


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a)\1", "not allowed"),
        (r"(?=Jobs)", "not allowed"),
        ("x" * 600, "at most 512"),
    ],
)
def test_a_fault_pattern_the_matcher_cannot_run_in_linear_time_is_a_clear_400(
    make_cloud: Callable[..., MockCloud], pattern: str, words: str
) -> None:
    cloud = make_cloud()
    with serve_in_thread(cloud) as url:
        answer = httpx.post(
            url + "/_mock/faults", json={"path": pattern, "status": 503}, timeout=_PATIENCE
        )
    assert answer.status_code == 400
    assert words in answer.json()["message"]
    assert list(cloud.faults) == []
    with pytest.raises(ValueError, match=words):
        cloud.faults.add(path=pattern)  # in process, the same matcher and the same refusal


# -- the journal over the control plane --------------------------------------------------------


def test_journal_since_with_thousands_of_digits_is_a_400(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud()
    with serve_in_thread(cloud) as url:
        answer = httpx.get(url + "/_mock/journal", params={"since": "9" * 5000})
        past_the_end = httpx.get(url + "/_mock/journal", params={"since": "9" * 18})
    assert answer.status_code == 400
    assert "'since'" in answer.json()["message"]
    assert past_the_end.json() == []
    assert not cloud.internal_errors


def test_the_journal_is_rendered_off_the_event_loop(
    make_cloud: Callable[..., MockCloud], monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = make_cloud()
    rendered_on: list[str] = []
    original = control.ControlPlane.journal

    def spy(self: control.ControlPlane, query: str, body: bytes) -> control.Answer:
        rendered_on.append(threading.current_thread().name)
        return original(self, query, body)

    monkeypatch.setattr(control.ControlPlane, "journal", spy)
    with serve_in_thread(cloud) as url:
        httpx.get(url + "/_mock/health")
        entries = httpx.get(url + "/_mock/journal").json()
    assert entries == []  # control requests are not journaled
    assert len(rendered_on) == 1
    assert not rendered_on[0].startswith("uipath-mock")  # not the server's (event loop) thread


# -- the h11 fallback (httptools not installed) carries the same guards -------------------------


def test_without_httptools_the_h11_protocol_has_the_same_guards(
    make_cloud: Callable[..., MockCloud], monkeypatch: pytest.MonkeyPatch
) -> None:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from mock_orchestrator._served import server

    monkeypatch.setattr(server, "http_protocol", lambda: H11Protocol)
    cloud = make_cloud()
    cloud.faults.add("drop", route="identity.discovery")
    with _serving(cloud, header_timeout=0.2) as address:
        with socket.create_connection(address) as sock:
            sock.sendall(b"GET /_mock/hea")
            assert _read_until_closed(sock).startswith(b"HTTP/1.1 408 ")
        url = f"http://{address[0]}:{address[1]}"
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url + "/identity_/.well-known/openid-configuration", timeout=_PATIENCE)
        assert httpx.get(url + "/_mock/health", timeout=_PATIENCE).status_code == 200

"""Served mode under stress: threads at once, garbage on the wire, and the CLI as a process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud

# -- concurrency ----------------------------------------------------------------------------


def test_threads_hitting_the_server_at_once_are_all_served(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud()
    d = cloud.defaults
    form = {
        "grant_type": "client_credentials",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
        "scope": "OR.Jobs",
    }

    with cloud.serve() as url:

        def burst(_: int) -> list[int]:
            with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
                return [
                    client.post("/identity_/connect/token", data=form).status_code
                    for _ in range(10)
                ]

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = [s for batch in pool.map(burst, range(6)) for s in batch]

    assert statuses == [200] * 60
    assert len(cloud.journal) == 60
    assert sorted(e.seq for e in cloud.journal) == list(range(1, 61))
    tokens = {e.response.json()["access_token"] for e in cloud.journal}  # type: ignore[union-attr]
    assert len(tokens) == 60


# -- garbage --------------------------------------------------------------------------------


@pytest.fixture
def served_url(make_cloud: Callable[..., MockCloud]) -> Iterator[tuple[MockCloud, str]]:
    cloud = make_cloud()
    with cloud.serve() as url:
        yield cloud, url


_PATHS = st.sampled_from(
    [
        "/identity_/connect/token",
        "/acmecorp/identity_/connect/token",
        "/identity_/connect/authorize",
        "/oauth/token",
        "/acmecorp/AcmeDefaultq3v91/api/Account/Authenticate",
        "/acmecorp/AcmeDefaultq3v91/orchestrator_/odata/Jobs",
        "/cloudrpa/api/getAccountsForUser",
        "/_mock/faults",
        "/_mock/clock",
        "/",
    ]
)
# Printable ASCII; h11 on the client side refuses values with outer whitespace.
_HEADER_VALUES = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
).map(str.strip)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    path=_PATHS,
    body=st.binary(max_size=400),
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "a/b;c"]
    ),
    authorization=_HEADER_VALUES,
    origin=_HEADER_VALUES,
)
def test_random_bodies_and_headers_never_get_a_500(
    served_url: tuple[MockCloud, str],
    method: str,
    path: str,
    body: bytes,
    content_type: str,
    authorization: str,
    origin: str,
) -> None:
    cloud, url = served_url
    headers = {"Authorization": authorization, "Origin": origin}
    if content_type:
        headers["Content-Type"] = content_type
    with httpx.Client(trust_env=False, timeout=10) as client:
        answer = client.request(method, url + path, content=body, headers=headers)
    assert answer.status_code < 500, (method, path, answer.status_code, answer.text[:200])
    assert not cloud.internal_errors


def _raw(url: str, data: bytes) -> bytes:
    """Send raw bytes to the server and read what it answers until it closes."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "wire",
    [
        b"\x00\x01\x02 not http at all\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: v\r\n\r\n",
        b"GET / HTTP/1.1\r\nno-colon-here\r\n\r\n",
        b"POST /identity_/connect/token HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ],
)
def test_malformed_requests_get_a_4xx_not_a_500(
    served_url: tuple[MockCloud, str], wire: bytes
) -> None:
    cloud, url = served_url
    answer = _raw(url, wire)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 4"), answer[:200]
    assert not cloud.internal_errors


def test_an_absolute_form_target_is_answered_for_its_path_or_refused(
    served_url: tuple[MockCloud, str],
) -> None:
    # RFC 9112 §3.2.2: a server must accept the absolute form. httptools hands the app the
    # path alone (answered as this origin's), h11 the whole target (refused with a 400).
    cloud, url = served_url
    answer = _raw(
        url,
        b"GET http://cloud.uipath.com/identity_/.well-known/openid-configuration HTTP/1.1\r\n"
        b"Host: cloud.uipath.com\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith((b"HTTP/1.1 200", b"HTTP/1.1 400")), answer[:200]
    if answer.startswith(b"HTTP/1.1 200"):
        assert f'"issuer":"{url}/identity_"'.encode() in answer
    assert not cloud.internal_errors


def test_non_ascii_and_encoded_paths_are_routed_not_crashed(
    served_url: tuple[MockCloud, str],
) -> None:
    cloud, url = served_url
    answer = _raw(
        url,
        "GET /caf\u00e9/%FF%00/x?\u00e9=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(
            "latin-1"
        ),
    )
    assert answer.startswith((b"HTTP/1.1 404", b"HTTP/1.1 400")), answer[:100]
    assert not cloud.internal_errors


def test_a_body_over_the_limit_is_refused_in_the_dialect(served_url: tuple[MockCloud, str]) -> None:
    _cloud, url = served_url
    with httpx.Client(trust_env=False, timeout=10) as client:
        answer = client.post(
            url + "/identity_/connect/token",
            content=b"a=" + b"x" * 2_000_000,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert answer.status_code == 413
        assert answer.json()["error"] == "invalid_request"
        assert client.get(url + "/_mock/health").status_code == 200


# -- orchestrator-kit serve as a real process -------------------------------------------------


#: The installed console script (pyproject's [project.scripts]), next to this interpreter.
ORCHESTRATOR_KIT = str(Path(sys.executable).with_name("orchestrator-kit"))


def _serve_process(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.Popen(
        [ORCHESTRATOR_KIT, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def kit_process() -> Iterator[Callable[..., tuple[subprocess.Popen[str], str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], str]:
        proc = _serve_process(*args)
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()  # the one line: the base URL
        return proc, line

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_cli_serve_prints_its_url_serves_and_stops_on_sigterm(
    kit_process: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    proc, url = kit_process("--port", "0", "--seed", "3", "--profile", "legacy")
    assert url.startswith("http://127.0.0.1:"), url
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        health = client.get("/_mock/health").json()
        assert health == {"status": "ok", "profile": "legacy", "seed": 3}
        defaults = client.get("/_mock/defaults").json()
        assert defaults["legacy_token_url"] == url + "/oauth/token"
        token = client.post(
            "/oauth/token",
            json={
                "grant_type": "refresh_token",
                "client_id": defaults["legacy_client_id"],
                "refresh_token": defaults["user_key"],
            },
        )
        assert token.status_code == 200
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert out == ""  # nothing after the URL line
    assert "uipath-mock: serving profile 'legacy'" in err


def test_cli_serve_stops_on_sigint(
    kit_process: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    proc, url = kit_process()
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(url + "/_mock/health").status_code == 200
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_cli_serve_clock_ticks_from_the_given_start(
    kit_process: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    _, url = kit_process("--start", "2030-06-01T00:00:00Z")
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        first = client.get("/_mock/clock").json()["now"]
        second = client.get("/_mock/clock").json()["now"]
        assert 1906416000 <= first < second  # ticking: real time moves it
        jumped = client.post("/_mock/clock", json={"advance_seconds": 86400}).json()["now"]
        assert jumped >= second + 86400


def test_cli_serve_clock_starts_at_the_wall_clock_by_default(
    kit_process: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    from mock_orchestrator.core.clock import SystemClock

    before = SystemClock().time()
    _, url = kit_process()
    with httpx.Client(trust_env=False, timeout=10) as client:
        now = client.get(url + "/_mock/clock").json()["now"]
    assert before - 1 <= now <= SystemClock().time() + 1


def test_cli_serve_reports_a_busy_port(
    kit_process: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc, line = kit_process("--port", str(port))
        _, err = proc.communicate(timeout=15)
    assert line == ""
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err


def test_cli_serve_rejects_a_bad_start(
    kit_process: Callable[..., tuple[subprocess.Popen[str], str]],
) -> None:
    proc, _ = kit_process("--start", "yesterday")
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert "ISO-8601" in err

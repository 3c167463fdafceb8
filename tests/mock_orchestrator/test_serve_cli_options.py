"""``orchestrator-kit serve``'s options: range-checked (one usage line, exit 2) and in effect."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_orchestrator.serve_command import main

ORCHESTRATOR_KIT = str(Path(sys.executable).with_name("orchestrator-kit"))


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--port", "99999"], "--port: 99999 is out of range"),
        (["--port", "-1"], "--port"),
        (["--port", "http"], "--port: 'http' is not"),
        (["--port", "9" * 400], "--port: " + "9" * 400 + " is out of range"),
        (["--seed", "9" * 400], "--seed"),
        (["--stall-cap", "-1"], "--stall-cap: -1 is out of range"),
        (["--stall-cap", "nan"], "--stall-cap"),
        (["--stall-cap", "inf"], "--stall-cap"),
        (["--header-timeout", "0"], "--header-timeout"),
        (["--body-timeout", "1e999"], "--body-timeout"),
        (["--keep-alive", "-5"], "--keep-alive"),
        (["--max-connections", "0"], "--max-connections"),
        (["--max-body", "99999999999"], "--max-body"),
        (["--control-max-body", "0"], "--control-max-body: 0 is out of range"),
        (["--control-max-body", "big"], "--control-max-body: 'big' is not"),
        (["--journal-limit", "0"], "--journal-limit"),
        (["--grace-window", "-3"], "--grace-window"),
        (["--seed", "-1"], "--seed"),
        (["--colour"], "unrecognized arguments"),
    ],
)
def test_a_bad_option_is_one_usage_line_and_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("orchestrator-kit serve: error: ")
    assert words in err


@pytest.fixture
def serving() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.communicate(timeout=10)


def _serve(started: list[subprocess.Popen[str]], *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.Popen(
        [ORCHESTRATOR_KIT, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    started.append(proc)
    assert proc.stdout is not None
    return proc.stdout.readline().strip()


def _refresh(client: httpx.Client, client_id: str, token: str) -> httpx.Response:
    return client.post(
        "/identity_/connect/token",
        data={"grant_type": "refresh_token", "client_id": client_id, "refresh_token": token},
    )


@pytest.mark.parametrize(("grace", "second"), [(None, 400), ("600", 200)])
def test_the_grace_window_lets_a_crashed_client_retry_its_refresh(
    serving: list[subprocess.Popen[str]], grace: str | None, second: int
) -> None:
    # A client that crashed after the server rotated its refresh token, before saving the new
    # one, presents the old one again: refused without a grace window, served within one.
    url = _serve(serving, *(["--grace-window", grace] if grace else []))
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        d = client.get("/_mock/defaults").json()
        first = _refresh(client, d["public_client_id"], d["refresh_token"])
        assert first.status_code == 200, first.text
        again = _refresh(client, d["public_client_id"], d["refresh_token"])
    assert again.status_code == second, again.text


def test_the_journal_limit_option_bounds_the_served_journal(
    serving: list[subprocess.Popen[str]],
) -> None:
    url = _serve(serving, "--journal-limit", "3")
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        for _ in range(5):
            client.get("/identity_/.well-known/openid-configuration")
        seqs = [entry["seq"] for entry in client.get("/_mock/journal").json()]
        newer = [entry["seq"] for entry in client.get("/_mock/journal?since=4").json()]
    assert seqs == [3, 4, 5]
    assert newer == [5]


@pytest.mark.parametrize(("limit", "status"), [("65536", 413), ("200000", 200)])
def test_the_control_max_body_option_bounds_what_the_control_plane_takes(
    serving: list[subprocess.Popen[str]], limit: str, status: int
) -> None:
    """A world document of about 100 KB: over the default 64 KiB, taken with a larger limit."""
    url = _serve(serving, "--control-max-body", limit)
    path = "Department of Long Names/Team number {:05d} of the North-East Region"
    world = {"folders": [{"path": path.format(n)} for n in range(1000)]}
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
        answer = client.post("/_mock/world", json=world)
    assert len(answer.request.content) > 65536
    assert answer.status_code == status, answer.text[:300]

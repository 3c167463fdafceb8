"""Running UiPath's ``uipath`` CLI as a real subprocess against a loopback mock."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from mock_orchestrator import MockCloud

UIPATH = str(Path(sys.executable).with_name("uipath"))
FAKE_BROWSER = Path(__file__).with_name("fake_browser.py")


def cli_env(**extra: str) -> dict[str, str]:
    """The parent environment minus proxies and UiPath settings, plus telemetry off."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().endswith("_proxy") and not k.startswith("UIPATH_") and k != "BROWSER"
    }
    env.update(
        UIPATH_TELEMETRY_ENABLED="false",
        UIPATH_TRACING_ENABLED="false",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        # The CLI's console uses rich: a fixed width keeps its messages on one line.
        COLUMNS="400",
        TERM="dumb",
    )
    env.update(extra)
    return env


def run_uipath(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UIPATH, *args],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def tenant_url(base_url: str, cloud: MockCloud) -> str:
    return f"{base_url}/{cloud.defaults.organization}/{cloud.defaults.tenant}"


def write_dotenv(cwd: Path, values: dict[str, str]) -> None:
    (cwd / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def read_dotenv(cwd: Path) -> dict[str, str]:
    values = {}
    for line in (cwd / ".env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key] = value
    return values


def write_auth_json(cwd: Path, token: dict[str, Any]) -> None:
    (cwd / ".uipath").mkdir(exist_ok=True)
    (cwd / ".uipath" / ".auth.json").write_text(json.dumps(token))


def read_auth_json(cwd: Path) -> dict[str, Any]:
    return json.loads((cwd / ".uipath" / ".auth.json").read_text())  # type: ignore[no-any-return]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def browser_command(tmp: Path, report: Path) -> str:
    """An executable for ``BROWSER`` (a path without arguments, as ``webbrowser`` wants)."""
    wrapper = tmp / "fake-browser"
    wrapper.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{FAKE_BROWSER}' '{report}' \"$@\"\n")
    wrapper.chmod(0o755)
    return str(wrapper)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return " ".join((result.stdout + result.stderr).split())

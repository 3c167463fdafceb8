"""The README's first minutes, as written: the quick start's shape, and the curl walkthrough run
against ``orchestrator-kit serve`` with its output compared line by line to the README's.

The walkthrough runs with the machine's curl and again with a stand-in written in Python
(``curl_stand_in.py``), so the test neither installs anything nor skips where curl is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
STAND_IN = Path(__file__).with_name("curl_stand_in.py")
#: The origin the README's walkthrough shows; the test's server has its own port.
README_ORIGIN = "http://127.0.0.1:8765"


def block(heading: str, language: str, index: int = 0) -> str:
    """The ``index``-th ``language`` code block of the README section under ``heading``."""
    section = README.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert len(blocks) > index, f"no {language} block #{index} under {heading!r}"
    return str(blocks[index])


@pytest.fixture
def served() -> Iterator[str]:
    """``orchestrator-kit serve --port 0``, as a user starts it; its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestrator_kit", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = proc.stdout
    assert out is not None
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(out.readline()))
    reader.start()
    reader.join(60)  # the server prints its URL once it answers; this bounds a hung start
    try:
        assert first, "serve printed nothing"
        assert first[0].startswith("http://127.0.0.1:"), f"serve printed {first!r}"
        yield first[0].strip()
    finally:
        proc.terminate()
        proc.wait(30)
        out.close()


@pytest.mark.parametrize("curl", ["curl", "stand-in"])
def test_the_curl_walkthrough_runs_as_written(served: str, curl: str, tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash, "the walkthrough is a bash block: bash (Git Bash on Windows) is needed"
    script = block("## A first session with curl", "bash")
    prelude = ""
    if curl == "stand-in" or shutil.which("curl") is None:
        # A shell function named curl shadows the binary; the README block runs unchanged.
        prelude = f'curl() {{ python "{STAND_IN.as_posix()}" "$@"; }}\n'
    env = {**os.environ, "MOCK": served}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(
        [bash, "-euo", "pipefail", "-c", prelude + script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    expected = block("## A first session with curl", "text").replace(README_ORIGIN, served)
    assert done.stdout.splitlines() == expected.splitlines()


def test_the_walkthrough_shows_the_right_client_for_the_refresh_token() -> None:
    """Step 3 must use public_client_id: with client_id the default refresh token is refused."""
    script = block("## A first session with curl", "bash")
    refresh = script.split("grant_type=refresh_token", 1)[1].split("\n\n", 1)[0]
    assert "client_id=$(get 'd[\"public_client_id\"]'" in refresh


def test_the_quick_start_is_a_virtualenv_line_then_two_commands() -> None:
    lines = [
        line.split("#", 1)[0].strip()
        for line in block("## Quick start", "bash").splitlines()
        if line.split("#", 1)[0].strip()
    ]
    venv, *commands = lines
    assert venv.startswith("python3 -m venv .venv && . .venv/bin/activate")
    assert commands == [
        "python -m pip install . && orchestrator-kit check",
        "python -m pip install tox && tox",
    ]
    # CI runs the README's test command, so a green CI means the quick start works.
    assert commands[-1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")

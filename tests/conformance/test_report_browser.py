"""The HTML report in a real headless browser: it renders, offline, and shows the failure.

Needs Chromium (Debian: ``apt-get install -y chromium``); selected with ``-m browser``, it fails
rather than skips when the browser is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conformance._plugs import PythonPlug
from conformance.report import render_html
from conformance.runner import run_suite

from .broken_clients import AcceptsHtmlToken, factory

pytestmark = pytest.mark.browser

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no headless Chromium: apt-get install -y chromium (Debian's package)")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    suite = run_suite(
        PythonPlug(factory(AcceptsHtmlToken), "broken:AcceptsHtmlToken"),
        rules=["token-html-is-failure", "login-no-password-on-cloud"],
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(suite), encoding="utf-8")
    return path


def _chromium(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_browser_renders_the_verdicts_and_the_timeline(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    done = _chromium(chromium, tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'id="verdict"' in dom
    assert "MUST rule result(s) failed" in dom
    assert dom.count('class="badge failed"') >= 3  # one per profile in the matrix
    section = dom.split('id="r-token-html-is-failure-identity"', 1)[1].split("</section>", 1)[0]
    assert "<details open" in section  # a failure's timeline is open
    assert "fault: login_redirect" in section
    assert "/web/login" in section
    assert 'class="ex hl' in section  # the exchange that shows it is highlighted


def test_the_page_paints_offline(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = _chromium(
        chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000

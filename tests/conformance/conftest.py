"""Fixtures of the conformance suite's own tests."""

from __future__ import annotations

import shutil

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: needs a headless Chromium (apt-get install -y chromium); fails "
        "when it is missing, so select it only where it is installed",
    )
    config.addinivalue_line(
        "markers", "node: needs Node.js 20 (the example command client); fails when missing"
    )


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not installed: the Node.js example client needs Node 20")
    return found

"""Every public name is exported, and nothing else is (httpx's test of the same name)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["mock_orchestrator", "conformance"])
def test_all_exports_exist(package: str) -> None:
    module = importlib.import_module(package)
    exported = set(module.__all__)
    public = {name for name in dir(module) if not name.startswith("_")}
    assert exported <= public
    for name in exported:
        assert getattr(module, name) is not None


def test_design_names_are_public() -> None:
    import mock_orchestrator

    for name in ("MockCloud", "FakeClock", "SystemClock", "OAuthError", "OrchestratorError"):
        assert name in mock_orchestrator.__all__


def test_implementation_coverage_is_current() -> None:
    from pathlib import Path

    from mock_orchestrator.coverage import render

    committed = (Path(__file__).parent.parent / "IMPLEMENTATION_COVERAGE.md").read_text("utf-8")
    assert committed == render(), (
        "IMPLEMENTATION_COVERAGE.md is stale: python -m mock_orchestrator.coverage > "
        "IMPLEMENTATION_COVERAGE.md"
    )

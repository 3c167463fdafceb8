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


def test_every_world_is_checked_for_internal_errors(worlds_made: list[object]) -> None:
    from mock_orchestrator import MockCloud

    cloud = MockCloud("legacy")  # built directly, not through make_cloud
    assert worlds_made == [cloud]


def test_an_internal_error_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    from pathlib import Path

    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text("utf-8"))
    pytester.makepyfile(
        """
        import httpx
        from mock_orchestrator import MockCloud
        from mock_orchestrator.identity.responses import IdentityResponses

        class Broken:
            def serve(self, route, req):
                raise RuntimeError("a bug in a handler")

        def test_a_handler_bug_reaches_the_wire_as_a_500():
            cloud = MockCloud()
            cloud.register_service(IdentityResponses, Broken())
            response = cloud.handle(httpx.Request(
                "POST", "https://cloud.uipath.com/identity_/connect/token"))
            assert response.status_code == 500
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*uipath-mock: internal errors:*", "*a bug in a handler*"])

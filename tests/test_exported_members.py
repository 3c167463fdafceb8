"""Every public name is exported, and nothing else is (httpx's test of the same name)."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = (
    "mock_orchestrator",
    "client_under_test",
    "conformance",
    "fixtures",
    "cassettes",
    "orchestrator_kit",
)
#: Every package of the kit, its sub-packages included.
PACKAGES = sorted(
    ".".join(init.parent.relative_to(_ROOT).parts)
    for top in TOP_LEVEL
    for init in (_ROOT / top).rglob("__init__.py")
)


def public_names(module: types.ModuleType) -> set[str]:
    """What ``from package import *`` would offer without ``__all__``: names without an
    underscore, minus sub-modules and ``from __future__`` features."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and type(value).__module__ != "__future__"
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_exactly_the_public_names(package: str) -> None:
    module = importlib.import_module(package)
    assert set(getattr(module, "__all__", ())) == public_names(module)


@pytest.mark.parametrize("package", TOP_LEVEL)
def test_every_package_ships_its_type_information(package: str) -> None:
    assert (_ROOT / package / "py.typed").is_file()


def test_the_check_sees_a_public_name_left_out() -> None:
    module = types.ModuleType("fake")
    module.__all__ = ["kept"]  # type: ignore[attr-defined]
    module.kept = 1  # type: ignore[attr-defined]
    module.forgotten = 2  # type: ignore[attr-defined]
    assert set(module.__all__) != public_names(module)  # type: ignore[attr-defined]


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

"""The kit's two pytest plugins, seen from a project outside the repository (pytester, in a
subprocess, with the plugins loaded by their entry points as a user's pytest loads them):

* ``uipath_mock`` gives ``uipath_cloud``, ``uipath_clock``, ``uipath_served`` and
  ``uipath_client`` with no fixture of the project's own, configured by marker, fixture or ini;
* neither plugin says or loads anything in a project that does not use the kit.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PLUGINS = {
    "uipath_conformance": "conformance.plugin",
    "uipath_mock": "orchestrator_kit.pytest_plugin",
}


@pytest.fixture(autouse=True)
def _entry_points_installed() -> None:
    """These tests need the kit installed with its current entry points, as a user has it."""
    installed = {e.name: e.value for e in entry_points(group="pytest11")}
    for name, value in PLUGINS.items():
        assert installed.get(name) == value, (
            f"the installed kit does not register the pytest11 entry point {name} = {value!r}; "
            "reinstall it (pip install -e .) so its metadata matches pyproject.toml"
        )


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def readme_block(heading: str, language: str) -> str:
    """The first ``language`` code block under the README's ``heading``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block under {heading!r}"
    return match.group(1)


# -- the fixtures ---------------------------------------------------------------------------


def test_the_readme_example_runs_in_a_project_with_no_fixture_of_its_own(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_readme=readme_block("## Fixtures for your own tests", "python"))
    result = run(pytester, "-v")
    result.assert_outcomes(passed=3)
    assert "uipath-conformance" not in result.stdout.str()


WORLDS = """
    import httpx
    import pytest

    def test_defaults_come_from_the_ini(uipath_cloud, uipath_clock):
        assert (uipath_cloud.profile, uipath_cloud.seed) == ("onprem", 3)
        assert uipath_clock is uipath_cloud.clock

    @pytest.mark.uipath_cloud("legacy", seed=4)
    def test_the_marker_wins(uipath_cloud):
        assert (uipath_cloud.profile, uipath_cloud.seed) == ("legacy", 4)

    @pytest.mark.uipath_cloud(profile="identity", grace_window=5)
    class TestClassMarkers:
        def test_settings_reach_the_world(self, uipath_cloud):
            assert uipath_cloud.settings.grace_window == 5

        @pytest.mark.uipath_cloud(grace_window=7, seed=9)
        def test_the_closest_marker_wins(self, uipath_cloud):
            assert uipath_cloud.profile == "identity"
            assert (uipath_cloud.settings.grace_window, uipath_cloud.seed) == (7, 9)

    def test_each_test_gets_its_own_world(uipath_cloud, request):
        uipath_cloud.clock.advance(hours=5)
        assert not hasattr(request.config, "_first_world")
        request.config._first_world = uipath_cloud

    def test_each_test_gets_its_own_world_again(uipath_cloud, request):
        assert uipath_cloud is not request.config._first_world
        assert uipath_cloud.clock.time() != request.config._first_world.clock.time()

    SERVED = []

    def test_served_is_the_same_world(uipath_cloud, uipath_served):
        uipath_cloud.clock.advance(seconds=90)
        answer = httpx.get(f"{uipath_served}/_mock/clock").json()
        assert answer["now"] == uipath_cloud.clock.time()
        SERVED.append(uipath_served)

    def test_served_was_stopped_after_its_test():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{SERVED[0]}/_mock/health", timeout=5)

    def test_the_client_is_wired_to_the_world(uipath_client, uipath_cloud):
        job = uipath_client.start_job(uipath_cloud.defaults.process)
        uipath_cloud.clock.advance(minutes=5)
        assert uipath_client.get_job(job.id).state == "Successful"
        assert len(uipath_cloud.journal.token_requests()) == 1
"""


def test_marker_fixture_and_ini_build_each_world(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nuipath_cloud_profile = onprem\nuipath_cloud_seed = 3\n")
    pytester.makepyfile(test_worlds=textwrap.dedent(WORLDS))
    result = run(pytester, "-p", "no:xdist", "--strict-markers", "-v")
    result.assert_outcomes(passed=9)


def test_a_conftest_overrides_the_settings_and_the_marker_still_wins(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def uipath_cloud_settings():
            return {"profile": "legacy", "seed": 11}
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_settings(uipath_cloud):
            assert (uipath_cloud.profile, uipath_cloud.seed) == ("legacy", 11)

        @pytest.mark.uipath_cloud(seed=12)
        def test_marker_over_settings(uipath_cloud):
            assert (uipath_cloud.profile, uipath_cloud.seed) == ("legacy", 12)
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_world_that_cannot_be_built_is_one_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.uipath_cloud(grace_windo=5)
        def test_typo(uipath_cloud):
            pass

        @pytest.mark.uipath_cloud("mars")
        def test_unknown_profile(uipath_cloud):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*uipath-mock: cannot build the world from {'grace_windo': 5}: *grace_windo*",
            "*uipath-mock: cannot build the world from {'profile': 'mars'}: unknown profile*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


# -- quiet ----------------------------------------------------------------------------------

UNRELATED = """
    import sys

    def test_nothing_of_the_kit_is_loaded():
        kit = ("mock_orchestrator", "client_under_test", "conformance.catalog",
               "conformance.runner")
        assert not [m for m in kit if m in sys.modules]

    def test_something_else():
        assert 1 + 1 == 2
"""


def _normalised(result: pytest.RunResult) -> list[str]:
    lines = result.stdout.lines + result.stderr.lines
    # pytest's own "plugins:" header names every distribution with an entry point (respx,
    # Faker, ... and the kit): that is pytest speaking, not a plugin, so it is left out.
    return [
        re.sub(r"in \d+\.\d+s", "in Ns", line)
        for line in lines
        if line.strip() and not line.startswith("plugins:")
    ]


def test_a_project_that_does_not_use_the_kit_hears_nothing_from_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_unrelated=textwrap.dedent(UNRELATED))
    with_kit = run(pytester, "-v")
    with_kit.assert_outcomes(passed=2)
    without_kit = run(pytester, "-v", "-p", "no:uipath_conformance", "-p", "no:uipath_mock")
    without_kit.assert_outcomes(passed=2)
    assert _normalised(with_kit) == _normalised(without_kit)


def test_no_rule_marker_is_registered_unless_the_suite_runs(pytester: pytest.Pytester) -> None:
    markers = run(pytester, "--markers").stdout.str()
    assert "token_single_flight" not in markers
    assert "uipath_must" not in markers
    assert "@pytest.mark.uipath_cloud(profile='identity', seed=0, **settings)" in markers


def test_importing_the_plugins_loads_nothing_of_the_kit() -> None:
    code = textwrap.dedent(
        """
        import sys
        import conformance.plugin, orchestrator_kit.pytest_plugin
        heavy = ("mock_orchestrator", "client_under_test", "conformance.catalog",
                 "conformance.runner", "conformance.report", "conformance._plugs", "httpx")
        print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("ini", "args"),
    [
        ("", ("--pyargs", "conformance")),
        # -c: the kit's own pyproject.toml (which turns the plugin off) is not the user's config
        ("[pytest]\n", ("-c", "tox.ini", str(REPO / "conformance" / "suites" / "test_login.py"))),
        ("", ("--uipath-profile=identity",)),
        ("[pytest]\nuipath_profiles = identity\n", ()),
    ],
    ids=["pyargs", "path", "option", "ini"],
)
def test_the_suite_speaks_when_it_is_run(
    pytester: pytest.Pytester, ini: str, args: tuple[str, ...]
) -> None:
    if ini:
        pytester.makefile(".ini", tox=ini)
    result = run(pytester, "--collect-only", *args)
    result.stdout.fnmatch_lines(["uipath-conformance: client client_under_test.adapter:*"])


def test_the_plugin_spells_the_catalog_profiles() -> None:
    from conformance.catalog import PROFILES
    from conformance.plugin import PROFILE_NAMES

    assert tuple(PROFILES) == PROFILE_NAMES

"""The pytest plugin (``pytest11`` entry point ``uipath_conformance``): the suite as tests.

``pytest --pyargs conformance --uipath-client=mypkg.testing:make_client`` collects
``conformance/suites/test_*.py``, one test per rule and profile (test ids ``rule-id-profile``),
each marked with its rule's marker (the ID with underscores, e.g. ``-m token_single_flight``) and
``uipath_must`` or ``uipath_should``. Outcomes map as the CLI's do: a failed MUST rule, and an
``error`` (a client that could not be judged), fails the test; a failed SHOULD rule, and a
failure listed in ``--uipath-expected-failures``, is an xfail (reported, not gating); not
applicable and skipped rules are skips.

Precedence of configuration: command-line options, then ini options of the same name (without
the dashes), then the defaults (the reference client, all three profiles).

Quiet unless asked: the entry point loads in every pytest session of every project where the kit
is installed, so this module imports nothing of the suite at import time and, unless the suite
is being run, registers no marker, prints no header and loads no rule. The suite is being run
when the collection reaches ``conformance/suites`` (``--pyargs conformance``, or a path into the
package) or one of the options above is given (on the command line or in the ini file). The
kit's fixtures for a team's own tests (``uipath_cloud`` and friends) are another plugin:
``orchestrator_kit.pytest_plugin``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    # Imported where they are used, at run time: a session that does not run the suite must
    # not pay for (or be able to break on) the rule machinery.
    from ._outcome import RuleResult
    from ._plugs import Plug
    from .catalog import RuleSpec

__all__ = ["RuleParam", "UipathConformance"]

CLIENT_OPTION = "--uipath-client"
CLIENT_CMD_OPTION = "--uipath-client-cmd"
PROFILE_OPTION = "--uipath-profile"
EXPECTED_OPTION = "--uipath-expected-failures"
REPORT_JSON_OPTION = "--uipath-report-json"
REPORT_HTML_OPTION = "--uipath-report-html"
DEFAULT_CLIENT = "client_under_test.adapter:make_client"
#: ``catalog.PROFILES``, spelled out so that ``--help`` does not load the catalog (a test keeps
#: the two equal).
PROFILE_NAMES = ("legacy", "identity", "onprem")
_PROPERTY = "uipath_conformance"


@dataclass
class _State:
    client: str | None
    client_cmd: str | None
    profiles: tuple[str, ...]
    expected: frozenset[str]
    json_path: str | None
    html_path: str | None
    plug: Plug | None = None
    results: list[RuleResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.client_cmd or self.client or DEFAULT_CLIENT

    def get_plug(self) -> Plug:
        from ._plugs import CommandPlug, PythonPlug

        if self.plug is None:
            self.plug = (
                CommandPlug(self.client_cmd)
                if self.client_cmd
                else PythonPlug.from_spec(self.client or DEFAULT_CLIENT)
            )
        return self.plug


_STATE = pytest.StashKey[_State]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("uipath-conformance", "UiPath client conformance suite")
    group.addoption(
        CLIENT_OPTION,
        metavar="MODULE:FACTORY",
        help=f"the client under test: factory(env) -> ClientAdapter (default {DEFAULT_CLIENT})",
    )
    group.addoption(
        CLIENT_CMD_OPTION,
        metavar="CMD",
        help="a client command speaking JSON lines (conformance/PROTOCOL.md)",
    )
    group.addoption(
        PROFILE_OPTION,
        action="append",
        metavar="P",
        help=f"limit the rules to a profile ({', '.join(PROFILE_NAMES)}); repeatable",
    )
    group.addoption(
        EXPECTED_OPTION,
        metavar="FILE",
        help="rule IDs expected to fail (rule-id or rule-id[profile])",
    )
    group.addoption(REPORT_JSON_OPTION, metavar="F", help="write the JSON report to F")
    group.addoption(REPORT_HTML_OPTION, metavar="F", help="write the HTML report to F")
    for name, text in (
        ("uipath_client", "default for --uipath-client"),
        ("uipath_client_cmd", "default for --uipath-client-cmd"),
        ("uipath_profiles", "default for --uipath-profile (space separated)"),
    ):
        parser.addini(name, text, default=None)


_SUITE_OPTIONS = (
    CLIENT_OPTION,
    CLIENT_CMD_OPTION,
    PROFILE_OPTION,
    EXPECTED_OPTION,
    REPORT_JSON_OPTION,
    REPORT_HTML_OPTION,
)
_SUITE_INI = ("uipath_client", "uipath_client_cmd", "uipath_profiles")
_PACKAGE = Path(__file__).resolve().parent


def suite_requested(config: pytest.Config) -> bool:
    """Whether this session runs the conformance suite (see the module docstring)."""
    if any(config.getoption(name) for name in _SUITE_OPTIONS):
        return True
    if any(config.getini(name) for name in _SUITE_INI):
        return True
    for arg in config.args:
        target = arg.split("::")[0]
        if config.option.pyargs and target.split(".")[0] == _PACKAGE.name:
            return True
        try:
            path = (config.invocation_params.dir / target).resolve()
        except (OSError, ValueError):  # not a path pytest could collect either
            continue
        if path == _PACKAGE or _PACKAGE in path.parents:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    if suite_requested(config):
        _activate(config)


def _activate(config: pytest.Config) -> _State:
    """Load the catalog, register the rules' markers and the report collector (once)."""
    state = config.stash.get(_STATE, None)
    if state is not None:
        return state
    from .catalog import CATALOG, PROFILES
    from .runner import load_expected_failures

    for spec in CATALOG.values():
        config.addinivalue_line(
            "markers", f"{spec.marker}: conformance rule {spec.id} ({spec.level}): {spec.summary}"
        )
    config.addinivalue_line("markers", "uipath_must: a MUST rule of the conformance suite")
    config.addinivalue_line("markers", "uipath_should: a SHOULD rule of the conformance suite")
    profiles = (
        config.getoption(PROFILE_OPTION)
        or (config.getini("uipath_profiles") or " ".join(PROFILES)).split()
    )
    profiles = [p.strip() for value in profiles for p in value.split(",") if p.strip()]
    for profile in profiles:
        if profile not in PROFILES:
            raise pytest.UsageError(
                f"{PROFILE_OPTION}: unknown profile {profile!r}; one of {', '.join(PROFILES)}"
            )
    # Checked before any rule runs, as `orchestrator-kit check` does: a typo costs a second.
    from .report import check_report_paths

    problem = check_report_paths(
        *((flag, config.getoption(flag)) for flag in (REPORT_JSON_OPTION, REPORT_HTML_OPTION))
    )
    if problem:
        raise pytest.UsageError(problem)
    expected_file = config.getoption(EXPECTED_OPTION)
    state = config.stash[_STATE] = _State(
        client=config.getoption(CLIENT_OPTION) or config.getini("uipath_client"),
        client_cmd=config.getoption(CLIENT_CMD_OPTION) or config.getini("uipath_client_cmd"),
        profiles=tuple(profiles),
        expected=load_expected_failures(expected_file) if expected_file else frozenset(),
        json_path=config.getoption(REPORT_JSON_OPTION),
        html_path=config.getoption(REPORT_HTML_OPTION),
    )
    config.pluginmanager.register(_Collector(state), "uipath-conformance-collector")
    return state


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash.get(_STATE, None)
    if state is None:
        return []  # not running the suite: say nothing
    return [f"uipath-conformance: client {state.label}; profiles {', '.join(state.profiles)}"]


@dataclass(frozen=True)
class RuleParam:
    """One generated test's parameter: a rule on a profile."""

    spec: RuleSpec
    profile: str

    @property
    def id(self) -> str:
        return f"{self.spec.id}-{self.profile}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests asking for ``uipath_rule`` get one case per rule (the module's ``RULES``) and
    profile, each with the rule's marker and its level's marker."""
    if "uipath_rule" not in metafunc.fixturenames:
        return
    from .catalog import CATALOG

    # A suite module collected some way suite_requested() did not foresee still runs.
    state = _activate(metafunc.config)
    wanted = getattr(metafunc.module, "RULES", list(CATALOG))
    params = []
    for rule_id in wanted:
        spec = CATALOG[rule_id]
        level = pytest.mark.uipath_must if spec.level == "MUST" else pytest.mark.uipath_should
        for profile in spec.profiles:
            if profile in state.profiles:
                param = RuleParam(spec, profile)
                params.append(
                    pytest.param(
                        param, id=param.id, marks=[getattr(pytest.mark, spec.marker), level]
                    )
                )
    metafunc.parametrize("uipath_rule", params)


class UipathConformance:
    """The ``uipath_conformance`` fixture: ``check(uipath_rule)`` judges one rule."""

    def __init__(self, state: _State, node: pytest.Item) -> None:
        self._state = state
        self._node = node

    def check(self, param: RuleParam) -> RuleResult:
        from .report import timeline_text
        from .runner import apply_expected, run_rule

        state = self._state
        result = apply_expected(
            run_rule(param.spec, param.profile, state.get_plug()), state.expected
        )
        self._node.user_properties.append(
            (
                _PROPERTY,
                json.dumps(
                    {
                        **result.to_dict(),
                        "duration": result.duration,
                        "expected_failure": result.expected_failure,
                    }
                ),
            )
        )
        text = f"{result.key} ({result.level}): {result.message}"
        if result.outcome == "error":  # the client could not be judged: never a pass
            pytest.fail(f"ERROR {text}\n{timeline_text(result.evidence)}", pytrace=False)
        if result.outcome == "failed" and result.level == "MUST":
            pytest.fail(f"{text}\n{timeline_text(result.evidence)}", pytrace=False)
        if result.outcome in ("failed", "xfailed"):
            pytest.xfail(("SHOULD rule not met: " if result.outcome == "failed" else "") + text)
        if result.outcome in ("skipped", "not_applicable"):
            pytest.skip(f"{result.outcome.replace('_', ' ')}: {text}")
        return result


@pytest.fixture
def uipath_conformance(request: pytest.FixtureRequest) -> UipathConformance:
    """Runs a rule of the conformance suite against the configured client."""
    return UipathConformance(_activate(request.config), request.node)


class _Collector:
    """Collects results from test reports (on the xdist controller too: user_properties travel
    with the reports) and writes the reports at the end of the session."""

    def __init__(self, state: _State) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == _PROPERTY:
                self.state.results.append(_result_from(json.loads(str(value))))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        state = self.state
        if hasattr(session.config, "workerinput") or not (state.json_path or state.html_path):
            return
        from .report import write_reports
        from .runner import SuiteResult

        suite = SuiteResult(client=state.label, results=state.results)
        write_reports(suite, json_path=state.json_path, html_path=state.html_path)


def _result_from(data: dict[str, Any]) -> RuleResult:
    from ._outcome import RuleResult

    return RuleResult(
        id=data["id"],
        level=data["level"],
        profile=data["profile"],
        outcome=data["outcome"],
        message=data["message"],
        refs=data["refs"],
        evidence=data["evidence"],
        duration=data.get("duration", 0.0),
        expected_failure=data.get("expected_failure", False),
    )

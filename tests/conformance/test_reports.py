"""Reports: the JSON shape, JUnit XML, and an HTML page with the failing exchanges, redacted."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET

import pytest

from conformance._outcome import OUTCOMES, RuleResult
from conformance._plugs import CommandPlug, PythonPlug
from conformance.report import render_html, to_json, to_junit_xml, write_reports
from conformance.runner import SuiteResult, run_suite

from .broken_clients import AcceptsHtmlToken, LogsItsToken, MiniClient, factory

_JWT = re.compile(r"eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}")
_REFRESH = re.compile(r"\b[0-9A-F]{64}\b")


@pytest.fixture(scope="module")
def suite() -> SuiteResult:
    """A run with a failure (the HTML-token client) and passes, on every profile."""
    return run_suite(
        PythonPlug(factory(AcceptsHtmlToken), "broken:AcceptsHtmlToken"),
        rules=["token-html-is-failure", "login-no-password-on-cloud"],
    )


def test_json_has_exactly_the_documented_shape(suite: SuiteResult) -> None:
    data = json.loads(to_json(suite))
    assert set(data) == {"kit_version", "client", "rules", "summary"}
    assert data["client"] == "broken:AcceptsHtmlToken"
    for rule in data["rules"]:
        assert set(rule) == {"id", "level", "profile", "outcome", "message", "refs", "evidence"}
        assert rule["outcome"] in OUTCOMES
        assert all({"label", "url"} <= set(ref) for ref in rule["refs"])
    failed = [r for r in data["rules"] if r["outcome"] == "failed"]
    assert {r["id"] for r in failed} == {"token-html-is-failure"}
    assert data["summary"]["must_failed"] == [
        f"token-html-is-failure[{p}]" for p in ("legacy", "identity", "onprem")
    ]
    assert data["summary"]["ok"] is False


def test_failure_evidence_is_the_timeline_that_shows_it(suite: SuiteResult) -> None:
    failed = next(r for r in suite.results if r.outcome == "failed")
    kinds = [e["kind"] for e in failed.evidence]
    assert "world" in kinds
    assert "op" in kinds
    assert "exchange" in kinds
    highlighted = [e for e in failed.evidence if e.get("highlight")]
    assert highlighted, "the exchanges that show the failure are marked"
    assert any("/web/login" in e["url"] for e in highlighted)
    full = [e for e in failed.evidence if e["kind"] == "exchange"]
    assert all("request_headers" in e for e in full)


def test_junit_xml(suite: SuiteResult) -> None:
    root = ET.fromstring(to_junit_xml(suite))
    node = root.find("testsuite")
    assert node is not None
    assert node.get("tests") == str(len(suite.results))
    assert node.get("failures") == "3"
    cases = {c.get("name"): c for c in node.iter("testcase")}
    failure = cases["token-html-is-failure[identity]"].find("failure")
    assert failure is not None
    assert failure.get("type") == "MUST"
    assert "/web/login" in (failure.text or "")
    assert cases["login-no-password-on-cloud[legacy]"].find("failure") is None


def test_html_is_self_contained_and_shows_the_failure(suite: SuiteResult) -> None:
    page = render_html(suite)
    assert "<script" not in page
    assert "http://" not in page.split("<body>")[0]
    assert not re.search(r"""(src|href)=["']https?://""", page.split("<main>")[0])
    assert "token-html-is-failure" in page
    assert "FAIL" in page
    assert 'id="r-token-html-is-failure-identity"' in page
    assert "302" in page
    assert "fault: login_redirect" in page


def test_no_secret_reaches_any_report() -> None:
    """The client logs its token and every report is scanned for token shapes."""
    suite = run_suite(
        PythonPlug(factory(LogsItsToken)), rules=["token-secrets-not-logged"], profiles=["identity"]
    )
    assert suite.results[0].outcome == "failed"
    for text in (to_json(suite), to_junit_xml(suite), render_html(suite)):
        assert not _JWT.search(text)
        assert not _REFRESH.search(text)
    assert "***(" in suite.results[0].message


def test_write_reports(tmp_path, suite: SuiteResult) -> None:  # type: ignore[no-untyped-def]
    paths = write_reports(
        suite,
        json_path=str(tmp_path / "r.json"),
        html_path=str(tmp_path / "out" / "r.html"),
        junit_path=str(tmp_path / "j.xml"),
    )
    assert len(paths) == 3
    assert json.loads((tmp_path / "r.json").read_text())["client"] == suite.client


def test_passing_results_keep_a_compact_timeline() -> None:
    suite = run_suite(
        PythonPlug(factory(MiniClient)), rules=["token-html-is-failure"], profiles=["identity"]
    )
    result = suite.results[0]
    assert result.outcome == "passed"
    exchanges = [e for e in result.evidence if e["kind"] == "exchange"]
    assert exchanges
    assert all("request_headers" not in e for e in exchanges)


def test_an_error_is_reported_in_every_report_and_fails_the_run() -> None:
    dying = CommandPlug([sys.executable, "-c", "import sys; sys.exit('no config here')"])
    suite = run_suite(
        dying, rules=["token-html-is-failure", "login-no-password-on-cloud"], profiles=["identity"]
    )
    assert suite.exit_code == 1
    data = json.loads(to_json(suite))
    assert [r["outcome"] for r in data["rules"]] == ["error", "error"]
    assert data["summary"]["errors"] == [
        "token-html-is-failure[identity]",
        "login-no-password-on-cloud[identity]",
    ]
    assert data["summary"]["ok"] is False
    node = ET.fromstring(to_junit_xml(suite)).find("testsuite")
    assert node is not None
    assert node.get("errors") == "2"
    assert node.get("failures") == "0"
    errors = list(node.iter("error"))
    assert len(errors) == 2
    assert "no config here" in (errors[0].get("message") or "")
    page = render_html(suite)
    assert '<span class="badge error">ERROR</span>' in page
    assert "2 could not be judged (error)" in page


def _result(rule: str, level: str, outcome: str) -> RuleResult:
    return RuleResult(rule, level, "identity", outcome, f"{rule} {outcome}", [])  # type: ignore[arg-type]


def test_html_puts_must_failures_first_and_explains_its_marks() -> None:
    suite = SuiteResult(
        client="x",
        results=[
            _result("token-acquire-unattended", "MUST", "passed"),
            _result("jobs-poll-by-id", "SHOULD", "failed"),
            _result("token-refresh-proactive", "SHOULD", "not_applicable"),
            _result("http-timeout-set", "MUST", "failed"),
            _result("token-single-flight", "MUST", "error"),
        ],
    )
    page = render_html(suite)
    order = re.findall(r'<section class="result \w+" id="r-([\w-]+)-identity"', page)
    assert order == [
        "http-timeout-set",
        "token-single-flight",
        "jobs-poll-by-id",
        "token-acquire-unattended",
        "token-refresh-proactive",
    ]
    legend = page.split('<dl class="legend">')[1].split("</dl>")[0]
    assert "<dt>&middot;</dt><dd>the rule does not exist for this profile" in legend
    assert "N/A</span></dt><dd>not applicable: the client declared" in legend
    assert "could not be judged" in legend

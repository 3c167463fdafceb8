"""Reports of a run: JSON (for machines), JUnit XML (for CI), HTML (for people).

The JSON is exactly ``{"kit_version", "client", "rules": [{"id", "level", "profile",
"outcome", "message", "refs", "evidence"}], "summary"}``; ``summary.interrupted`` names the
signal when the run was cut short (the rules so far are reported). The HTML page is
self-contained (inline CSS, no script, no network): a matrix of rules by profile with a legend,
then each result (MUST failures first) with its message,
its references, and the exchange timeline that shows it -- the token's life, the 401, the
refresh -- with secrets already redacted by the harness.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from mock_orchestrator import TOKEN_ROUTES

from ._outcome import RuleResult
from .catalog import CATALOG, PROFILES, RuleSpec
from .runner import SuiteResult

__all__ = [
    "check_report_paths",
    "render_html",
    "timeline_text",
    "to_json",
    "to_junit_xml",
    "write_reports",
]

_LABELS = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
    "not_applicable": "N/A",
    "xfailed": "XFAIL",
}


def to_json(suite: SuiteResult) -> str:
    return json.dumps(suite.to_dict(), indent=2, ensure_ascii=False, default=str)


def to_junit_xml(suite: SuiteResult) -> str:
    """One testcase per rule and profile. A failed rule is a ``<failure type="MUST|SHOULD">``,
    a client that could not be judged an ``<error>``; skipped, not applicable and expected
    failures are ``<skipped>`` with their reason."""
    results = suite.results
    failures = sum(1 for r in results if r.outcome == "failed")
    errors = sum(1 for r in results if r.outcome == "error")
    skipped = sum(1 for r in results if r.outcome in ("skipped", "not_applicable", "xfailed"))
    root = ET.Element("testsuites")
    node = ET.SubElement(
        root,
        "testsuite",
        {
            "name": "uipath-conformance",
            "tests": str(len(results)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
            "time": f"{sum(r.duration for r in results):.3f}",
        },
    )
    props = ET.SubElement(node, "properties")
    ET.SubElement(props, "property", {"name": "client", "value": suite.client})
    ET.SubElement(props, "property", {"name": "kit_version", "value": suite.kit_version})
    if suite.interrupted:
        ET.SubElement(props, "property", {"name": "interrupted", "value": suite.interrupted})
    for r in results:
        case = ET.SubElement(
            node,
            "testcase",
            {
                "classname": f"uipath_conformance.{r.profile}",
                "name": r.key,
                "time": f"{r.duration:.3f}",
            },
        )
        if r.outcome == "failed":
            failure = ET.SubElement(case, "failure", {"type": r.level, "message": r.message})
            failure.text = timeline_text(r.evidence)
        elif r.outcome == "error":
            error = ET.SubElement(case, "error", {"type": "client", "message": r.message})
            error.text = timeline_text(r.evidence)
        elif r.outcome != "passed":
            ET.SubElement(case, "skipped", {"type": r.outcome, "message": r.message})
        else:
            out = ET.SubElement(case, "system-out")
            out.text = r.message
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def timeline_text(evidence: list[dict[str, Any]]) -> str:
    lines = []
    for entry in evidence:
        if entry.get("kind") == "exchange":
            mark = ">>" if entry.get("highlight") else "  "
            extra = " ".join(
                f"{k}={entry[k]}" for k in ("auth", "fault", "presented") if entry.get(k)
            )
            challenge = (entry.get("response_headers") or {}).get("www-authenticate")
            if challenge:  # why a 401 was refused, as the server said it
                extra += f" www-authenticate: {challenge}"
            lines.append(
                f"{mark} #{entry['seq']} t={entry['at']} {entry['method']} "
                f"{entry['url']} -> {entry['status']} {extra.strip()}".rstrip()
            )
        else:
            lines.append(f"   -- {entry.get('text')}")
    return "\n".join(lines)


# -- HTML -----------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _anchor(result: RuleResult) -> str:
    return f"r-{result.id}-{result.profile}"


def _badge(outcome: str, extra: str = "") -> str:
    return f'<span class="badge {outcome}{extra}">{_LABELS.get(outcome, outcome)}</span>'


def _specs() -> dict[str, RuleSpec]:
    """The catalog's rules, then the soak's own (``orchestrator-kit soak`` reports both)."""
    from .soak.specs import SOAK_SPECS

    return {**CATALOG, **SOAK_SPECS}


def _matrix(results: list[RuleResult]) -> str:
    by_key = {(r.id, r.profile): r for r in results}
    profiles = [p for p in PROFILES if any(r.profile == p for r in results)]
    head = "".join(f"<th>{_e(p)}</th>" for p in profiles)
    rows = []
    for spec in _specs().values():
        cells = []
        if not any((spec.id, p) in by_key for p in profiles):
            continue
        for p in profiles:
            r = by_key.get((spec.id, p))
            if r is None:
                cells.append('<td class="none">&middot;</td>')
            else:
                xp = " xpass" if r.unexpected_pass else ""
                cells.append(f'<td><a href="#{_anchor(r)}">{_badge(r.outcome, xp)}</a></td>')
        rows.append(
            f'<tr><th class="rule"><code>{_e(spec.id)}</code> '
            f'<span class="level {spec.level}">{spec.level}</span>'
            f'<div class="what">{_e(spec.summary)}</div></th>{"".join(cells)}</tr>'
        )
    return (
        f'<table class="matrix"><thead><tr><th>rule</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _describe(entry: dict[str, Any]) -> str:
    """What a person should read in an exchange: the token's life, the 401, the fault."""
    status = entry.get("status")
    route = entry.get("route") or "unrouted"
    body = entry.get("response_body")
    bits = []
    if route in TOKEN_ROUTES:
        form = entry.get("request_body")
        grant = form.get("grant_type") if isinstance(form, dict) else None
        bits.append("token request" + (f" ({grant})" if grant else ""))
        if entry.get("presented"):
            bits.append(f"presented {entry['presented']}")
        if entry.get("issued"):
            life = (
                f", expires in {body['expires_in']} s"
                if isinstance(body, dict) and "expires_in" in body
                else ""
            )
            bits.append("issued " + ", ".join(entry["issued"]) + life)
        elif isinstance(body, dict) and "error" in body:
            bits.append(f"refused: {body['error']}")
    if entry.get("presented"):  # the refresh token a soak run presented
        bits.append(f"presented {entry['presented']}")
    if entry.get("bearer"):
        bits.append(f"with {entry['bearer']}")
    if status == 401:
        bits.append("401 Unauthorized" + (f" (token {entry['auth']})" if entry.get("auth") else ""))
    elif entry.get("auth"):
        bits.append(f"auth: {entry['auth']}")
    if entry.get("fault"):
        bits.append(f"fault: {entry['fault']}")
    if entry.get("error"):
        if status is None:
            bits.append("no answer: the connection failed")
        elif entry.get("route") is None:
            bits.append("not an endpoint the mock knows")
        else:
            bits.append("internal error of the mock")
    return "; ".join(bits)


def _detail(entry: dict[str, Any]) -> str:
    parts = []
    for key in ("request_headers", "request_body", "response_headers", "response_body"):
        if key in entry and entry[key] not in (None, {}, ""):
            shown = (
                json.dumps(entry[key], indent=1, ensure_ascii=False)
                if not isinstance(entry[key], str)
                else entry[key]
            )
            parts.append(f"<h5>{_e(key.replace('_', ' '))}</h5><pre>{_e(shown)}</pre>")
    if not parts:
        return ""
    return f"<details><summary>headers and bodies</summary>{''.join(parts)}</details>"


def _timeline(evidence: list[dict[str, Any]]) -> str:
    rows = []
    origin: float | None = None
    for entry in evidence:
        kind = entry.get("kind")
        if kind == "world":
            origin = None
            rows.append(f'<tr class="world"><td colspan="5">{_e(entry.get("text"))}</td></tr>')
            continue
        at = entry.get("at")
        if at is not None and origin is None:
            origin = float(at)
        when = f"t+{float(at) - origin:.3f} s" if at is not None and origin is not None else ""
        if kind == "exchange":
            status = entry.get("status")
            cls = "hl" if entry.get("highlight") else ""
            cls += " bad" if (isinstance(status, int) and status >= 400) or status is None else ""
            rows.append(
                f'<tr class="ex {cls}"><td class="t">{_e(when)}</td>'
                f'<td><span class="m">{_e(entry.get("method"))}</span> '
                f'<span class="url">{_e(entry.get("url"))}</span>{_detail(entry)}</td>'
                f"<td><code>{_e(entry.get('route') or '')}</code></td>"
                f'<td class="st">{_e(status if status is not None else "no answer")}</td>'
                f"<td>{_e(_describe(entry))}</td></tr>"
            )
        else:
            ok = entry.get("ok")
            cls = ("ok" if ok else "err") if kind == "result" else ""
            rows.append(
                f'<tr class="{_e(kind)} {cls}"><td class="t">{_e(when)}</td>'
                f'<td colspan="4">{_e(entry.get("text"))}</td></tr>'
            )
    return (
        '<table class="timeline"><thead><tr><th>time</th><th>request</th><th>route</th>'
        f"<th>status</th><th>what happened</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table>"
    )


def _result_section(r: RuleResult) -> str:
    refs = "".join(f'<li><a href="{_e(ref["url"])}">{_e(ref["label"])}</a></li>' for ref in r.refs)
    spec = _specs().get(r.id)
    opened = " open" if r.outcome in ("failed", "error") else ""
    exchanges = sum(1 for e in r.evidence if e.get("kind") == "exchange")
    note = (
        (
            '<p class="xpass">Listed as an expected failure, but it passed: remove it from '
            "the list.</p>"
        )
        if r.unexpected_pass
        else ""
    )
    return (
        f'<section class="result {r.outcome}" id="{_anchor(r)}">'
        f"<h3>{_badge(r.outcome)} <code>{_e(r.id)}</code> on <em>{_e(r.profile)}</em> "
        f'<span class="level {r.level}">{_e(r.level)}</span></h3>'
        f'<p class="what">{_e(spec.summary if spec else "")}</p>'
        f'<p class="msg">{_e(r.message)}</p>{note}'
        f"<details{opened}><summary>exchange timeline ({exchanges} exchanges)</summary>"
        f"{_timeline(r.evidence)}</details>"
        f'<details><summary>references</summary><ul class="refs">{refs}</ul></details>'
        "</section>"
    )


def _rank(r: RuleResult) -> int:
    """Results in the order a reader needs them: what fails the run first."""
    if r.outcome == "failed" and r.level == "MUST":
        return 0
    order = {"error": 1, "failed": 2, "xfailed": 3, "passed": 4, "skipped": 5}
    return order.get(r.outcome, 6)


def _verdict(suite: SuiteResult) -> str:
    summary = suite.summary()
    parts = []
    if summary["must_failed"]:
        parts.append(f"{len(summary['must_failed'])} MUST rule result(s) failed")
    if summary["errors"]:
        parts.append(f"{len(summary['errors'])} could not be judged (error)")
    if suite.strict and summary["should_failed"]:
        parts.append(f"{len(summary['should_failed'])} SHOULD rule result(s) failed (strict)")
    if suite.interrupted:
        parts.append(
            f"interrupted by {suite.interrupted} after {len(suite.results)} of "
            f"{summary['planned']} rule checks"
        )
    return "; ".join(parts) or "All MUST rules pass"


_LEGEND = (
    '<dl class="legend">'
    f"<dt>{_badge('passed')}</dt><dd>the client showed what the rule asks</dd>"
    f"<dt>{_badge('failed')}</dt><dd>it did not (a MUST failure fails the run; a SHOULD "
    "failure only with <code>--strict</code>)</dd>"
    f"<dt>{_badge('error')}</dt><dd>the client could not be judged: it exited, never "
    "answered <code>hello</code>, stopped answering or crashed; fails the run</dd>"
    f"<dt>{_badge('xfailed')}</dt><dd>failed, and listed in the expected failures</dd>"
    f"<dt>{_badge('skipped')}</dt><dd>cannot be judged in this mode</dd>"
    f"<dt>{_badge('not_applicable')}</dt><dd>not applicable: the client declared it does "
    "not serve this profile or credential (<code>NotSupported</code>, or "
    "<code>not_supported</code> from a command), or the rule needs the client on the "
    "mock's clock</dd>"
    "<dt>&middot;</dt><dd>the rule does not exist for this profile (or the profile was not "
    "run)</dd></dl>"
)


def render_html(suite: SuiteResult) -> str:
    template = Template(
        resources.files("conformance").joinpath("templates/report.html").read_text("utf-8")
    )
    summary = suite.summary()
    ranked = sorted(suite.results, key=lambda r: (_rank(r), r.id, r.profile))
    counts = " ".join(
        f'<span class="count">{_badge(o)} {summary[o]}</span>'
        for o in ("passed", "failed", "error", "xfailed", "skipped", "not_applicable")
        if summary[o]
    )
    return template.substitute(
        title=_e(f"UiPath client conformance: {suite.client}"),
        client=_e(suite.client),
        kit_version=_e(suite.kit_version),
        verdict=_e(_verdict(suite)),
        verdict_class="ok" if summary["ok"] else "bad",
        legend=_LEGEND,
        counts=counts,
        matrix=_matrix(suite.results),
        results="".join(_result_section(r) for r in ranked),
    )


def check_report_paths(*reports: tuple[str, str | None]) -> str | None:
    """Why the first of ``(flag, path)`` cannot take its report (one line), or None; a None
    path is a report not asked for. Checked before any rule runs, so that a typo costs a
    second, not a whole run and a traceback."""
    for flag, path in reports:
        problem = _report_path_problem(flag, path) if path else None
        if problem is not None:
            return problem
    return None


def _report_path_problem(flag: str, path: str) -> str | None:
    target = Path(path)
    if target.is_dir():
        return f"{flag} {path}: is a directory"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{flag} {path}: cannot create its folder: {exc.strerror or exc}"
    existed = target.exists()
    try:
        with target.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        return f"{flag} {path}: cannot be written: {exc.strerror or exc}"
    if not existed:
        target.unlink(missing_ok=True)
    return None


def write_reports(
    suite: SuiteResult,
    *,
    json_path: str | None = None,
    html_path: str | None = None,
    junit_path: str | None = None,
) -> list[str]:
    """Write the reports asked for; returns the paths written."""
    written = []
    for path, render in (
        (json_path, to_json),
        (html_path, render_html),
        (junit_path, to_junit_xml),
    ):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(render(suite), encoding="utf-8")
            written.append(path)
    return written


def outcomes(results: Iterable[RuleResult]) -> dict[str, str]:
    """``{"rule-id[profile]": outcome}``: the shape tests and tools compare."""
    return {r.key: r.outcome for r in results}

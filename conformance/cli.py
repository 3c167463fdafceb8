"""``orchestrator-kit check``: run the conformance suite against a client and gate on MUSTs.

Examples::

    orchestrator-kit check                                  # the reference client, all profiles
    orchestrator-kit check --client mypkg.testing:make_client --profile identity
    orchestrator-kit check --client-cmd "node examples/node-client/client.mjs" \\
        --report-html report.html --junit-xml junit.xml
    orchestrator-kit check --rule token-single-flight --rule http-429-retry-after

Exit status: 0 when every MUST rule passed (expected failures excepted), 1 when one failed or
a rule is an ``error`` (a client that could not be judged) -- with ``--strict``, a failed SHOULD
rule too --, 2 for a usage error (an unknown rule or profile, a client that cannot be loaded, a
report path that cannot be written: checked before the first rule runs), 130 on SIGINT and 143
on SIGTERM (the client processes are killed, the reports so far written, marked interrupted).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TextIO

from mock_orchestrator.argtypes import ranged

from ._outcome import RuleResult
from ._plugs import CommandPlug, Plug, PythonPlug
from .catalog import CATALOG, PROFILES
from .report import check_report_paths, write_reports
from .runner import Interrupted, default_jobs, load_expected_failures, plan, run_suite

__all__ = ["DEFAULT_CLIENT", "main"]

DEFAULT_CLIENT = "client_under_test.adapter:make_client"
#: More checks at once than this only adds contention: most of a check is waiting.
MAX_JOBS = 32
_MARKS = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
    "not_applicable": "N/A ",
    "xfailed": "XFAIL",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit check",
        allow_abbrev=False,  # --junit must not silently mean --junit-xml
        description="Run the UiPath client conformance suite against a client.",
        epilog="Rules: " + ", ".join(CATALOG),
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--client",
        metavar="MODULE:FACTORY",
        help=f"a Python factory(env) -> ClientAdapter (default: {DEFAULT_CLIENT})",
    )
    who.add_argument(
        "--client-cmd",
        metavar="CMD",
        help="a client in any language, spoken to in JSON lines over stdin/stdout "
        "against the mock served on loopback (see conformance/PROTOCOL.md)",
    )
    parser.add_argument(
        "--profile",
        action="append",
        metavar="P",
        help=f"limit to a profile ({', '.join(PROFILES)}); repeatable or "
        "comma-separated; default: all three",
    )
    parser.add_argument(
        "--rule",
        action="append",
        metavar="ID",
        help="limit to a rule ID; repeatable or comma-separated",
    )
    parser.add_argument(
        "--expected-failures",
        metavar="FILE",
        help="rule IDs (rule-id or rule-id[profile]) expected to fail: they do "
        "not fail the run, and are reported if they pass",
    )
    parser.add_argument("--report-json", metavar="F", help="write the JSON report to F")
    parser.add_argument("--report-html", metavar="F", help="write the HTML report to F")
    parser.add_argument("--junit-xml", metavar="F", help="write a JUnit XML report to F")
    parser.add_argument(
        "--strict", action="store_true", help="a failed SHOULD rule fails the run too"
    )
    parser.add_argument(
        "--jobs",
        type=ranged(int, 1, MAX_JOBS, f"a number of checks from 1 to {MAX_JOBS}"),
        metavar="N",
        help="checks of a command client judged at once, each on its own worlds and "
        f"processes (default: {default_jobs()} here: two per core, 2 to 4); a Python "
        "factory's checks run one at a time",
    )
    parser.add_argument("--list", action="store_true", help="list the rules and exit")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only failures and the summary"
    )
    return parser


def _split(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _list(out: TextIO) -> None:
    for spec in CATALOG.values():
        out.write(f"{spec.id:34} {spec.level:6} {','.join(spec.profiles):24} {spec.summary}\n")


@contextlib.contextmanager
def _signals_raise(raise_on_signal: bool = True) -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` inside the block (in the main thread);
    with ``raise_on_signal=False`` they are ignored instead (while the reports are written)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum, signal.Signals(signum).name)

    saved = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave them
            saved[sig] = signal.signal(sig, interrupt if raise_on_signal else signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr  # usage errors: one line on stderr, as argparse's (exit 2)
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.list:
        _list(out)
        return 0
    try:
        rules, profiles = _split(args.rule), _split(args.profile)
        todo = plan(rules, profiles)
        expected = (
            load_expected_failures(args.expected_failures)
            if args.expected_failures
            else frozenset()
        )
        plug: Plug = (
            CommandPlug(args.client_cmd)
            if args.client_cmd
            else PythonPlug.from_spec(args.client or DEFAULT_CLIENT)
        )
        problem = check_report_paths(
            ("--report-json", args.report_json),
            ("--report-html", args.report_html),
            ("--junit-xml", args.junit_xml),
        )
        if problem:
            raise ValueError(problem)
    except (KeyError, ValueError, ImportError, AttributeError, TypeError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        err.write(f"orchestrator-kit check: error: {message}\n")
        return 2
    out.write(
        f"uipath conformance: {plug.label} -- {len(todo)} rule checks on "
        f"{', '.join(profiles or PROFILES)}\n"
    )

    def progress(result: RuleResult, index: int, total: int) -> None:
        if args.quiet and result.outcome not in ("failed", "error"):
            return
        mark = _MARKS[result.outcome]
        if result.unexpected_pass:
            mark = "XPASS"
        line = (
            f"[{index:>2}/{total}] {mark:5} {result.level:6} {result.key:48} "
            f"{result.duration:6.2f}s"
        )
        if result.outcome != "passed" or result.unexpected_pass:
            line += f"\n         {result.message}"
        out.write(line + "\n")
        out.flush()

    with _signals_raise():
        suite = run_suite(
            plug,
            rules=rules,
            profiles=profiles,
            expected=expected,
            progress=progress,
            strict=args.strict,
            jobs=args.jobs,
        )
    with _signals_raise(False):
        written = write_reports(
            suite,
            json_path=args.report_json,
            html_path=args.report_html,
            junit_path=args.junit_xml,
        )
    if suite.interrupted:
        out.write(
            f"\norchestrator-kit check: interrupted by {suite.interrupted} after "
            f"{len(suite.results)} of {len(todo)} rule checks; the clients were stopped"
            + (f"; reports written: {', '.join(written)}" if written else "")
            + "\n"
        )
        return suite.exit_code
    for path in written:
        out.write(f"report written: {path}\n")
    summary = suite.summary()
    counts = ", ".join(
        f"{summary[o]} {o.replace('_', ' ')}"
        for o in ("passed", "failed", "error", "xfailed", "skipped", "not_applicable")
        if summary[o]
    )
    out.write(f"\n{counts} in {summary['wall_seconds']:.2f}s\n")
    for key in summary["unexpected_passes"]:
        out.write(f"XPASS {key}: listed as an expected failure, but it passed\n")
    if summary["errors"]:
        out.write(
            "ERROR: the client could not be judged on: " + ", ".join(summary["errors"]) + "\n"
        )
    if summary["must_failed"]:
        out.write("FAILED: MUST rules not met: " + ", ".join(summary["must_failed"]) + "\n")
    if args.strict and summary["should_failed"]:
        out.write(
            "FAILED (--strict): SHOULD rules not met: " + ", ".join(summary["should_failed"]) + "\n"
        )
    if not suite.gating:
        out.write("OK: every MUST rule passed\n")
    return suite.exit_code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

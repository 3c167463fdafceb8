"""``orchestrator-kit soak``: run a job starter as a scheduler would, for 30 simulated days.

Examples::

    orchestrator-kit soak --exec "python examples/cron/start_job.py"
    orchestrator-kit soak --exec "bash examples/cron/start_job.sh" --profile legacy \\
        --every 1h --runs 720 --report-html soak.html
    orchestrator-kit soak --exec "./nightly-trigger" --chaos 7 --junit-xml soak.xml

Exit status: 0 when every MUST rule held, 1 when one did not, 2 for a usage error (one line on
stderr: a bad option, a world file that does not load, a credential the profile does not have).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from mock_orchestrator.argtypes import ranged

from ..catalog import PROFILES
from ..report import check_report_paths, write_reports
from .judge import RunRecord
from .runner import CREDENTIALS, SoakConfig, UnusableConfig, run_soak

__all__ = ["main", "parse_every"]

MAX_RUNS = 10_000
MAX_EVERY = 366 * 86400
MAX_TIMEOUT = 86400
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}
_EVERY = re.compile(r"(\d+(?:\.\d+)?)([dhms]?)")


def parse_every(text: str) -> float:
    """``24h``, ``1h``, ``30m``, ``90s``, ``1d`` or plain seconds -> seconds (1 s to a year)."""
    match = _EVERY.fullmatch(text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration like 24h, 1h, 30m or 3600: {text!r}")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not 1 <= seconds <= MAX_EVERY:
        raise argparse.ArgumentTypeError(f"must be from 1 second to 366 days: {text!r}")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestrator-kit soak",
        description="Run a program that starts Orchestrator jobs as a scheduler would (a fresh "
        "process per run, the same configuration every time) against a served mock world whose "
        "clock moves between runs, and judge whether it keeps working with no human.",
        allow_abbrev=False,  # the kit's style: an abbreviation breaks when an option is added
    )
    # Required, but checked after parsing, so that an unknown option is the error reported.
    parser.add_argument("--exec", metavar="CMD", help="the command, run by the shell (required)")
    parser.add_argument("--profile", choices=PROFILES, help="auth generation (identity)")
    parser.add_argument(
        "--credential",
        choices=CREDENTIALS,
        help="what the program is configured with (identity: refresh_token, legacy: user_key, "
        "onprem: password)",
    )
    parser.add_argument(
        "--runs",
        type=ranged(int, 1, MAX_RUNS, f"a number of runs from 1 to {MAX_RUNS}"),
        default=30,
        help="how many runs (30)",
    )
    parser.add_argument(
        "--every",
        type=parse_every,
        default=86400.0,
        help="time between runs: 24h, 1h, 30m, SECONDS",
    )
    parser.add_argument("--world", metavar="FILE", help="a world document (JSON or YAML)")
    parser.add_argument(
        "--timeout",
        type=ranged(float, 1, MAX_TIMEOUT, f"seconds from 1 to {MAX_TIMEOUT}"),
        default=120.0,
        help="real seconds one run may take before it is killed (120)",
    )
    parser.add_argument(
        "--chaos",
        type=ranged(int, 0, 2**63 - 1, "an integer from 0 to 2^63-1"),
        metavar="SEED",
        help="seeded faults on some runs: 5xx, 429 with Retry-After, a lost answer, a stall",
    )
    parser.add_argument("--process", help="the process to start (the world's default)")
    parser.add_argument("--folder", help="its folder (the world's default, Shared)")
    parser.add_argument("--report-json", metavar="F", help="write the JSON report to F")
    parser.add_argument("--report-html", metavar="F", help="write the HTML report to F")
    parser.add_argument("--junit-xml", metavar="F", help="write a JUnit XML report to F")
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not args.exec:
        parser.error("the following arguments are required: --exec")
    problem = check_report_paths(
        ("--report-json", args.report_json),
        ("--report-html", args.report_html),
        ("--junit-xml", args.junit_xml),
    )
    if problem:  # before the first run, as check does: not a traceback after the last one
        parser.error(problem)
    config = SoakConfig(
        command=args.exec,
        profile=args.profile,
        credential=args.credential,
        runs=args.runs,
        every=args.every,
        world_file=args.world,
        timeout=args.timeout,
        chaos_seed=args.chaos,
        process=args.process,
        folder=args.folder,
    )
    on_terminal = out.isatty()

    def progress(run: RunRecord, total: int) -> None:
        if on_terminal or run.findings:
            mark = "ok  " if run.ok else "FAIL"
            out.write(
                f"[{run.number:>{len(str(total))}}/{total}] {mark} {run.headline(config.every)}\n"
            )
            for rule_id, findings in run.findings.items():
                out.write(f"       {rule_id}: {findings[0]}\n")
            out.flush()

    try:
        result = run_soak(config, progress)
    except (UnusableConfig, ValueError, OSError) as exc:  # WorldError is a ValueError
        err.write(f"orchestrator-kit soak: error: {exc}\n")
        return 2
    for path in write_reports(
        result, json_path=args.report_json, html_path=args.report_html, junit_path=args.junit_xml
    ):
        out.write(f"report written: {path}\n")
    out.write(
        f"\nsoak of {len(result.runs)} runs ({result.profile}, {result.credential}), "
        f"the soak's own cost {result.overhead_per_run * 1000:.1f} ms per run\n"
    )
    for rule in result.results:
        mark = "PASS" if rule.outcome == "passed" else "FAIL"
        out.write(f"{mark} {rule.level:6} {rule.id:32} {rule.message}\n")
    if result.gating:
        out.write("FAILED: MUST rules not met: " + ", ".join(r.id for r in result.gating) + "\n")
    else:
        out.write("OK: every MUST rule held\n")
    return result.exit_code

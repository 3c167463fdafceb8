"""Running rules: one rule on one profile, or a whole suite, with expected failures applied.

Example::

    from conformance.runner import run_suite
    from conformance._plugs import PythonPlug

    suite = run_suite(PythonPlug.from_spec("client_under_test.adapter:make_client"))
    suite.exit_code  # 0 unless a MUST rule failed or a rule is an error

A command client that stops (exits, never answers ``hello``, goes mute) makes its rule an
``error`` and every rule still to run one too, at once: a broken client is judged in seconds,
and never collects a pass. ``run_suite`` returns what it has when interrupted (SIGINT/SIGTERM
raise :class:`Interrupted` from the CLI's handlers), with every client process group killed.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from mock_orchestrator import SystemClock

from ._outcome import (
    OUTCOMES,
    ClientStopped,
    NotApplicable,
    RuleFailed,
    RuleResult,
    Skipped,
    Verdict,
)
from ._plugs import Plug
from ._world import RuleRun
from .catalog import CATALOG, PROFILES, RuleSpec, get_rule
from .rules import RULES

__all__ = [
    "Interrupted",
    "SuiteResult",
    "default_jobs",
    "kit_version",
    "load_expected_failures",
    "plan",
    "run_rule",
    "run_suite",
]

_wall = SystemClock()  # durations for the report only; nothing is judged on the wall clock


class Interrupted(BaseException):
    """The run was told to stop (SIGINT, SIGTERM): a BaseException, so no rule swallows it."""

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(name)
        self.signum = signum
        self.name = name


def kit_version() -> str:
    try:
        return metadata.version("uipath-orchestrator-kit")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def load_expected_failures(path: str | Path) -> frozenset[str]:
    """Read an expected-failures file: IDs (``rule-id`` or ``rule-id[profile]``).

    Either a text file, one entry a line (``#`` starts a comment), or JSON: a list of entries,
    or of objects ``{"id": ..., "profile": ...}`` (the OIDF runner's shape). Unknown IDs are an
    error, so that a typo cannot silently excuse nothing.
    """
    text = Path(path).read_text(encoding="utf-8")
    entries: list[str] = []
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        data = json.loads(text)
        items = data.get("expected_failures", []) if isinstance(data, dict) else data
        for item in items:
            if isinstance(item, dict):
                profile = item.get("profile")
                entries.append(f"{item['id']}[{profile}]" if profile else str(item["id"]))
            else:
                entries.append(str(item))
    else:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                entries.append(line)
    for entry in entries:
        rule_id, _, rest = entry.partition("[")
        get_rule(rule_id)  # raises with the list of known IDs
        profile = rest.rstrip("]")
        if rest and profile not in PROFILES:
            raise ValueError(f"{path}: unknown profile in {entry!r}")
    return frozenset(entries)


def plan(
    rules: Iterable[str] | None = None, profiles: Iterable[str] | None = None
) -> list[tuple[RuleSpec, str]]:
    """The (rule, profile) pairs to run: catalog order, only profiles a rule applies to."""
    wanted_profiles = list(profiles or PROFILES)
    for profile in wanted_profiles:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; one of {', '.join(PROFILES)}")
    specs = [get_rule(r) for r in rules] if rules else list(CATALOG.values())
    return [(spec, p) for spec in specs for p in wanted_profiles if p in spec.profiles]


def run_rule(spec: RuleSpec, profile: str, plug: Plug) -> RuleResult:
    """Judge one rule on one profile with a client plugged in as ``plug``."""
    return _judge(spec, profile, plug)[0]


def _judge(spec: RuleSpec, profile: str, plug: Plug) -> tuple[RuleResult, str | None]:
    """The result, and why the command client stopped if it stopped in this rule (then every
    rule after this one is not run: a client that stopped has nothing more to show)."""
    begun = _wall.time()
    if plug.stopped is not None and profile in spec.profiles:
        verdict = Verdict("error", f"not run: {plug.stopped}")
        return RuleResult.from_verdict(spec, profile, verdict, 0.0), None
    run = RuleRun(spec, profile, plug)
    highlight: list[Any] = []
    stopped: str | None = None
    try:
        try:
            if profile not in spec.profiles:
                raise NotApplicable(f"{spec.id} does not apply to the {profile} profile")
            verdict = Verdict("passed", RULES[spec.id](run))
        except ClientStopped as stop:
            message = run.scrub(stop.message)
            verdict = Verdict("error", message)
            if not plug.in_process:  # the process is gone or wedged: nothing more to judge
                stopped = f"the client stopped in {spec.id}[{profile}]: {message}"
                if plug.stopped is None:
                    plug.stopped = stopped
        except RuleFailed as failed:
            verdict = Verdict("failed", run.scrub(failed.message))
            highlight = failed.highlight
        except NotApplicable as why:
            verdict = Verdict("not_applicable", str(why))
        except Skipped as why:
            verdict = Verdict("skipped", str(why))
        except Exception as exc:  # a bug of the suite: loud, never a pass
            detail = run.scrub("".join(traceback.format_exception_only(type(exc), exc)).strip())
            verdict = Verdict("failed", f"the suite itself failed while judging: {detail}")
        internal = run.internal_errors()
        if internal:
            verdict = Verdict(
                "failed",
                "uipath-mock: the mock hit an internal error (a bug of "
                "the kit, not of the client): " + internal[0].splitlines()[-1],
            )
        verdict.evidence = run.evidence(highlight, full=verdict.outcome in ("failed", "error"))
    except BaseException:  # interrupted: end the clients at once, not after their close
        plug.abort()
        raise
    finally:
        run.close()
    return RuleResult.from_verdict(spec, profile, verdict, _wall.time() - begun), stopped


def default_jobs() -> int:
    """How many checks of a command client are judged at once: two per core, between 2 and 4
    (a check mostly waits, on the client and on real time). A factory's checks always run one
    at a time: they share this process's loggers, streams and file descriptors."""
    return max(2, min(4, 2 * (os.cpu_count() or 1)))


def _results(todo: Sequence[tuple[RuleSpec, str]], plug: Plug, jobs: int) -> Iterator[RuleResult]:
    """The result of each planned check, in plan order, up to ``jobs`` of them judged at once.

    Each check builds its own worlds, servers and client processes, so checks are independent
    and only reporting is ordered. The outcome is the one a run of one check at a time gives:

    - The first check runs alone, so a client that cannot even start is started once, and a
      hung one costs one ``hello`` timeout, as in a run one check at a time.
    - Checks start in plan order; once the client stops in a check, every later check is an
      ``error`` ("not run"), whatever a check already under way meanwhile saw.
    """
    if not todo:
        return
    first, stopped = _judge(*todo[0], plug)
    yield first
    if jobs <= 1 or plug.in_process or stopped is not None:
        for spec, profile in todo[1:]:
            yield _judge(spec, profile, plug)[0]
        return
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="conformance-check")
    try:
        rest = todo[1:]
        futures = [pool.submit(_judge, spec, profile, plug) for spec, profile in rest]
        first_stop: str | None = None
        for (spec, profile), future in zip(rest, futures, strict=True):
            result, stopped = future.result()
            if first_stop is not None:
                verdict = Verdict("error", f"not run: {first_stop}")
                result = RuleResult.from_verdict(spec, profile, verdict, 0.0)
            elif stopped is not None:
                first_stop = stopped
            yield result
        if first_stop is not None:  # the earliest stop in plan order, as one at a time
            plug.stopped = first_stop
    finally:
        # Interrupted: checks not begun never begin; those under way end with their clients,
        # which the caller kills (Plug.abort).
        pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class SuiteResult:
    """Every result of one run, in run order."""

    client: str
    results: list[RuleResult] = field(default_factory=list)
    kit_version: str = field(default_factory=kit_version)
    #: The signal that stopped the run early ("SIGINT", "SIGTERM"), if one did.
    interrupted: str | None = None
    #: Planned rule checks (more than ``results`` when interrupted).
    planned: int = 0
    #: ``--strict``: a failed SHOULD rule fails the run too.
    strict: bool = False
    #: Wall seconds the whole run took (less than the rules' summed durations when a command
    #: client's checks run at once).
    wall_seconds: float = 0.0

    @property
    def gating(self) -> list[RuleResult]:
        """The results that fail the run (with ``strict``, failed SHOULD rules too)."""
        return [r for r in self.results if r.gating or (self.strict and r.should_failed)]

    @property
    def unexpected_passes(self) -> list[RuleResult]:
        return [r for r in self.results if r.unexpected_pass]

    @property
    def exit_code(self) -> int:
        """1 when a result fails the run; 128 + the signal's number when interrupted."""
        if self.interrupted is not None:
            return 143 if self.interrupted == "SIGTERM" else 130
        return 1 if self.gating else 0

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {outcome: 0 for outcome in OUTCOMES}
        for result in self.results:
            counts[result.outcome] += 1
        return {
            "total": len(self.results),
            **counts,
            "must_failed": [r.key for r in self.results if r.outcome == "failed" and r.gating],
            "should_failed": [r.key for r in self.results if r.should_failed],
            "errors": [r.key for r in self.results if r.outcome == "error"],
            "unexpected_passes": [r.key for r in self.unexpected_passes],
            "ok": not self.gating and self.interrupted is None,
            "strict": self.strict,
            "interrupted": self.interrupted,
            "planned": self.planned or len(self.results),
            "seconds": round(sum(r.duration for r in self.results), 3),
            "wall_seconds": round(self.wall_seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "kit_version": self.kit_version,
            "client": self.client,
            "rules": [r.to_dict() for r in self.results],
            "summary": self.summary(),
        }


def apply_expected(result: RuleResult, expected: frozenset[str]) -> RuleResult:
    """Mark a result listed in the expected failures: a failure becomes ``xfailed``."""
    if result.id not in expected and result.key not in expected:
        return result
    result.expected_failure = True
    if result.outcome == "failed":
        result.outcome = "xfailed"
        result.message = f"expected failure: {result.message}"
    elif result.outcome == "passed":
        result.message = f"passed, though listed as an expected failure: {result.message}"
    return result


def run_suite(
    plug: Plug,
    *,
    rules: Sequence[str] | None = None,
    profiles: Sequence[str] | None = None,
    expected: frozenset[str] = frozenset(),
    progress: Callable[[RuleResult, int, int], None] | None = None,
    strict: bool = False,
    jobs: int | None = None,
) -> SuiteResult:
    """Run the planned rules; ``progress`` is told of each result, in plan order.

    A command client has ``jobs`` checks judged at once (default :func:`default_jobs`), each on
    its own worlds and client processes; a factory runs one check at a time. On
    :class:`Interrupted` (or a bare ``KeyboardInterrupt``) every client is killed and the
    results so far are returned, marked ``interrupted``.
    """
    todo = plan(rules, profiles)
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    suite = SuiteResult(client=plug.label, planned=len(todo), strict=strict)
    begun = _wall.time()
    try:
        for index, judged in enumerate(_results(todo, plug, jobs or default_jobs()), 1):
            result = apply_expected(judged, expected)
            suite.results.append(result)
            if progress is not None:
                progress(result, index, len(todo))
    except (Interrupted, KeyboardInterrupt) as stop:
        plug.abort()
        suite.interrupted = stop.name if isinstance(stop, Interrupted) else "SIGINT"
    suite.wall_seconds = _wall.time() - begun
    return suite

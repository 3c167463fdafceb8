"""``orchestrator-kit soak``: the examples pass 30 days, the broken one fails on day two, and
every soak rule fails the program that breaks it."""

from __future__ import annotations

import io
import itertools
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.soak import SoakConfig, run_soak
from conformance.soak.chaos import CHAOS_KINDS, ChaosPlan
from conformance.soak.cli import main as soak_main
from conformance.soak.cli import parse_every
from conformance.soak.specs import CONFORMANCE_RULES, SOAK_SPECS

ROOT = Path(__file__).resolve().parents[3]
PYTHON = shlex.quote(sys.executable)
STARTER = f"{PYTHON} {shlex.quote(str(ROOT / 'examples/cron/start_job.py'))}"
BROKEN = f"{PYTHON} {shlex.quote(str(ROOT / 'examples/cron/broken_start_job.py'))}"
BASH = f"bash {shlex.quote(str(ROOT / 'examples/cron/start_job.sh'))}"
MISBEHAVING = f"{PYTHON} {shlex.quote(str(Path(__file__).with_name('misbehaving_starter.py')))}"

#: Every (profile, credential) the examples serve.
SUPPORTED = [
    ("identity", "refresh_token"),
    ("identity", "client_credentials"),
    ("legacy", "user_key"),
    ("onprem", "password"),
    ("onprem", "client_credentials"),
]


def _outcomes(result: Any) -> dict[str, str]:
    return {r.id: r.outcome for r in result.results}


@pytest.mark.parametrize(("profile", "credential"), SUPPORTED)
@pytest.mark.parametrize("command", [STARTER, BASH], ids=["python", "bash"])
def test_the_correct_starters_pass_a_30_day_daily_soak(
    command: str, profile: str, credential: str
) -> None:
    result = run_soak(SoakConfig(command, profile=profile, credential=credential, runs=30))
    assert result.exit_code == 0, [r.message for r in result.gating]
    assert len(result.runs) == 30
    assert all(run.ok and run.jobs_started == 1 for run in result.runs)
    assert set(_outcomes(result).values()) == {"passed"}
    # the clock really moved a day between runs
    assert result.runs[-1].at - result.runs[0].at >= 29 * 86400


def test_the_broken_starter_fails_on_day_two_and_the_report_names_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "soak.json"
    html = tmp_path / "soak.html"
    code = soak_main(
        ["--exec", BROKEN, "--runs", "5", "--report-json", str(report), "--report-html", str(html)]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "FAILED: MUST rules not met:" in out
    assert "token-rotation-followed" in out
    data = json.loads(report.read_text("utf-8"))
    rotation = next(r for r in data["rules"] if r["id"] == "token-rotation-followed")
    assert rotation["outcome"] == "failed"
    assert rotation["message"].startswith("run 2 presented the configured refresh token")
    assert "which run 1 had already consumed" in rotation["message"]
    runs = data["soak"]["run_results"]
    assert runs[0]["exit_code"] == 0
    assert runs[1]["exit_code"] != 0
    assert "token-rotation-followed" in runs[1]["findings"]
    # the report shows the run: its headline, the refused refresh, and what the program said
    texts = [e.get("text", "") for e in rotation["evidence"]]
    assert any(t.startswith("run 2 · day 2 · exit 1") for t in texts)
    assert any("invalid_grant" in t for t in texts)
    refused = [e for e in rotation["evidence"] if e.get("kind") == "exchange"]
    assert refused[0]["status"] == 400
    assert refused[0]["presented"] == "the configured refresh token"
    page = html.read_text("utf-8")
    assert "token-rotation-followed" in page
    assert "run 2 · day 2" in page
    # no secret of the world in any report
    assert "refresh_token=" not in page


def test_an_hourly_soak_judges_every_run() -> None:
    result = run_soak(SoakConfig(STARTER, runs=26, every=3600))
    assert result.exit_code == 0
    assert result.runs[-1].at - result.runs[0].at >= 25 * 3600
    evidence = next(r for r in result.results if r.id == "soak-run-succeeds").evidence
    headlines = [e["text"] for e in evidence if e.get("kind") == "world"]
    assert len(headlines) == 26  # every run appears, in full or as one line


#: (misbehaving_starter mode, runs, SoakConfig options, the rule it breaks, the message)
BREAKERS: list[tuple[str, int, dict[str, Any], str, str]] = [
    ("no-job", 2, {}, "soak-one-job-per-run", "run 1 exited 0 but started 0 jobs"),
    ("two-jobs", 1, {}, "jobs-start-not-duplicated", "run 1 started 2 jobs"),
    (
        "prints-token",
        1,
        {},
        "token-secrets-not-logged",
        "run 1's output showed an access token",
    ),
    ("caches-token", 2, {}, "soak-no-expired-token-failure", "run 2 exited 1 after a 401"),
    ("no-folder", 1, {}, "folder-context-sent", "without a folder header"),
    (
        "password-on-cloud",
        2,
        {"credential": "password"},
        "soak-no-human-step",
        "run 2 needed a human step",
    ),
    (
        "password-on-cloud",
        1,
        {"credential": "password"},
        "login-no-password-on-cloud",
        "sent a password",
    ),
    ("hangs", 1, {"timeout": 1.0}, "soak-run-succeeds", "run 1 timed out"),
    ("display-name", 1, {}, "tenant-logical-name", "as AcmeDefault, not AcmeDefaultq3v91"),
    ("id-token", 1, {"profile": "legacy"}, "token-access-not-id", "run 1 sent the id_token"),
    (
        "wrong-user-key",
        1,
        {"profile": "legacy"},
        "token-rotation-absent-keeps-old",
        "run 1 presented a token the world never issued instead of the User Key",
    ),
]


@pytest.mark.parametrize(("mode", "runs", "extra", "rule", "words"), BREAKERS)
def test_each_rule_fails_the_program_that_breaks_it(
    mode: str, runs: int, extra: dict[str, Any], rule: str, words: str
) -> None:
    result = run_soak(SoakConfig(f"{MISBEHAVING} {mode}", runs=runs, **extra))
    outcomes = _outcomes(result)
    assert outcomes[rule] == "failed", outcomes
    failed = next(r for r in result.results if r.id == rule)
    assert words in failed.message
    assert result.exit_code == 1
    assert any(e.get("kind") == "world" for e in failed.evidence)


def test_every_rule_the_soak_judges_fails_some_program_in_these_tests() -> None:
    elsewhere = {  # the broken example, the blind retry, the 429 test below
        "token-rotation-followed",
        "jobs-start-not-duplicated",
        "http-429-retry-after",
    }
    covered = {rule for _, _, _, rule, _ in BREAKERS} | elsewhere
    assert covered == set(SOAK_SPECS) | set(CONFORMANCE_RULES)


def test_chaos_plans_are_seeded_and_never_hit_two_runs_in_a_row() -> None:
    plan = ChaosPlan.make(11, 30)
    assert plan == ChaosPlan.make(11, 30)
    assert plan != ChaosPlan.make(12, 30)
    runs = sorted(plan.faults)
    assert 1 not in runs
    assert 30 not in runs
    assert all(b - a > 1 for a, b in itertools.pairwise(runs))


def _seed_with_every_kind() -> int:
    return next(
        s for s in range(1000) if set(ChaosPlan.make(s, 24).faults.values()) == set(CHAOS_KINDS)
    )


def test_the_correct_starter_recovers_from_chaos_and_never_starts_a_job_twice() -> None:
    seed = _seed_with_every_kind()
    result = run_soak(SoakConfig(STARTER, runs=24, chaos_seed=seed, every=3600, timeout=30))
    assert result.exit_code == 0, [r.message for r in result.gating]
    chaos_runs = [r for r in result.runs if r.chaos]
    assert {r.chaos.split()[0] for r in chaos_runs if r.chaos} >= {"503", "429", "StartJobs", "the"}
    assert all(r.jobs_started <= 1 for r in result.runs)
    assert "http-429-retry-after" in _outcomes(result)
    lost = next(r for r in chaos_runs if r.chaos and "lost" in r.chaos)
    assert lost.ok  # looked up by Reference, not resent
    assert lost.jobs_started == 1
    routes = [e["route"] for e in lost.entries]
    assert routes.count("orchestrator.start_jobs") == 1
    assert "orchestrator.list_jobs" in routes  # the answer really was lost: it looked


def test_a_blind_retry_after_a_lost_answer_is_a_duplicate() -> None:
    seed = next(s for s in range(1000) if "drop" in ChaosPlan.make(s, 6).faults.values())
    blind = f"{MISBEHAVING} blind-retry"
    assert run_soak(SoakConfig(blind, runs=6)).exit_code == 0  # fine while answers arrive
    result = run_soak(SoakConfig(blind, runs=6, chaos_seed=seed))
    assert _outcomes(result)["jobs-start-not-duplicated"] == "failed"
    failed = next(r for r in result.results if r.id == "jobs-start-not-duplicated")
    lost_run = next(n for n, kind in ChaosPlan.make(seed, 6).faults.items() if kind == "drop")
    assert failed.message.startswith(f"run {lost_run} started 2 jobs")


def test_a_retry_before_retry_after_fails_under_chaos() -> None:
    seed = next(s for s in range(1000) if "429" in ChaosPlan.make(s, 6).faults.values())
    result = run_soak(SoakConfig(f"{MISBEHAVING} ignores-retry-after", runs=6, chaos_seed=seed))
    failed = next(r for r in result.results if r.id == "http-429-retry-after")
    assert failed.outcome == "failed"
    assert "that said Retry-After: 1" in failed.message


@pytest.mark.parametrize(
    ("text", "seconds"), [("24h", 86400), ("1h", 3600), ("30m", 1800), ("90", 90), ("2d", 172800)]
)
def test_every_takes_hours_minutes_or_seconds(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--runs", "0"], "--runs: 0 is out of range: a number of runs from 1 to 10000"),
        (["--runs", "x"], "--runs: 'x' is not a number of runs"),
        (["--runs", "9" * 400], "is out of range: a number of runs"),
        (["--timeout", "1e999"], "--timeout: 1e999 is out of range"),
        (["--every", "soon"], "not a duration"),
        (["--every", "0s"], "from 1 second"),
        (["--timeout", "-1"], "--timeout: -1 is out of range: seconds from 1"),
        (["--profile", "mars"], "invalid choice"),
        (["--credential", "cookie"], "invalid choice"),
    ],
)
def test_bad_options_are_usage_errors(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        soak_main(["--exec", "true", *args])
    assert exc.value.code == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--report-json", "--report-html", "--junit-xml"])
def test_a_report_path_that_cannot_be_written_stops_the_soak_before_its_first_run(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = tmp_path / "ran"
    with pytest.raises(SystemExit) as exc:
        soak_main(["--exec", f"touch {ran}", "--runs", "1", flag, str(tmp_path)])
    assert exc.value.code == 2
    assert f"{flag} {tmp_path}: is a directory" in capsys.readouterr().err
    assert not ran.exists()


def test_a_credential_the_profile_lacks_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        soak_main(["--exec", "true", "--profile", "legacy", "--credential", "refresh_token"]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("orchestrator-kit soak: error: the legacy profile has no refresh_token")
    assert err.count("\n") == 1


def test_soak_loads_a_world_file(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text(
        "profile: onprem\n"
        "folders: [{path: Comptabilité}]\n"
        "releases: [{name: Clôture, folder: Comptabilité}]\n",
        "utf-8",
    )
    result = run_soak(
        SoakConfig(STARTER, world_file=str(world), runs=2, process="Clôture", folder="Comptabilité")
    )
    assert result.profile == "onprem"
    assert result.exit_code == 0, [r.message for r in result.gating]


def test_a_bad_world_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = tmp_path / "world.yaml"
    world.write_text("settings: {grace_window: -5}\n", "utf-8")
    assert soak_main(["--exec", "true", "--world", str(world)]) == 2
    assert "'settings.grace_window' must be" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_line_per_run_and_ci_gets_junit(tmp_path: Path) -> None:
    out = _Terminal()
    junit = tmp_path / "soak.xml"
    assert soak_main(["--exec", STARTER, "--runs", "3", "--junit-xml", str(junit)], out=out) == 0
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines if line.startswith("[")] == [
        "[1/3]",
        "[2/3]",
        "[3/3]",
    ]
    assert "run 2 · day 2 · exit 0" in out.getvalue()
    assert lines[-1] == "OK: every MUST rule held"
    xml = junit.read_text("utf-8")
    assert 'name="soak-run-succeeds[identity]"' in xml
    assert 'failures="0"' in xml


def test_a_pipe_gets_only_the_failing_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert soak_main(["--exec", BROKEN, "--runs", "3"]) == 1
    out = capsys.readouterr().out
    assert "[1/3]" not in out
    assert "[2/3] FAIL run 2 · day 2" in out


def test_exec_is_required_but_an_unknown_option_is_reported_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        soak_main([])
    assert "required: --exec" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        soak_main(["--no-such-option"])
    assert "--no-such-option" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        soak_main(["--exe", "true"])  # never abbreviated
    assert "--exe" in capsys.readouterr().err


def test_a_leaking_program_leaves_no_secret_in_the_reports(tmp_path: Path) -> None:
    report, html = tmp_path / "soak.json", tmp_path / "soak.html"
    command = f"{MISBEHAVING} prints-token"
    argv = ["--exec", command, "--runs", "2", "--report-json", str(report)]
    assert soak_main([*argv, "--report-html", str(html)]) == 1
    data = json.loads(report.read_text("utf-8"))
    leaked = next(r for r in data["rules"] if r["id"] == "token-secrets-not-logged")
    shown = [e["text"] for e in leaked["evidence"] if e.get("kind") == "output"]
    assert any("debug: using token ***(" in text for text in shown)  # the line, token masked
    for text in (report.read_text("utf-8"), html.read_text("utf-8")):
        assert "eyJ" not in text  # no JWT (access token) anywhere

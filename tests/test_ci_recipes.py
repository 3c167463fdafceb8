"""docs/ci.md: every recipe is valid YAML, every ``orchestrator-kit`` and ``tox`` command in it is
one the kit accepts (through the kit's own argument parsers), and each conformance job publishes
the JUnit XML it writes and keeps the HTML report it writes."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.catalog import CATALOG, PROFILES
from orchestrator_kit.cli import main as kit_main

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
RECIPES = [yaml.safe_load(text) for text in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]
GITHUB = [r for r in RECIPES if "jobs" in r]
GITLAB = [r for r in RECIPES if "jobs" not in r]


def github_jobs() -> list[dict[str, Any]]:
    return [job for recipe in GITHUB for job in recipe["jobs"].values()]


def gitlab_jobs() -> list[dict[str, Any]]:
    return [
        job
        for recipe in GITLAB
        for name, job in recipe.items()
        if isinstance(job, dict) and ("script" in job or "extends" in job)
    ]


def commands(job: dict[str, Any]) -> list[str]:
    if "steps" in job:
        return [step["run"] for step in job["steps"] if "run" in step]
    return list(job.get("script", []))


def all_commands() -> list[str]:
    return [c for job in github_jobs() + gitlab_jobs() for c in commands(job)]


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def check_argv(job: dict[str, Any]) -> list[str]:
    found = [shlex.split(c) for c in commands(job) if c.startswith("orchestrator-kit check")]
    assert len(found) == 1, commands(job)
    return found[0]


def test_the_doc_has_the_recipes_the_issue_asks_for() -> None:
    assert len(GITHUB) == 2
    assert len(GITLAB) == 2
    for jobs in (github_jobs(), gitlab_jobs()):
        checks = [
            check_argv(job) for job in jobs if any("orchestrator-kit" in c for c in commands(job))
        ]
        assert any("--client" in argv for argv in checks), "a Python factory job"
        assert any("--client-cmd" in argv for argv in checks), "a command client job"


KIT_COMMANDS = [c for c in all_commands() if c.startswith("orchestrator-kit")]


@pytest.mark.parametrize("command", KIT_COMMANDS)
def test_every_kit_command_is_accepted_by_the_kit(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = shlex.split(command)
    assert argv[0] == "orchestrator-kit"
    # --list: the real parser accepts every option, then lists the catalog instead of running.
    assert kit_main([*argv[1:], "--list"]) == 0
    assert "token-single-flight" in capsys.readouterr().out
    for flag, known in (("--profile", PROFILES), ("--rule", CATALOG)):
        values = [argv[i + 1] for i, a in enumerate(argv) if a == flag]
        assert all(v in known for value in values for v in value.split(",")), values


def test_a_wrong_option_would_be_noticed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        kit_main(["check", "--junit-report", "conformance.xml", "--list"])
    assert exc.value.code == 2


TOX_COMMANDS = [c for c in all_commands() if c.startswith("tox")]


@pytest.mark.parametrize("command", TOX_COMMANDS)
def test_every_tox_command_names_a_real_env(command: str) -> None:
    tox = configparser.ConfigParser()
    tox.read(REPO / "tox.ini")
    argv = shlex.split(command)
    assert argv[:2] == ["tox", "-e"]
    assert tox.has_section(f"testenv:{argv[2]}"), argv


def test_github_jobs_publish_the_junit_and_keep_the_html() -> None:
    for job in github_jobs():
        if not any(c.startswith("orchestrator-kit check") for c in commands(job)):
            continue
        argv = check_argv(job)
        uses = {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}
        junit = uses["mikepenz/action-junit-report"]
        artifact = uses["actions/upload-artifact"]
        assert junit["with"]["report_paths"] == option(argv, "--junit-xml")
        assert artifact["with"]["path"] == option(argv, "--report-html")
        assert junit["if"] == artifact["if"] == "always()", "reports matter most when it fails"
        assert job["permissions"]["checks"] == "write"


def test_gitlab_jobs_publish_the_junit_and_keep_the_html() -> None:
    checked = 0
    for job in gitlab_jobs():
        if not any(c.startswith("orchestrator-kit check") for c in commands(job)):
            continue
        argv = check_argv(job)
        artifacts = job["artifacts"]
        assert artifacts["reports"]["junit"] == option(argv, "--junit-xml")
        assert option(argv, "--report-html") in artifacts["paths"]
        assert artifacts["when"] == "always"
        checked += 1
    assert checked == 2


def test_the_kit_tests_run_on_linux_macos_and_windows() -> None:
    matrix_jobs = [job for job in github_jobs() if "strategy" in job]
    assert len(matrix_jobs) == 1
    job = matrix_jobs[0]
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert job["runs-on"] == "${{ matrix.os }}"
    assert "tox -e tests" in commands(job)
    gitlab = {name for recipe in GITLAB for name in recipe if name.startswith("kit-tests-")}
    assert gitlab == {"kit-tests-linux", "kit-tests-macos", "kit-tests-windows"}

"""Every cassette file: safe YAML, provenance that names its sources, and no secrets."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cassettes import (
    CASSETTE_ROOT,
    PUBLIC_VALUES,
    REDACTED,
    find_secrets,
    iter_cassettes,
    read_cassette,
)
from cassettes._reference import build_reference_cassettes
from cassettes._scrub import is_placeholder
from mock_orchestrator import MockCloud

CASSETTES = list(iter_cassettes())
_TAG = re.compile(r"\[(V|D|I|\?)[^\]]*\]")


def _ids(path: Path) -> str:
    return str(path.relative_to(CASSETTE_ROOT))


def _world_secrets() -> list[str]:
    """The default secrets of every profile's world: none may appear in a cassette."""
    secrets: list[str] = []
    for profile in ("identity", "legacy", "onprem"):
        defaults = MockCloud(profile=profile).defaults
        secrets += [
            value
            for value in (
                defaults.client_secret,
                defaults.refresh_token,
                defaults.user_key,
                defaults.password,
            )
            if value
        ]
    return secrets


WORLD_SECRETS = _world_secrets()
# Published in docs/wire.md from forum posts; never to be copied into a cassette.
LEAKED_ON_FORUMS = (
    "pluJgZzLuoRtE-h4AxHfd6mlI9gzKHEVbQiyZe-kbApQt",
    "CBZcOD6vrP2FQ9qa8fuqDdfoEwnVPuR2Kp",
)


def test_there_are_cassettes_of_both_kinds() -> None:
    kinds = {read_cassette(p).kind for p in CASSETTES}
    assert kinds == {"reference", "mock", "client-flow"}


@pytest.mark.parametrize("path", CASSETTES, ids=_ids)
def test_no_secret_in_cassette(path: Path) -> None:
    cassette = read_cassette(path)
    # A PKCE code challenge is public by design (it travels through the browser).
    allowed = (*PUBLIC_VALUES, str(cassette.provenance.get("world", {}).get("code_challenge")))
    findings = find_secrets(
        cassette.text, known=[*WORLD_SECRETS, *LEAKED_ON_FORUMS], allowed=allowed
    )
    assert not findings, "\n".join(f"line {f.line}: {f.rule}: {f.excerpt}" for f in findings)


@pytest.mark.parametrize("path", CASSETTES, ids=_ids)
def test_cassette_is_plain_yaml(path: Path) -> None:
    assert "!!python" not in path.read_text(encoding="utf-8")
    read_cassette(path)  # vcrpy's safe loader; raises on anything else


@pytest.mark.parametrize("path", CASSETTES, ids=_ids)
def test_cassette_states_its_provenance(path: Path) -> None:
    cassette = read_cassette(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), "a comment header says what the file is"
    prov = cassette.provenance
    if cassette.kind == "client-flow":
        assert path.parent.name == "test_client_flows"
        assert path.stem == f"test_{prov['flow']}"
        sources = [step["response"] for step in prov["interactions"]]
        assert len(sources) == len(cassette.interactions)
        assert all(_TAG.search(s) or s.startswith("reconstructed") for s in sources), sources
        rebuilt = [i for i, s in enumerate(sources) if s.startswith("reconstructed")]
        assert prov["reconstructed"] == rebuilt
        assert prov["gap"].startswith("none") == (not rebuilt), "a gap says what stands in"
        return
    assert prov.get("scenario")
    assert path.stem == f"test_{prov['scenario']}"
    assert isinstance(prov.get("world"), dict)
    if cassette.kind == "reference":
        assert path.parent.name == "test_reference"
        steps = prov["interactions"]
        assert len(steps) == len(cassette.interactions)
        for step in steps:
            for part in ("request", "response", "status"):
                assert _TAG.search(step[part]), f"{part} source lacks a confidence tag: {step}"
        assert "not recorded by this kit" in prov["summary"]
    else:
        assert cassette.kind == "mock"
        assert path.parent.name == "test_recorded"
        assert prov["recorded_from"].startswith("MockCloud(")
        assert "scrubbed at record time" in prov["recorded_with"]
        assert "NOT from UiPath" in prov["summary"]


@pytest.mark.parametrize("path", CASSETTES, ids=_ids)
def test_tokens_in_answers_are_redacted(path: Path) -> None:
    for interaction in read_cassette(path).interactions:
        body = interaction["response"]["body"]["string"] or ""
        for field in ("access_token", "refresh_token", "id_token"):
            for match in re.finditer(rf'"{field}":"([^"]*)"', body):
                assert is_placeholder(match.group(1)), f"{field} is not a placeholder"


def test_each_cassette_belongs_to_a_test() -> None:
    here = Path(__file__).parent
    for path in CASSETTES:
        module = here / f"{path.parent.name}.py"
        assert module.exists(), f"{_ids(path)}: no test module {module.name}"
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert path.stem in names, f"{_ids(path)}: no {path.stem} in {module.name}"


def test_reference_cassettes_are_up_to_date_with_the_payloads(tmp_path: Path) -> None:
    # The reference files are generated from fixtures.payloads; a payload corrected
    # without rebuilding them (python -m cassettes.record --reference) fails here.
    for built in build_reference_cassettes(tmp_path):
        committed = CASSETTE_ROOT / built.relative_to(tmp_path)
        assert committed.read_text(encoding="utf-8") == built.read_text(encoding="utf-8"), (
            f"{committed.name} is stale"
        )


def test_the_guard_finds_what_it_guards_against() -> None:
    planted = "\n".join(
        [
            "authorization: [Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl]",
            f'body: {{"refresh_token":"{WORLD_SECRETS[0]}"}}',
            "body: grant_type=client_credentials&client_secret=hunter2hunter2",
            "location: https://x.test/cb?code=Zx81kQpl0aa9&state=s",
            "x-key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ]
    )
    rules = {f.rule for f in find_secrets(planted, known=WORLD_SECRETS)}
    assert rules >= {
        "jwt",
        "secret field (JSON)",
        "secret field (form)",
        "authorization code in a URL",
        "long hex",
        "known secret",
    }
    assert (
        find_secrets(
            f'"access_token":"{REDACTED}","traceId":"00-'
            '251a15bda95bc9fab2c2f1f469010705-1dca256d8c91bb21-01"'
        )
        == []
    )


def test_cassettes_exports_exist_and_need_no_mock() -> None:
    import subprocess
    import sys

    import cassettes

    for name in cassettes.__all__:
        assert hasattr(cassettes, name), name
    code = "import sys, cassettes; sys.exit('mock_orchestrator' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

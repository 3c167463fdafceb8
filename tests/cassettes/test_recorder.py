"""``orchestrator-kit record`` in front of the served mock, with the reference client's CLI.

The issue's bar: the client's runs (client credentials; a rotating refresh token; a logout)
recorded through the proxy leave no token, secret, password or code of the run anywhere in
the cassettes, ``audit-cassettes`` passes on them, and ``compare`` finds no difference.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cassettes import read_cassette
from cassettes.audit import main as audit_main
from cassettes.compare import compare
from cassettes.recorder import RecordingProxy, serve
from cassettes.recorder import main as record_main
from client_under_test.__main__ import main as client_main
from mock_orchestrator import MockCloud

_TOKEN_FIELDS = ("access_token", "refresh_token", "id_token", "result")


def _issued(cloud: MockCloud) -> set[str]:
    """Every token and code the mock handed out during the run, from its journal."""
    found: set[str] = set()
    for exchange in cloud.journal:
        response = exchange.response
        if response is None:
            continue
        location = response.headers.get("location", "")
        found.update(parse_qs(urlsplit(location).query).get("code", []))
        if "json" in response.headers.get("content-type", ""):
            body = response.json()
            if isinstance(body, dict):
                found.update(
                    v for k, v in body.items() if k in _TOKEN_FIELDS and isinstance(v, str)
                )
    return found


class Run:
    """The reference client's CLI against ``proxy``, on the served mock's clock."""

    def __init__(self, cloud: MockCloud, proxy: RecordingProxy, store: Path) -> None:
        self.cloud, self.proxy, self.store = cloud, proxy, store
        d = cloud.defaults
        self.base = {
            "UIPATH_URL": f"{proxy.origin}/{d.organization}/{d.tenant}",
            "UIPATH_FOLDER_PATH": d.folder,
        }

    def cassette(self, name: str) -> None:
        answer = httpx.post(f"{self.proxy.origin}/_record/cassette", json={"name": name})
        assert answer.status_code == 200, answer.text

    def client(self, *argv: str, **env: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        status = client_main(
            list(argv),
            environ={**self.base, **env},
            stdout=out,
            stderr=err,
            clock=self.cloud.clock,
            sleep=lambda seconds: self.cloud.clock.advance(seconds=seconds),
        )
        assert status == 0, err.getvalue()
        return out.getvalue()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The cassettes of the runs, and every secret the runs used (recorded once per module)."""
    tmp_path = tmp_path_factory.mktemp("recorded")
    cloud = MockCloud(profile="identity")
    d = cloud.defaults
    cloud.orchestrator.default.configure_process(d.process, pending_seconds=1, running_seconds=5)
    cassettes = tmp_path / "cassettes"
    with cloud.serve() as upstream, serve(upstream, cassettes, name="unused") as proxy:
        run = Run(cloud, proxy, tmp_path / "store.json")
        run.cassette("client_credentials")
        cc = {"UIPATH_CLIENT_ID": d.client_id, "UIPATH_CLIENT_SECRET": str(d.client_secret)}
        run.client("start-job", "--process", d.process, "--wait", **cc)
        run.client("logout", **cc)

        run.cassette("refresh_rotation")
        rt = {"UIPATH_REFRESH_TOKEN": str(d.refresh_token), "UIPATH_TOKEN_STORE": str(run.store)}
        run.client("start-job", "--process", d.process, **rt)
        cloud.clock.advance(hours=2)  # the access token is dead: the next run refreshes again
        run.client("start-job", "--process", d.process, "--wait", **rt)
        run.client("logout", **rt)
    used = [str(d.client_secret), str(d.refresh_token), *_issued(cloud)]
    return cassettes, used


def test_no_secret_of_the_run_appears_in_the_cassettes(
    recorded: tuple[Path, list[str]],
) -> None:
    cassettes, used = recorded
    files = sorted(cassettes.glob("*.yaml"))
    assert [f.name for f in files] == ["client_credentials.yaml", "refresh_rotation.yaml"]
    assert len(used) > 6, "the run should have used several tokens"
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    for secret in used:
        assert secret not in text, f"{secret[:6]}... leaked"
    # The refresh rotated (two token calls with different refresh tokens), and logout revoked.
    rotation = read_cassette(cassettes / "refresh_rotation.yaml")
    sent = [
        parse_qs(str(i["request"]["body"])).get("refresh_token", [""])[0]
        for i in rotation.interactions
        if i["request"]["uri"].endswith("/connect/token")
    ]
    assert len(sent) >= 2
    assert len(set(sent)) == len(sent), sent
    revoked = [i for i in rotation.interactions if i["request"]["uri"].endswith("/revocation")]
    assert revoked
    assert parse_qs(str(revoked[0]["request"]["body"]))["token"][0] in _answers(rotation)


def _answers(cassette: Any) -> str:
    return "".join(str(i["response"]["body"]["string"]) for i in cassette.interactions)


def test_the_recordings_carry_their_provenance(recorded: tuple[Path, list[str]]) -> None:
    cassettes, _ = recorded
    provenance = read_cassette(cassettes / "refresh_rotation.yaml").provenance
    assert provenance["kind"] == "recording"
    assert provenance["upstream_host"] == "127.0.0.1"
    assert provenance["profile"] == "identity"
    assert provenance["reconstructed"] == []
    assert provenance["recorded_at"][:4].isdigit()
    assert provenance["kit_version"]
    elapsed = provenance["elapsed"]
    assert elapsed[0] == 0
    assert max(elapsed) >= 7200, "the two hours the run skipped show in the timeline"


def test_audit_passes_on_the_recordings(
    recorded: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    cassettes, _ = recorded
    assert audit_main([str(cassettes)]) == 0, capsys.readouterr().out


def test_compare_finds_no_difference_in_the_recordings(
    recorded: tuple[Path, list[str]],
) -> None:
    cassettes, _ = recorded
    report = compare([cassettes], [])
    assert len(report.rows) > 10
    assert report.ok, report.table()


def test_the_client_gets_the_upstreams_answer_and_stays_on_the_proxy(tmp_path: Path) -> None:
    cloud = MockCloud()
    with cloud.serve() as upstream, serve(upstream, tmp_path) as proxy:
        answer = httpx.get(f"{proxy.origin}/identity_/.well-known/openid-configuration")
        direct = httpx.get(f"{upstream}/identity_/.well-known/openid-configuration")
        missing = httpx.get(f"{proxy.origin}/nowhere")
    assert answer.status_code == 200
    assert answer.json()["token_endpoint"] == f"{proxy.origin}/identity_/connect/token"
    assert direct.json()["token_endpoint"] == f"{upstream}/identity_/connect/token"
    assert missing.status_code == 404
    recorded = read_cassette(tmp_path / "recording.yaml")
    assert [i["request"]["uri"] for i in recorded.interactions] == [
        f"{upstream}/identity_/.well-known/openid-configuration",
        f"{upstream}/nowhere",
    ]
    # The cassette keeps what the upstream said; only the client saw the proxy's origin.
    assert upstream in recorded.interactions[0]["response"]["body"]["string"]


def test_bounds_and_upstream_failures_answer_in_one_line(tmp_path: Path) -> None:
    cloud = MockCloud()
    with cloud.serve() as upstream:
        dead = upstream  # closed once the block ends
    with serve(dead, tmp_path) as proxy:
        unreachable = httpx.get(f"{proxy.origin}/identity_/connect/token")
        too_big = httpx.post(f"{proxy.origin}/x", content=b"x" * (10 * 1024 * 1024 + 1))
        bad_name = httpx.post(f"{proxy.origin}/_record/cassette", json={"name": "../etc"})
    assert unreachable.status_code == 502
    assert unreachable.text.startswith("orchestrator-kit record: upstream unreachable")
    assert too_big.status_code == 413
    assert bad_name.status_code == 400
    assert not (tmp_path / "recording.yaml").exists(), "nothing answered, nothing recorded"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--upstream", "ftp://x", "--cassette-dir", "d"], "--upstream must be an http(s) URL"),
        (["--upstream", "https://x", "--cassette-dir", "d", "--name", "a/b"], "a cassette name"),
        (["--upstream", "https://x", "--cassette-dir", "d", "--port", "70000"], "--port"),
        (["--upstream", "https://x", "--cassette-dir", "d", "--route", "oauth"], "--route"),
    ],
)
def test_the_command_refuses_bad_arguments_in_one_line(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(tmp_path / a) if a == "d" else a for a in argv]
    with pytest.raises(SystemExit) as stopped:
        record_main(argv)
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines()[-1].startswith("orchestrator-kit record: error: ")
    assert message in err


def test_the_written_cassette_replays_with_vcrpy(tmp_path: Path) -> None:
    import vcr as vcrpy

    from cassettes import register_matchers, vcr_config

    cloud = MockCloud()
    d = cloud.defaults
    form = {
        "grant_type": "client_credentials",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
        "scope": "OR.Jobs",
    }
    with cloud.serve() as upstream, serve(upstream, tmp_path) as proxy:
        live = httpx.post(f"{proxy.origin}/identity_/connect/token", data=form)
    replayer = vcrpy.VCR(record_mode="none")
    register_matchers(replayer)
    with (
        replayer.use_cassette(str(tmp_path / "recording.yaml"), **vcr_config()),
        httpx.Client() as client,
    ):
        replayed = client.post(f"{upstream}/identity_/connect/token", data=form)
    assert replayed.status_code == live.status_code == 200
    assert json.loads(replayed.text)["access_token"] == "<access_token-1>"


def test_the_command_records_until_interrupted(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    cloud = MockCloud()
    with cloud.serve() as upstream:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orchestrator_kit",
                "record",
                "--upstream",
                upstream,
                "--cassette-dir",
                str(tmp_path),
                "--name",
                "cli",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            origin = process.stdout.readline().strip()
            assert origin.startswith("http://127.0.0.1:")
            answer = httpx.get(f"{origin}/identity_/.well-known/openid-configuration")
            assert answer.status_code == 200
        finally:
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "recorded 1 interactions" in err
    assert len(read_cassette(tmp_path / "cli.yaml").interactions) == 1

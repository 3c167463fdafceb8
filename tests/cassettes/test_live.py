"""``tox -e live``'s pipeline, with the served mock standing in for a tenant (no internet here):
the reference client's flows through ``record``, then ``audit-cassettes``, then ``compare``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cassettes import read_cassette
from cassettes.audit import main as audit_main
from cassettes.compare import compare
from cassettes.live import main, plan, proxied_environment, routes_for
from mock_orchestrator import MockCloud


def test_the_live_pipeline_records_audits_and_compares_clean(tmp_path: Path) -> None:
    cloud = MockCloud(profile="identity")
    d = cloud.defaults
    cloud.orchestrator.default.configure_process(d.process, pending_seconds=1, running_seconds=3)
    with cloud.serve() as origin:
        env = {
            "UIPATH_URL": f"{origin}/{d.organization}/{d.tenant}",
            "UIPATH_CLIENT_ID": d.client_id,
            "UIPATH_CLIENT_SECRET": str(d.client_secret),
            "UIPATH_REFRESH_TOKEN": str(d.refresh_token),
            "UIPATH_FOLDER_PATH": d.folder,
            "UIPATH_LIVE_PROCESS": d.process,
            "UIPATH_LIVE_LOGOUT": "1",
        }
        status = main(
            ["--cassette-dir", str(tmp_path)],
            environ=env,
            sleep=lambda seconds: cloud.clock.advance(seconds=seconds),
            clock=cloud.clock,
        )
    assert status == 0
    names = sorted(p.stem for p in tmp_path.glob("*.yaml"))
    assert names == ["client_credentials", "refresh_token", "start_job"]
    revoked = read_cassette(tmp_path / "refresh_token.yaml").interactions[-1]
    assert revoked["request"]["uri"].endswith("/connect/revocation")
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.yaml"))
    for secret in (d.client_secret, d.refresh_token):
        assert str(secret) not in text
    assert audit_main([str(tmp_path)]) == 0
    report = compare([tmp_path], [])
    assert report.ok, report.table()


def test_without_a_url_or_a_credential_it_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for environ, message in (
        ({}, "set UIPATH_URL"),
        ({"UIPATH_URL": "https://x/o/t"}, "no credential"),
    ):
        with pytest.raises(SystemExit) as stopped:
            main(["--cassette-dir", str(tmp_path)], environ=environ)
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err


def test_the_legacy_cloud_is_recorded_through_one_proxy_for_three_hosts() -> None:
    env = {"UIPATH_URL": "https://platform.uipath.com/acme/AcmeTenant", "UIPATH_USER_KEY": "k"}
    upstream, routes = routes_for(env)
    assert upstream == "https://platform.uipath.com"
    assert routes == [
        ("/identity_/", "https://cloud.uipath.com"),
        ("/oauth/", "https://account.uipath.com"),
    ]
    moved = proxied_environment(env, "http://127.0.0.1:9")
    assert moved["UIPATH_URL"] == "http://127.0.0.1:9/acme/AcmeTenant"
    assert moved["UIPATH_ORCHESTRATOR_URL"] == "http://127.0.0.1:9/acme/AcmeTenant"
    assert moved["UIPATH_LEGACY_TOKEN_URL"] == "http://127.0.0.1:9/oauth/token"


def test_password_login_is_not_attempted_on_the_cloud_and_jobs_are_opt_in() -> None:
    cloud = {"UIPATH_URL": "https://cloud.uipath.com/o/t", "UIPATH_USERNAME": "u"}
    assert plan({**cloud, "UIPATH_PASSWORD": "p"}) == []
    onprem = {
        "UIPATH_URL": "https://orch.acme.test",
        "UIPATH_USERNAME": "u",
        "UIPATH_PASSWORD": "p",
    }
    assert [name for name, _, _ in plan(onprem)] == ["password"]
    assert [name for name, _, _ in plan({**onprem, "UIPATH_LIVE_PROCESS": "P"})] == [
        "password",
        "start_job",
    ]

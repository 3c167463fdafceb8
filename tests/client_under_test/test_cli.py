"""``python -m client_under_test start-job``: in process on the mock's clock, and as a real
subprocess against the mock served on loopback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import pytest

from client_under_test.__main__ import EXIT_CREDENTIALS, EXIT_SERVER, main
from mock_orchestrator import MockCloud


def _env(
    cloud: MockCloud, url: str | None = None, identity_url: str | None = None
) -> dict[str, str]:
    d = cloud.defaults
    env = {"UIPATH_URL": url or d.url, "UIPATH_FOLDER_PATH": d.folder}
    if cloud.profile == "identity":
        env.update(UIPATH_CLIENT_ID=d.public_client_id, UIPATH_REFRESH_TOKEN=d.refresh_token or "")
    elif cloud.profile == "legacy":
        env.update(UIPATH_USER_KEY=d.user_key or "")
    else:
        env.update(
            UIPATH_USERNAME=d.username or "",
            UIPATH_PASSWORD=d.password or "",
            UIPATH_TENANT=d.tenant,
        )
    if identity_url:
        env["UIPATH_IDENTITY_URL"] = identity_url
    return env


def _run(
    cloud: MockCloud, argv: list[str], env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        argv,
        environ=env if env is not None else _env(cloud),
        stdout=out,
        stderr=err,
        clock=cloud.clock,
        sleep=cloud.clock.sleep,
        transport=cloud.transport(),
    )
    return code, out.getvalue(), err.getvalue()


def _secrets(cloud: MockCloud) -> list[str]:
    d = cloud.defaults
    values = [d.client_secret, d.refresh_token, d.user_key, d.password]
    values += [record.token for record in cloud.identity.tokens.records()]  # every token issued
    return [v for v in values if v]


@pytest.mark.parametrize("profile", ["identity", "legacy", "onprem"])
def test_start_job_and_wait_prints_the_key_and_final_state(make_cloud: Any, profile: str) -> None:
    cloud = make_cloud(profile)
    code, out, err = _run(
        cloud,
        [
            "start-job",
            "--process",
            cloud.defaults.process,
            "--input",
            '{"batch": 7}',
            "--wait",
            "-v",
        ],
    )
    assert code == 0, err
    first, last = out.strip().splitlines()
    key = first.split()[1]
    assert first == f"job {key} Pending"
    assert last == f"job {key} Successful"
    assert "client_under_test" in err  # -v logs what it does
    for secret in _secrets(cloud):
        assert secret not in out + err


def test_a_faulted_job_exits_non_zero_with_its_error(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    cloud.orchestrator.default.configure_process(
        cloud.defaults.process, outcome="Faulted", error="System.IO.IOException: disk full"
    )
    code, out, err = _run(cloud, ["start-job", "--process", cloud.defaults.process, "--wait"])
    assert code == 1
    assert out.strip().splitlines()[-1].endswith(" Faulted")
    assert "disk full" in err


def test_without_wait_it_returns_after_starting(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    code, out, _ = _run(cloud, ["start-job", "--process", cloud.defaults.process])
    assert code == 0
    assert out.strip().endswith("Pending")
    assert not cloud.journal.filter(route="orchestrator.get_job")


def test_a_bad_input_is_usage_error(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    code, _, err = _run(cloud, ["start-job", "--process", "P", "--input", "{nope"])
    assert code == 2
    assert "not JSON" in err
    code, _, err = _run(cloud, ["start-job", "--process", "P", "--input", "[1]"])
    assert code == 2
    assert "JSON object" in err
    assert len(cloud.journal) == 0


def test_password_on_the_cloud_is_refused_without_a_request(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    env = {
        "UIPATH_URL": cloud.defaults.url,
        "UIPATH_USERNAME": "ada",
        "UIPATH_PASSWORD": "Correct-Horse-9",
    }
    code, out, err = _run(cloud, ["start-job", "--process", "P"], env)
    assert code == 2
    assert "errorCode 1000" in err
    assert "Correct-Horse-9" not in out + err
    assert len(cloud.journal) == 0


def test_a_dead_refresh_token_exits_non_zero_and_says_what_to_do(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    cloud.identity.revoke_refresh_token(cloud.defaults.refresh_token)
    code, out, err = _run(cloud, ["start-job", "--process", cloud.defaults.process])
    assert code == EXIT_CREDENTIALS
    assert "UIPATH_REFRESH_TOKEN" in err
    assert cloud.defaults.refresh_token not in out + err  # type: ignore[operator]


def test_an_unknown_process_exits_non_zero(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    code, _, err = _run(cloud, ["start-job", "--process", "NoSuchProcess"])
    assert code == EXIT_SERVER
    assert "NoSuchProcess" in err


def test_as_a_real_process_against_the_served_mock(tmp_path: Any) -> None:
    cloud = MockCloud("identity")
    d = cloud.defaults
    store = tmp_path / "tokens.json"
    with cloud.serve() as base_url:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("UIPATH_")},
            **_env(cloud, url=f"{base_url}/{d.organization}/{d.tenant}"),
            "UIPATH_TOKEN_STORE": str(store),
        }
        run = subprocess.run(
            [sys.executable, "-m", "client_under_test", "start-job", "--process", d.process],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        second = subprocess.run(  # a second run starts from the rotated token in the store
            [sys.executable, "-m", "client_under_test", "start-job", "--process", d.process],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    assert second.returncode == 0, second.stderr
    assert run.stdout.startswith("job ")
    assert run.stdout.strip().endswith("Pending")
    assert (store.stat().st_mode & 0o777) == 0o600
    assert len(cloud.journal.filter(route="orchestrator.start_jobs", status=201)) == 2
    for secret in _secrets(cloud):
        assert secret not in run.stdout + run.stderr + second.stdout + second.stderr

"""``python -m client_under_test``: every failure is one line on stderr and its kind's exit status.

The cases are those that once ended in a traceback (issue 13): nothing listening, a dropped
connection, unusable token-store files, a deeply nested ``--input``, a malformed IPv6 URL,
StartJobs answers that hold no job. Each asserts the exit status of its class, a single line
that names the cause, and no traceback.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from client_under_test.__main__ import (
    EXIT_CONFIGURATION,
    EXIT_CREDENTIALS,
    EXIT_NETWORK,
    EXIT_SERVER,
    main,
)
from mock_orchestrator import MockCloud

START = ["start-job", "--process", "InvoiceProcessing"]


def _env(cloud: MockCloud, **extra: str) -> dict[str, str]:
    d = cloud.defaults
    env = {
        "UIPATH_URL": d.url,
        "UIPATH_FOLDER_PATH": d.folder,
        "UIPATH_CLIENT_ID": d.client_id,
        "UIPATH_CLIENT_SECRET": d.client_secret,
    }
    env.update(extra)
    return env


def _run(
    cloud: MockCloud,
    argv: list[str],
    env: dict[str, str] | None = None,
    *,
    stdin: str = "",
    in_process: bool = True,
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    seams: dict[str, Any] = {"clock": cloud.clock, "sleep": cloud.clock.sleep}
    if in_process:
        seams["transport"] = cloud.transport()
    code = main(
        argv,
        environ=env if env is not None else _env(cloud),
        stdout=out,
        stderr=err,
        stdin=io.StringIO(stdin),
        **seams,
    )
    return code, out.getvalue(), err.getvalue()


def _assert_one_line(err: str, *words: str) -> None:
    assert err.endswith("\n"), err
    assert err.count("\n") == 1, err
    # "error: ..." for a failure of the run, "python -m client_under_test ...: error: ..." for
    # a usage error (argparse's form)
    assert err.startswith(("error: ", "python -m client_under_test")), err
    assert "error: " in err, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- network ----------------------------------------------------------------------------------


def test_nothing_listening_is_a_network_error(make_cloud: Any) -> None:
    cloud = make_cloud()
    port = _free_port()
    env = _env(cloud, UIPATH_URL=f"http://127.0.0.1:{port}/acmecorp/AcmeDefaultq3v91")
    code, _, err = _run(cloud, START, env, in_process=False)
    assert code == EXIT_NETWORK
    _assert_one_line(err, f"cannot connect to http://127.0.0.1:{port}", "UIPATH_URL")


def test_a_dropped_connection_is_a_network_error(make_cloud: Any) -> None:
    cloud = make_cloud()
    cloud.faults.add("drop", route="orchestrator.start_jobs", times=None)
    cloud.faults.add("drop", route="orchestrator.list_jobs", times=None)
    code, _, err = _run(cloud, START)
    assert code == EXIT_NETWORK
    _assert_one_line(err, "dropped the connection")


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    # (Nothing listening is retried with real pauses for a while; a bad store fails at once.)
    cloud = MockCloud()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("UIPATH_")},
        **_env(cloud, UIPATH_TOKEN_STORE=str(tmp_path)),
    }
    run = subprocess.run(
        [sys.executable, "-m", "client_under_test", *START],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == EXIT_CONFIGURATION
    _assert_one_line(run.stderr, "is a directory")
    assert run.stdout == ""


# -- the token store --------------------------------------------------------------------------


def test_a_token_store_that_is_a_directory_is_a_configuration_error(
    make_cloud: Any, tmp_path: Path
) -> None:
    cloud = make_cloud()
    code, _, err = _run(cloud, START, _env(cloud, UIPATH_TOKEN_STORE=str(tmp_path)))
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "is a directory", "UIPATH_TOKEN_STORE")
    assert len(cloud.journal) == 0


def test_a_token_store_under_a_file_is_a_configuration_error(
    make_cloud: Any, tmp_path: Path
) -> None:
    cloud = make_cloud()
    (tmp_path / "plain").write_text("x")
    store = tmp_path / "plain" / "tokens.json"
    code, _, err = _run(cloud, START, _env(cloud, UIPATH_TOKEN_STORE=str(store)))
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "is a file, not a directory")


def test_a_token_store_that_is_not_utf8_is_a_configuration_error(
    make_cloud: Any, tmp_path: Path
) -> None:
    cloud = make_cloud()
    store = tmp_path / "tokens.json"
    store.write_bytes(b"\xff\xfe{}")
    code, _, err = _run(cloud, START, _env(cloud, UIPATH_TOKEN_STORE=str(store)))
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "not UTF-8")


@pytest.mark.parametrize(
    ("field", "value"),
    [("received_at", "yesterday"), ("refresh_token", 42), ("lifetime", None), ("revoked", "no")],
)
def test_a_token_store_entry_of_the_wrong_type_is_a_configuration_error(
    make_cloud: Any, tmp_path: Path, field: str, value: Any
) -> None:
    cloud = make_cloud()
    store = tmp_path / "tokens.json"
    env = _env(cloud, UIPATH_TOKEN_STORE=str(store))
    assert _run(cloud, START, env)[0] == 0  # a real entry, under the real key
    doc = json.loads(store.read_text())
    (entry,) = doc["credentials"].values()
    entry[field] = value
    store.write_text(json.dumps(doc))
    cloud.clock.advance(hours=2)  # the access token is stale: the store is read again
    code, _, err = _run(cloud, START, env)
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "malformed entry", f"'{field}'")


def test_a_crashed_saves_temp_file_is_removed_on_the_next_run(
    make_cloud: Any, tmp_path: Path
) -> None:
    cloud = make_cloud()
    store = tmp_path / "tokens.json"
    leftover = tmp_path / ".tokens.json.abc123.tmp"  # what mkstemp left when a save crashed
    leftover.write_text('{"credentials": {"x": {"refresh_token": "a-live-token"}}}')
    unrelated = tmp_path / ".other.json.abc123.tmp"
    unrelated.write_text("{}")
    code, _, err = _run(cloud, START, _env(cloud, UIPATH_TOKEN_STORE=str(store)))
    assert code == 0, err
    assert not leftover.exists()
    assert unrelated.exists()  # another store's file is none of this store's business
    assert store.exists()


# -- arguments and configuration --------------------------------------------------------------


def test_a_deeply_nested_input_is_a_usage_error(make_cloud: Any) -> None:
    cloud = make_cloud()
    nested = '{"a":' * 50_000 + "1" + "}" * 50_000
    code, _, err = _run(cloud, [*START, "--input", nested])
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "nested too deeply")
    assert len(cloud.journal) == 0


def test_nan_in_input_is_a_usage_error(make_cloud: Any) -> None:
    cloud = make_cloud()
    code, _, err = _run(cloud, [*START, "--input", '{"x": NaN}'])
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "NaN")


def test_a_malformed_ipv6_url_is_a_configuration_error(make_cloud: Any) -> None:
    cloud = make_cloud()
    code, _, err = _run(cloud, START, _env(cloud, UIPATH_URL="http://[::1/acmecorp/x"))
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, "UIPATH_URL is not a valid URL", "brackets")


def test_an_unknown_option_is_one_usage_line(make_cloud: Any, capsys: Any) -> None:
    cloud = make_cloud()
    code, _, _ = _run(cloud, [*START, "--colour", "red"])
    assert code == EXIT_CONFIGURATION
    _assert_one_line(capsys.readouterr().err, "--colour")


def test_input_from_a_file_and_from_stdin(make_cloud: Any, tmp_path: Path) -> None:
    cloud = make_cloud()
    big = {"Text": "x" * 9000, "Amount": 3}  # UiPath takes 10,000 characters at most
    path = tmp_path / "input.json"
    path.write_text(json.dumps(big))
    code, _, err = _run(cloud, [*START, "--input", f"@{path}"])
    assert code == 0, err
    code, _, err = _run(cloud, [*START, "--input", "-"], stdin='{"Amount": 4}')
    assert code == 0, err
    sent = [
        json.loads(json.loads(e.request.content)["startInfo"]["InputArguments"])
        for e in cloud.journal.filter(route="orchestrator.start_jobs")
    ]
    assert sent[0]["Amount"] == 3
    assert len(sent[0]["Text"]) == 9000
    assert sent[1] == {"Amount": 4}


def test_a_ten_megabyte_input_file_reaches_the_server(make_cloud: Any, tmp_path: Path) -> None:
    # Far past a command line's limit (128 KB an argument on Linux): read from the file, sent,
    # and refused by the server in its own words (InputArguments holds 10,000 characters).
    cloud = make_cloud()
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"Text": "x" * 10_000_000}))
    code, _, err = _run(cloud, [*START, "--input", f"@{path}"])
    assert code == EXIT_SERVER
    _assert_one_line(err, "413")


@pytest.mark.parametrize(
    ("spec", "words"),
    [("@{missing}", "cannot be read"), ("@{latin}", "not UTF-8"), ("-", "must be a JSON object")],
)
def test_unreadable_input_files_are_usage_errors(
    make_cloud: Any, tmp_path: Path, spec: str, words: str
) -> None:
    cloud = make_cloud()
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "\xe9"}')
    argv = [*START, "--input", spec.format(missing=tmp_path / "nope.json", latin=latin)]
    code, _, err = _run(cloud, argv, stdin="[1, 2]")
    assert code == EXIT_CONFIGURATION
    _assert_one_line(err, words)


# -- the server's answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"value": []}, "no job in 'value'"),
        ({"value": [{"Id": "abc", "Key": "k", "State": "Pending"}]}, "Id is not a number"),
        ({"value": [7]}, "not a JSON object"),
        ({"value": "nope"}, "without a 'value' list"),
    ],
)
def test_a_startjobs_answer_without_a_job_is_a_server_error(
    make_cloud: Any, body: Any, words: str
) -> None:
    cloud = make_cloud()
    cloud.faults.add(route="orchestrator.start_jobs", status=201, body=body, times=None)
    code, _, err = _run(cloud, START)
    assert code == EXIT_SERVER
    _assert_one_line(err, words)


def test_a_refused_credential_is_a_credentials_error(make_cloud: Any) -> None:
    cloud = make_cloud()
    env = _env(cloud, UIPATH_CLIENT_SECRET="wrong")
    code, out, err = _run(cloud, START, env)
    assert code == EXIT_CREDENTIALS
    _assert_one_line(err, "invalid_client")
    assert "wrong" not in out + err

"""A request the mock does not model keeps its status and says so: header, journal, log."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.unmodelled import HEADER, MARK, published_operation

from ._orch_helpers import ACTION, Orch


def test_a_published_operation_the_mock_does_not_serve_is_named(
    cloud: MockCloud, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    orch = Orch(cloud, client)
    with caplog.at_level(logging.WARNING, logger="mock_orchestrator.unmodelled"):
        response = orch.get("/odata/TestSets")
        orch.get("/odata/TestSets")  # warned once per method and path
    assert response.status_code == 404
    assert response.content == b""
    header = response.headers[HEADER]
    assert "TestSets operation test_sets_get" in header
    assert "closest served:" in header
    assert (cloud.journal[-1].error or "").startswith(MARK)
    warnings = [r for r in caplog.records if r.name == "mock_orchestrator.unmodelled"]
    assert len(warnings) == 1
    assert "test_sets_get" in warnings[0].getMessage()


def test_an_unknown_path_is_marked_with_the_closest_routes(
    cloud: MockCloud, client: httpx.Client
) -> None:
    response = client.get(cloud.defaults.url + "/orchestrator_/odata/Jobz")
    assert response.status_code == 404
    assert "no route for GET" in response.headers[HEADER]
    assert "/odata/Jobs" in response.headers[HEADER]


def test_an_unserved_published_action_of_a_served_tag_is_named(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    # Settings' reads are served, its licence writes are not
    url = orch.base + "/odata/Settings/" + ACTION + "DeleteLicense"
    response = client.post(url, headers=orch.headers())
    assert response.status_code == 404
    assert "settings_delete_license" in response.headers[HEADER]


def test_a_wrong_method_that_uipath_does_not_publish_is_a_plain_405(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    response = client.put(orch.base + "/odata/Jobs", headers=orch.headers())
    assert response.status_code == 405
    assert HEADER not in response.headers
    assert cloud.journal[-1].error is None


def test_served_operations_carry_no_mark(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client)
    response = orch.get("/odata/Releases")
    assert response.status_code == 200
    assert HEADER not in response.headers


def test_the_published_list_recognises_any_url_shape() -> None:
    assert published_operation("GET", "/acme/T/orchestrator_/odata/TestSets") == "test_sets_get"
    assert published_operation("GET", "/odata/TestSets(5)") == "test_sets_get_by_id"
    assert published_operation("GET", "/nothing/here") is None


def test_the_served_console_names_an_unmodelled_request() -> None:
    """``orchestrator-kit serve`` prints the warning on its console (stderr)."""
    kit = str(Path(sys.executable).with_name("orchestrator-kit"))
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.Popen(
        [kit, "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            defaults = client.get("/_mock/defaults").json()
            path = f"/{defaults['organization']}/{defaults['tenant']}/orchestrator_/odata/TestSets"
            assert client.get(path).status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert f"{MARK} GET" in err
    assert "test_sets_get" in err

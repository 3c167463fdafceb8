"""JSON bodies the mock cannot answer faithfully are refused in UiPath's dialect, never a 500.

A lone UTF-16 surrogate (``"\\ud800"`` with no partner) is valid JSON text but no UTF-8 answer
can carry it back: before ``core/request.py`` refused it, echoing it (a job's ``Reference``)
was an internal error. A whole pair is one character and is served as usual.
"""

from __future__ import annotations

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, app_token, assert_compact_error

LONE = [
    '{"Reference": "\\ud800"}',
    '{"Reference": "x\\udfff"}',
    '{"Reference": "ok", "\\udbff": 1}',
    '{"Reference": "ok", "InputArguments": "[[[\\"\\ud800\\"]]]", "x": [[["\\udc00"]]]}',
]


def start_jobs(cloud: MockCloud, client: httpx.Client, start_info: str) -> httpx.Response:
    body = start_info[:-1] + f', "ReleaseKey": "{cloud.defaults.release_key}"}}'
    headers = {
        "Authorization": f"Bearer {app_token(cloud, client)}",
        "X-UIPATH-FolderPath": cloud.defaults.folder,
        "Content-Type": "application/json",
    }
    url = f"{cloud.defaults.url}/orchestrator_/odata/Jobs/{ACTION}StartJobs"
    return client.post(url, content=f'{{"startInfo": {body}}}', headers=headers)


@pytest.mark.parametrize("start_info", LONE)
def test_a_lone_surrogate_is_bad_json_not_a_500(start_info: str) -> None:
    cloud = MockCloud("identity")
    with httpx.Client(transport=cloud.transport()) as client:
        response = start_jobs(cloud, client, start_info)
    body = assert_compact_error(response, 400, 1000)
    assert "not valid JSON" in body["message"]
    assert cloud.orchestrator.default.jobs == {}  # nothing was started
    assert cloud.internal_errors == []


def test_a_whole_surrogate_pair_is_one_character_and_served() -> None:
    cloud = MockCloud("identity")
    with httpx.Client(transport=cloud.transport()) as client:
        response = start_jobs(cloud, client, '{"Reference": "\\ud83d\\ude00"}')
    assert response.status_code == 201, response.text
    assert response.json()["value"][0]["Reference"] == "\U0001f600"


def test_the_legacy_json_token_endpoint_refuses_it_in_auth0s_dialect() -> None:
    cloud = MockCloud("legacy")
    with httpx.Client(transport=cloud.transport()) as client:
        response = client.post(
            cloud.defaults.legacy_token_url or "",
            content='{"grant_type": "refresh_token", "client_id": "\\ud800", "refresh_token": "x"}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "the body is not valid JSON",
    }

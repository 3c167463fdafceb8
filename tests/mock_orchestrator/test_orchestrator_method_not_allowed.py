"""A known Orchestrator path asked with the wrong method: 405 in ASP.NET's dialect, with Allow."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.urls import ORCHESTRATOR_ROUTES

from ._orch_helpers import ACTION, Orch

_GROUP = re.compile(r"\(\?P<(\w+)>(?:\[[^\]]*\]|[^()\[\]])*\)")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _concrete(path_regex: str) -> str:
    return _GROUP.sub("1", path_regex).replace("\\", "")


def _declared() -> dict[str, set[str]]:
    """Each concrete route path and the methods the route table serves it with."""
    served: dict[str, set[str]] = {}
    for route in ORCHESTRATOR_ROUTES:
        served.setdefault(_concrete(route.path), set()).add(route.method)
    return served


CASES = [
    (path, method, methods)
    for path, methods in sorted(_declared().items())
    for method in METHODS
    if method not in methods
]


@pytest.mark.parametrize(
    ("path", "method", "allowed"), CASES, ids=[f"{m} {p.split('/')[-1][:40]}" for p, m, _ in CASES]
)
def test_every_known_path_answers_405_to_other_methods(
    cloud: MockCloud, client: httpx.Client, path: str, method: str, allowed: set[str]
) -> None:
    url = cloud.defaults.url + "/orchestrator_" + path
    response = client.request(method, url, params={"$top": "1"})
    assert response.status_code == 405, response.text
    assert set(response.headers["allow"].split(", ")) == allowed
    # [V] the envelope of Orchestrator's ASP.NET API versioning (uipathcli#136), the URL
    # without its query
    assert response.json() == {
        "error": {
            "code": "UnsupportedApiVersion",
            "message": f"The HTTP resource that matches the request URI '{url}' does not support "
            f"HTTP method '{method}'.",
            "innerError": None,
        }
    }
    entry = cloud.journal[-1]
    assert entry.status_code == 405
    assert entry.route is None


def test_the_examples_of_the_brief(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client)
    start = orch.get(f"/odata/Jobs/{ACTION}StartJobs")
    assert (start.status_code, start.headers["allow"]) == (405, "POST")
    delete = client.delete(orch.base + "/odata/Jobs(1)", headers=orch.headers())
    assert (delete.status_code, delete.headers["allow"]) == (405, "GET")


def test_405_comes_before_auth_and_folder_checks(cloud: MockCloud, client: httpx.Client) -> None:
    # ASP.NET routes first: no token, no folder, still the 405
    response = client.put(cloud.defaults.url + "/orchestrator_/odata/Jobs")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize("profile", ["identity", "legacy", "onprem"])
def test_every_url_shape_has_the_405(make_cloud: Callable[..., MockCloud], profile: str) -> None:
    cloud = make_cloud(profile)
    with httpx.Client(transport=cloud.transport()) as client:
        # defaults.url: /{org}/{tenant} (legacy), /{org}/{tenant}/orchestrator_ base (cloud),
        # the bare host (on-prem)
        response = client.get(cloud.defaults.url + "/odata/Queues/UiPathODataSvc.AddQueueItem")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_unknown_paths_keep_the_empty_404(cloud: MockCloud, client: httpx.Client) -> None:
    response = client.get(cloud.defaults.url + "/orchestrator_/odata/NoSuchSet")
    assert response.status_code == 404
    assert response.content == b""


def test_identity_paths_keep_their_404(cloud: MockCloud, client: httpx.Client) -> None:
    # [?] only Orchestrator's 405 is recorded; identity_ keeps the core's empty 404
    response = client.get("https://cloud.uipath.com/identity_/connect/token")
    assert response.status_code == 404
    assert response.content == b""

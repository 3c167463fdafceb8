"""What a route says of itself is what the world does: kinds, folder scoping, scopes, keys."""

from __future__ import annotations

import re

import httpx
import pytest

from mock_orchestrator import (
    FOLDER_ROUTES,
    HUMAN_ROUTES,
    PASSWORD_ROUTES,
    TOKEN_ROUTES,
    MockCloud,
    route_labels,
)
from mock_orchestrator._routes import all_routes, labels_where
from mock_orchestrator.core.routing import KINDS
from mock_orchestrator.identity.entities import ALL_OR_SCOPES
from mock_orchestrator.orchestrator.data import operations
from mock_orchestrator.orchestrator.urls import ORCHESTRATOR_ROUTES

from ._orch_helpers import ACTION, Orch, app_token

#: Every Orchestrator scope: the published operations take their own (Machines, Webhooks...).
_EVERY_SCOPE = " ".join(sorted(ALL_OR_SCOPES))


def test_the_derived_sets_are_the_ones_the_kit_always_judged_by() -> None:
    assert {
        "identity.token",
        "identity.onprem_token",
        "legacy.token",
        "onprem.authenticate",
    } == TOKEN_ROUTES
    assert {"identity.cloud_login_trap", "onprem.authenticate"} == PASSWORD_ROUTES
    assert {"identity.authorize", "identity.onprem_authorize", "legacy.authorize"} <= HUMAN_ROUTES
    assert route_labels() >= FOLDER_ROUTES
    # every Orchestrator call that acts inside a folder: the 19 hand-written ones, and each
    # published operation served generically that takes the folder header
    hand_written = {r.label for r in ORCHESTRATOR_ROUTES if r.folder and r.name.count("_") < 5}
    assert len({label for label in FOLDER_ROUTES if label in hand_written}) >= 19
    ops = operations()
    for label in FOLDER_ROUTES:
        op = ops.get(label.removeprefix("orchestrator."))
        if op is not None and label not in hand_written:
            assert any(name == "X-UIPATH-OrganizationUnitId" for name, _, _ in op.parameters)


def test_every_route_has_a_callable_handler_a_service_and_a_known_kind() -> None:
    for route in all_routes():
        assert callable(route.handler), route
        assert route.service is not None, route
        assert hasattr(route.service, "serve"), route
        assert route.kind in KINDS, route
        assert route.label.rsplit(".", 1)[-1] == route.handler.__name__, route


def test_labels_where_filters_by_kind_and_folder() -> None:
    assert labels_where(kinds=("token",)) == TOKEN_ROUTES - {"onprem.authenticate"}
    assert labels_where(folder=True) == FOLDER_ROUTES
    assert not labels_where(kinds=("control",))  # the emulated hosts declare no control route


_GROUP = re.compile(r"\(\?P<(\w+)>(?:\[[^\]]*\]|[^()\[\]])*\)")


def _concrete(path: str) -> str:
    """A request path for a route regex, each named group filled in."""
    path = _GROUP.sub(lambda m: "'x'" if m.group(1) == "identifier" else "1", path)
    return path.replace("\\", "")


@pytest.mark.parametrize(
    "route", [r for r in ORCHESTRATOR_ROUTES if r.scopes is not None], ids=lambda r: r.label
)
def test_the_folder_flag_is_what_the_prelude_checks(route: object) -> None:
    """A folder-scoped route without a folder header answers 1101; any other does not."""
    from mock_orchestrator.core.routing import Route

    assert isinstance(route, Route)
    cloud = MockCloud(rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        # one scope the route accepts (plus the world's usual ones)
        scope = " ".join(sorted({*_EVERY_SCOPE.split(), *sorted(route.scopes)[:1]}))
        token = app_token(cloud, client, scope=scope)
        response = client.request(
            route.method,
            f"{cloud.defaults.url}/orchestrator_{_concrete(route.path)}",
            headers={"Authorization": f"Bearer {token}"},
            json={} if route.method == "POST" else None,
        )
    refused_for_folder = response.status_code == 400 and response.json()["errorCode"] == 1101
    assert refused_for_folder is bool(route.folder), (response.status_code, response.text)


def test_a_token_without_the_route_scopes_is_refused_with_the_abp_403() -> None:
    cloud = MockCloud()
    with httpx.Client(transport=cloud.transport()) as client:
        token = app_token(cloud, client, scope="OR.Assets")
        response = Orch(cloud, client, token).get("/odata/Jobs")
    assert response.status_code == 403


def test_one_key_parser_takes_the_int64_suffix_on_every_keyed_route() -> None:
    """GET Jobs(nL) was 200 while POST Jobs(nL)/StopJob was 400: now both take the suffix."""
    cloud = MockCloud()
    with httpx.Client(transport=cloud.transport()) as client:
        orch = Orch(cloud, client)
        start = orch.post(
            f"/odata/Jobs/{ACTION}StartJobs",
            {"startInfo": {"ReleaseKey": cloud.defaults.release_key, "JobsCount": 1}},
        )
        job_id = start.json()["value"][0]["Id"]
        assert orch.get(f"/odata/Jobs({job_id}L)").status_code == 200
        stopped = orch.post(f"/odata/Jobs({job_id}L)/{ACTION}StopJob", {"strategy": "Kill"})
        assert stopped.status_code == 200, stopped.text
        bad = orch.post(f"/odata/Jobs({job_id}x)/{ACTION}StopJob", {"strategy": "Kill"})
        assert bad.status_code == 400
        assert bad.json()["message"].endswith(
            f"The key value ({job_id}x) from request is not valid."
        )


def test_the_journal_counts_token_routes_from_the_table() -> None:
    cloud = MockCloud()
    assert cloud.journal.token_routes == TOKEN_ROUTES
    with httpx.Client(transport=cloud.transport()) as client:
        app_token(cloud, client)
        Orch(cloud, client).get("/odata/Folders")
    assert [e.route for e in cloud.journal.token_requests()] == ["identity.token"] * 2

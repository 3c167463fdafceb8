"""Floods and odd hosts at every route: query-parameter floods, internationalised host names.

Each of these once answered a 500 of the mock's own making (issue 13): more than 200 query
parameters on the authorize routes, ``/identity_/web/`` or ``GetFoldersForCurrentUser``, and
an internationalised host name in process. Every route of every profile now answers in its
dialect, and the world records no internal error.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.identity.urls import IDENTITY_ROUTES
from mock_orchestrator.orchestrator.urls import ORCHESTRATOR_ROUTES

from ._orch_helpers import app_token

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_SITE_HOSTS = {
    "cloud": "cloud.uipath.com",
    "account": "account.uipath.com",
    "onprem": "orchestrator.mock.test",
}
_PROFILE_OF_SITE = {"cloud": "identity", "account": "legacy", "onprem": "onprem"}


def _concrete(path: str) -> str:
    path = path.replace("(?:/[^/]+/[^/]+)?", "")
    return _GROUP.sub("1", path).replace("\\", "")


def _targets() -> list[tuple[str, str, str]]:
    """(profile, method, URL) for every identity route on its own host, and every
    Orchestrator route under the cloud's /{org}/{tenant}/orchestrator_ shape."""
    found = []
    for route in IDENTITY_ROUTES:
        for site in sorted(route.sites):
            host = _SITE_HOSTS[site]
            found.append(
                (_PROFILE_OF_SITE[site], route.method, f"https://{host}" + _concrete(route.path))
            )
    base = "https://cloud.uipath.com/acmecorp/AcmeDefaultq3v91/orchestrator_"
    for route in ORCHESTRATOR_ROUTES:
        found.append(("identity", route.method, base + _concrete(route.path)))
    return found


TARGETS = _targets()


def _world(profile: str) -> tuple[MockCloud, dict[str, str]]:
    cloud = MockCloud(profile, seed=5, rate_limit_per_minute=None)  # type: ignore[arg-type]
    if profile != "identity":
        return cloud, {}
    with httpx.Client(transport=cloud.transport()) as client:
        token = app_token(cloud, client)
    return cloud, {"Authorization": f"Bearer {token}", "X-UIPATH-FolderPath": "Shared"}


def _send(cloud: MockCloud, method: str, url: str, headers: dict[str, str], **kw: Any) -> int:
    seen = len(cloud.internal_errors)
    response = cloud.handle(httpx.Request(method, url, headers=headers, **kw))
    assert len(cloud.internal_errors) == seen, cloud.internal_errors[-1]
    assert response.status_code < 500 or response.status_code == 503, (url, response.text[:200])
    return response.status_code


@pytest.mark.parametrize(
    ("profile", "method", "url"), TARGETS, ids=[f"{p}-{m}-{u[8:]}" for p, m, u in TARGETS]
)
def test_a_query_parameter_flood_is_never_a_500(profile: str, method: str, url: str) -> None:
    cloud, headers = _world(profile)
    flood = [(f"p{i}", "v") for i in range(250)]
    _send(cloud, method, url, headers, params=flood)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.sampled_from(TARGETS),
    label=st.text(
        st.characters(whitelist_categories=("Ll", "Lo"), min_codepoint=0xA0),
        min_size=1,
        max_size=12,
    ),
    flood=st.integers(min_value=0, max_value=400),
)
def test_internationalised_hosts_and_floods_never_get_a_500(
    target: tuple[str, str, str], label: str, flood: int
) -> None:
    profile, method, url = target
    # An internationalised host is no emulated host: it is routed as the served origin.
    try:
        idn_url = httpx.URL(url).copy_with(host=f"{label}.example")
    except (httpx.InvalidURL, UnicodeError):  # not every string is a valid IDNA label
        return
    cloud, headers = _world(profile)
    params = [(f"k{i}", "\u00e9") for i in range(flood)]
    _send(cloud, method, str(idn_url), headers, params=params)


def test_an_internationalised_host_gets_an_ascii_location() -> None:
    # The redirect of authorize names the host it was asked on: in its ASCII (punycode) form.
    cloud = MockCloud()
    response = cloud.handle(
        httpx.Request("GET", "https://bücher.example/identity_/connect/authorize?client_id=x")
    )
    assert response.status_code == 302
    assert response.headers["location"].startswith("https://xn--bcher-kva.example/identity_/web/")
    assert not cloud.internal_errors

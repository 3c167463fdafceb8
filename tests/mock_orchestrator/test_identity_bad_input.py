"""Bad input to every identity route: the dialect's error, never a 500 or a traceback."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.core.request import MAX_BODY_BYTES

IDENTITY_TOKEN = "https://cloud.uipath.com/identity_/connect/token"
LEGACY_TOKEN = "https://account.uipath.com/oauth/token"

ROUTES = [
    ("POST", IDENTITY_TOKEN),
    ("POST", "https://cloud.uipath.com/acmecorp/identity_/connect/token"),
    ("GET", "https://cloud.uipath.com/identity_/connect/authorize"),
    ("GET", "https://cloud.uipath.com/identity_/.well-known/openid-configuration"),
    ("GET", "https://cloud.uipath.com/identity_/connect/userinfo"),
    ("POST", LEGACY_TOKEN),
    ("GET", "https://account.uipath.com/authorize"),
    ("GET", "https://platform.uipath.com/cloudrpa/api/getAccountsForUser"),
    ("GET", "https://platform.uipath.com/cloudrpa/api/account/acmecorp/getAllServiceInstances"),
    ("GET", "https://cloud.uipath.com/x/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo"),
    ("POST", "https://cloud.uipath.com/api/Account/Authenticate"),
    ("POST", "https://orchestrator.mock.test/api/Account/Authenticate"),
    ("POST", "https://orchestrator.mock.test/identity/connect/token"),
]
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "text/json",
        "application/json; charset=utf-16",
        "multipart/form-data; boundary=x",
        "",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=15), inner, max_size=4)
        ),
        max_leaves=8,
    ).map(lambda v: __import__("json").dumps(v).encode()),
    st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "client_id",
                "client_secret",
                "refresh_token",
                "code",
                "scope",
                "redirect_uri",
                "code_verifier",
                "password",
                "usernameOrEmailAddress",
                "x",
            ]
        ),
        st.text(max_size=30),
    ).map(lambda d: __import__("urllib.parse").parse.urlencode(d).encode()),
)
QUERIES = st.dictionaries(
    st.sampled_from(
        [
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "errorCode",
            "x",
        ]
    ),
    st.text(max_size=30),
    max_size=6,
)


@pytest.mark.parametrize(("method", "url"), ROUTES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=BODIES,
    content_type=CONTENT_TYPES,
    query=QUERIES,
    bearer=st.sampled_from([None, "", "garbage", "Bearer", "Bearer eyJ.x.y", "Basic Zm9v"]),
)
def test_no_route_answers_500(
    method: str,
    url: str,
    body: bytes,
    content_type: str,
    query: dict[str, str],
    bearer: str | None,
) -> None:
    cloud = MockCloud("identity" if "mock.test" not in url else "onprem")
    headers = {"content-type": content_type} if content_type else {}
    if bearer is not None:
        headers["authorization"] = bearer
    request = httpx.Request(
        method, url, params=query, headers=headers, content=body if method == "POST" else None
    )
    response = cloud.handle(request)
    assert response.status_code < 500, cloud.internal_errors
    assert not cloud.internal_errors
    if response.status_code >= 400 and response.content:
        ctype = response.headers.get("content-type", "")
        assert "json" in ctype or "html" in ctype
        if "json" in ctype:
            payload = response.json()
            # every JSON error is in one of UiPath's dialects: OAuth {"error"}, the compact and
            # ABP envelopes {"message","errorCode"}, or cloudrpa's {"message"} ([?] documented)
            assert isinstance(payload, dict)
            assert "error" in payload or "message" in payload
            assert "Traceback" not in response.text


def test_json_body_to_identity_token_endpoint_is_invalid_request(cloud: MockCloud) -> None:
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        r = client.post(
            IDENTITY_TOKEN, json={"grant_type": "client_credentials", "client_id": d.client_id}
        )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_json_body_can_answer_html_as_on_prem_did(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("identity", identity_json_body="html")
    with httpx.Client(transport=cloud.transport()) as client:
        r = client.post(IDENTITY_TOKEN, json={"grant_type": "client_credentials"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


def test_repeated_form_parameter_is_invalid_request(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        r = client.post(
            IDENTITY_TOKEN,
            content=b"grant_type=a&grant_type=b",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_huge_bodies_are_refused_in_each_dialect(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("identity")
    big = b"a=" + b"x" * (MAX_BODY_BYTES + 1)
    with httpx.Client(transport=cloud.transport()) as client:
        identity = client.post(
            IDENTITY_TOKEN,
            content=big,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        legacy = client.post(
            LEGACY_TOKEN,
            content=b'{"a":"' + b"x" * MAX_BODY_BYTES + b'"}',
            headers={"content-type": "application/json"},
        )
    assert identity.status_code == 413
    assert identity.json()["error"] == "invalid_request"
    # Every route refuses a body over the limit with a 413, in its own dialect (issue 13).
    assert legacy.status_code == 413
    assert legacy.json()["error"] == "invalid_request"


def test_bad_input_does_not_corrupt_state(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        for junk in (b"\xff\xfe", b"grant_type=refresh_token&refresh_token=%FF", b"{]"):
            client.post(
                IDENTITY_TOKEN,
                content=junk,
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
        good = client.post(
            IDENTITY_TOKEN,
            data={
                "grant_type": "refresh_token",
                "client_id": cloud.defaults.public_client_id,
                "refresh_token": cloud.defaults.refresh_token,
            },
        )
    assert good.status_code == 200


def test_unknown_route_is_404_and_explains_itself(cloud: MockCloud) -> None:
    with httpx.Client(transport=cloud.transport()) as client:
        r = client.post("https://cloud.uipath.com/identity_/connect/tokn", data={"a": "b"})
    assert r.status_code == 404
    assert r.content == b""
    explanation = cloud.journal[-1].error or ""
    assert "uipath-mock: no route for POST /identity_/connect/tokn" in explanation
    assert "/identity_/connect/token" in explanation

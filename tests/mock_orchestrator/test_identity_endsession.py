"""GET {identity}/connect/endsession: RP-initiated logout (identity/revocation.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._helpers import VERIFIER, authorize, challenge, code_from, refresh

IDENTITY = "https://cloud.uipath.com/identity_"
END_SESSION = IDENTITY + "/connect/endsession"
SCOPE = "openid offline_access OrchestratorApiUserAccess"


def login(client: httpx.Client, cloud: MockCloud, base: str = IDENTITY) -> dict[str, Any]:
    """A browser login of the public CLI client with openid: the token response."""
    d = cloud.defaults
    response = authorize(
        client,
        base + "/connect/authorize",
        client_id=d.public_client_id,
        redirect_uri=d.redirect_uri,
        scope=SCOPE,
        code_challenge=challenge(),
    )
    form = {
        "grant_type": "authorization_code",
        "code": code_from(response),
        "client_id": d.public_client_id,
        "redirect_uri": d.redirect_uri,
        "code_verifier": VERIFIER,
    }
    body: dict[str, Any] = client.post(base + "/connect/token", data=form).json()
    assert "id_token" in body, body
    return body


def end_session(client: httpx.Client, url: str = END_SESSION, **params: str) -> httpx.Response:
    return client.get(url, params=params)


def authorize_status(client: httpx.Client, cloud: MockCloud) -> str:
    """Where the next authorize sends the browser: 'code' or the error page's errorCode."""
    d = cloud.defaults
    response = authorize(
        client,
        IDENTITY + "/connect/authorize",
        client_id=d.public_client_id,
        redirect_uri=d.redirect_uri,
        scope=SCOPE,
        code_challenge=challenge(),
    )
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return "code" if "code" in query else query["errorCode"][0]


def test_logout_redirects_to_the_registered_uri_with_state(
    client: httpx.Client, cloud: MockCloud
) -> None:
    body = login(client, cloud)
    uri = cloud.defaults.redirect_uri
    answer = end_session(
        client, id_token_hint=body["id_token"], post_logout_redirect_uri=uri, state="s-42"
    )
    assert answer.status_code == 302
    assert answer.headers["location"] == uri + "?state=s-42"
    assert cloud.journal[-1].route == "identity.endsession"


def test_logout_ends_the_session_and_the_refresh_tokens_of_that_client(
    client: httpx.Client, cloud: MockCloud
) -> None:
    body = login(client, cloud)
    assert authorize_status(client, cloud) == "code"
    assert end_session(client, id_token_hint=body["id_token"]).status_code == 200
    # the session is over: the next authorize asks for a login
    assert authorize_status(client, cloud) == "login_required"
    # and the client's refresh tokens are dead, the day-one one included (same user, client)
    assert refresh(client, cloud, body["refresh_token"]).json() == {"error": "invalid_grant"}
    assert refresh(client, cloud, cloud.defaults.refresh_token or "").status_code == 400
    cloud.identity.sign_in()
    assert authorize_status(client, cloud) == "code"


def test_logout_spares_the_refresh_tokens_of_other_clients(
    client: httpx.Client, cloud: MockCloud
) -> None:
    d = cloud.defaults
    other = cloud.identity.issue_refresh_token(
        d.client_id, cloud.identity.login_user, frozenset({"offline_access"})
    )
    body = login(client, cloud)
    assert end_session(client, id_token_hint=body["id_token"]).status_code == 200
    form = {
        "grant_type": "refresh_token",
        "refresh_token": other,
        "client_id": d.client_id,
        "client_secret": d.client_secret,
    }
    assert client.post(IDENTITY + "/connect/token", data=form).status_code == 200


def test_without_a_redirect_uri_a_signed_out_page(client: httpx.Client, cloud: MockCloud) -> None:
    body = login(client, cloud)
    answer = end_session(client, id_token_hint=body["id_token"], state="s")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "signed out" in answer.text
    assert cloud.identity.session_ended


@pytest.mark.parametrize(
    "uri",
    [
        "http://localhost:8104/oidc/login/",  # trailing slash: not an exact match
        "http://localhost:9999/oidc/login",  # another port
        "https://evil.example/",
    ],
)
def test_an_unregistered_redirect_uri_is_not_followed(
    client: httpx.Client, cloud: MockCloud, uri: str
) -> None:
    body = login(client, cloud)
    answer = end_session(client, id_token_hint=body["id_token"], post_logout_redirect_uri=uri)
    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert cloud.identity.session_ended  # the logout itself still happened


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"client_id": "PUBLIC"},
        {"id_token_hint": "not-a-token"},
        {"id_token_hint": "ACCESS"},  # an access token is no id token
        {"id_token_hint": "ID", "client_id": "CLIENT"},  # hint and client_id disagree
    ],
)
def test_without_a_valid_hint_only_a_prompt_and_nothing_ends(
    client: httpx.Client, cloud: MockCloud, params: dict[str, str]
) -> None:
    d = cloud.defaults
    body = login(client, cloud)
    names = {
        "PUBLIC": d.public_client_id,
        "CLIENT": d.client_id,
        "ID": body["id_token"],
        "ACCESS": body["access_token"],
    }
    query = {k: names.get(v, v) for k, v in params.items()}
    answer = end_session(client, post_logout_redirect_uri=d.redirect_uri, **query)
    assert answer.status_code == 200
    assert "Do you want to sign out?" in answer.text
    assert not cloud.identity.session_ended
    assert authorize_status(client, cloud) == "code"
    assert refresh(client, cloud, body["refresh_token"]).status_code == 200


def test_an_expired_id_token_is_still_a_valid_hint(client: httpx.Client, cloud: MockCloud) -> None:
    body = login(client, cloud)
    cloud.clock.advance(hours=5)
    answer = end_session(
        client, id_token_hint=body["id_token"], post_logout_redirect_uri=cloud.defaults.redirect_uri
    )
    assert answer.status_code == 302


def test_a_hint_for_another_user_than_the_signed_in_one_is_refused(
    client: httpx.Client, cloud: MockCloud
) -> None:
    identity = cloud.identity
    ada = identity.login_user
    assert ada is not None
    bob = identity.add_user(ada.org, "bob", "bob@acme.test", "pw-Bob-1")
    identity.sign_in(bob)
    bobs = login(client, cloud)
    identity.sign_in(ada)
    answer = end_session(client, id_token_hint=bobs["id_token"])
    assert "Do you want to sign out?" in answer.text
    assert not identity.session_ended


def test_onprem_end_session_lives_under_identity(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("onprem")
    base = cloud.defaults.identity_url or ""
    with httpx.Client(transport=cloud.transport()) as client:
        body = login(client, cloud, base)  # an id token of the on-prem issuer
        answer = client.get(
            base + "/connect/endsession",
            params={
                "id_token_hint": body["id_token"],
                "post_logout_redirect_uri": cloud.defaults.redirect_uri,
            },
        )
    assert answer.status_code == 302
    assert cloud.journal[-1].route == "identity.onprem_endsession"


def test_a_hint_of_the_other_issuer_is_only_a_prompt(
    client: httpx.Client, cloud: MockCloud
) -> None:
    body = login(client, cloud)
    answer = client.get(
        f"https://{cloud.onprem_host}/identity/connect/endsession",
        params={"id_token_hint": body["id_token"]},
    )
    # an on-prem host does not know a cloud id token (and this world has no on-prem session)
    assert answer.status_code == 200
    assert "Do you want to sign out?" in answer.text
    assert not cloud.identity.session_ended


def test_too_many_parameters_is_an_error_page_not_a_500(
    client: httpx.Client, cloud: MockCloud
) -> None:
    query = "&".join(f"p{i}=v" for i in range(300))
    answer = client.get(f"{END_SESSION}?{query}")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


def test_the_journal_never_shows_the_id_token(client: httpx.Client, cloud: MockCloud) -> None:
    body = login(client, cloud)
    end_session(client, id_token_hint=body["id_token"], state="s")
    rendered = json.dumps(cloud.journal[-1].to_dict())
    assert body["id_token"] not in rendered
    assert "id_token_hint" in rendered

"""POST {identity}/connect/revocation: RFC 7009 as IdentityServer implements it.

The choices and their sources are in ``mock_orchestrator/identity/revocation.py``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.core.request import MAX_BODY_BYTES

from ._helpers import refresh

REVOKE = "https://cloud.uipath.com/identity_/connect/revocation"
ONPREM_REVOKE = "https://orchestrator.mock.test/identity/connect/revocation"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def revoke(client: httpx.Client, url: str = REVOKE, **form: str) -> httpx.Response:
    return client.post(url, data=form)


def revoke_public(
    client: httpx.Client, cloud: MockCloud, token: str, **extra: str
) -> httpx.Response:
    return revoke(client, token=token, client_id=cloud.defaults.public_client_id, **extra)


def folders(client: httpx.Client, cloud: MockCloud, access_token: str) -> int:
    """The status Orchestrator answers to a call made with ``access_token``."""
    url = cloud.defaults.url + "/orchestrator_/odata/Folders"
    return client.get(url, headers={"Authorization": f"Bearer {access_token}"}).status_code


def basic(client_id: str, secret: str) -> str:
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode()


# -- the happy path: revoke, then the refresh fails ------------------------------------


def test_revoke_then_refresh_is_invalid_grant(client: httpx.Client, cloud: MockCloud) -> None:
    token = cloud.defaults.refresh_token or ""
    answer = revoke_public(client, cloud, token, token_type_hint="refresh_token")
    assert answer.status_code == 200
    assert answer.content == b""  # RFC 7009 §2.2: no body
    assert refresh(client, cloud, token).json() == {"error": "invalid_grant"}
    assert cloud.journal[0].route == "identity.revocation"


def test_revoking_without_a_hint_finds_the_refresh_token(
    client: httpx.Client, cloud: MockCloud
) -> None:
    token = cloud.defaults.refresh_token or ""
    assert revoke_public(client, cloud, token).status_code == 200
    assert refresh(client, cloud, token).status_code == 400


def test_revoking_any_member_revokes_the_whole_rotation_family(
    client: httpx.Client, cloud: MockCloud
) -> None:
    first = cloud.defaults.refresh_token or ""
    second = refresh(client, cloud, first).json()["refresh_token"]
    third = refresh(client, cloud, second).json()["refresh_token"]
    # the consumed middle token is presented for revocation: the family's newest dies with it
    assert revoke_public(client, cloud, second).status_code == 200
    assert refresh(client, cloud, third).json() == {"error": "invalid_grant"}
    family = cloud.identity.refresh_tokens[third].family
    assert family.revoked
    assert family.revoked_reason == "revocation endpoint"


def test_a_revoked_family_stays_revoked(client: httpx.Client, cloud: MockCloud) -> None:
    first = cloud.defaults.refresh_token or ""
    second = refresh(client, cloud, first).json()["refresh_token"]
    assert revoke_public(client, cloud, second).status_code == 200
    cloud.clock.advance(days=1)
    for token in (second, first, second):
        assert refresh(client, cloud, token).json() == {"error": "invalid_grant"}
    # revoking again is still a quiet 200
    assert revoke_public(client, cloud, second).status_code == 200


def test_the_org_scoped_mount_revokes_too(client: httpx.Client, cloud: MockCloud) -> None:
    token = cloud.defaults.refresh_token or ""
    url = f"https://cloud.uipath.com/{cloud.defaults.organization}/identity_/connect/revocation"
    assert revoke(client, url, token=token, client_id=cloud.defaults.public_client_id).is_success
    assert refresh(client, cloud, token).status_code == 400


# -- what answers 200 and revokes nothing ----------------------------------------------


def test_an_unknown_token_answers_200_and_changes_nothing(
    client: httpx.Client, cloud: MockCloud
) -> None:
    answer = revoke_public(client, cloud, "0" * 64, token_type_hint="refresh_token")
    assert answer.status_code == 200
    assert answer.content == b""
    assert refresh(client, cloud, cloud.defaults.refresh_token or "").status_code == 200


def test_another_clients_token_answers_200_but_is_not_revoked(
    client: httpx.Client, cloud: MockCloud
) -> None:
    d = cloud.defaults
    token = d.refresh_token or ""  # issued to the public CLI client
    answer = revoke(client, token=token, client_id=d.client_id, client_secret=d.client_secret)
    assert answer.status_code == 200
    assert not cloud.identity.refresh_tokens[token].family.revoked
    assert refresh(client, cloud, token).status_code == 200


def test_a_wrong_hint_is_not_widened(client: httpx.Client, cloud: MockCloud) -> None:
    token = cloud.defaults.refresh_token or ""
    assert revoke_public(client, cloud, token, token_type_hint="access_token").status_code == 200
    assert refresh(client, cloud, token).status_code == 200  # IS4 looked at access tokens only


def test_a_token_of_the_other_issuer_is_unknown(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    onprem_token = cloud.identity.issue_refresh_token(
        d.public_client_id, cloud.identity.login_user, frozenset({"offline_access"}), "onprem"
    )
    with httpx.Client(transport=cloud.transport()) as client:
        assert revoke_public(client, cloud, onprem_token).status_code == 200
    assert not cloud.identity.refresh_tokens[onprem_token].family.revoked


# -- access tokens: JWTs stay valid unless a setting says otherwise ---------------------


def test_by_default_an_access_token_outlives_its_revocation(
    client: httpx.Client, cloud: MockCloud
) -> None:
    token = cloud.defaults.refresh_token or ""
    access = refresh(client, cloud, token).json()["access_token"]
    assert revoke_public(client, cloud, access, token_type_hint="access_token").status_code == 200
    assert revoke_public(client, cloud, access).status_code == 200
    assert folders(client, cloud, access) == 200
    # and the refresh token's revocation leaves it alive too (UiPath: "~60 min")
    newest = cloud.identity.refresh_tokens[token].successor or ""
    assert revoke_public(client, cloud, newest).status_code == 200
    assert folders(client, cloud, access) == 200


def test_revocable_access_tokens_setting_revokes_the_token_itself(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud("identity", revocable_access_tokens=True)
    with httpx.Client(transport=cloud.transport()) as client:
        access = refresh(client, cloud, cloud.defaults.refresh_token or "").json()["access_token"]
        assert folders(client, cloud, access) == 200
        assert revoke_public(client, cloud, access).status_code == 200
        assert folders(client, cloud, access) == 401
    assert cloud.journal[-1].auth == "revoked"


def test_a_refresh_token_hint_does_not_find_an_access_token(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud("identity", revocable_access_tokens=True)
    with httpx.Client(transport=cloud.transport()) as client:
        access = refresh(client, cloud, cloud.defaults.refresh_token or "").json()["access_token"]
        answer = revoke_public(client, cloud, access, token_type_hint="refresh_token")
        assert answer.status_code == 200
        assert folders(client, cloud, access) == 200


def test_revocable_access_tokens_still_spares_another_clients_token(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud("identity", revocable_access_tokens=True)
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        access = refresh(client, cloud, d.refresh_token or "").json()["access_token"]
        answer = revoke(client, token=access, client_id=d.client_id, client_secret=d.client_secret)
        assert answer.status_code == 200
        assert folders(client, cloud, access) == 200


def test_family_revocation_takes_access_tokens_along_when_set(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud("identity", revoke_access_tokens_with_family=True)
    with httpx.Client(transport=cloud.transport()) as client:
        body = refresh(client, cloud, cloud.defaults.refresh_token or "").json()
        assert revoke_public(client, cloud, body["refresh_token"]).status_code == 200
        assert folders(client, cloud, body["access_token"]) == 401


# -- client authentication, as the token endpoint does it -------------------------------


def test_confidential_client_authenticates_with_basic_or_form(
    make_cloud: Callable[..., MockCloud],
) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    user = cloud.identity.login_user
    scopes = frozenset({"offline_access", "OrchestratorApiUserAccess"})
    by_form = cloud.identity.issue_refresh_token(d.client_id, user, scopes)
    by_basic = cloud.identity.issue_refresh_token(d.client_id, user, scopes)
    with httpx.Client(transport=cloud.transport()) as client:
        form = revoke(client, token=by_form, client_id=d.client_id, client_secret=d.client_secret)
        assert form.status_code == 200
        header = basic(d.client_id, d.client_secret)
        answer = client.post(REVOKE, data={"token": by_basic}, headers={"Authorization": header})
        assert answer.status_code == 200
    assert cloud.identity.refresh_tokens[by_form].family.revoked
    assert cloud.identity.refresh_tokens[by_basic].family.revoked


@pytest.mark.parametrize(
    "credentials",
    [
        {"client_id": "CLIENT", "client_secret": "wrong"},
        {"client_id": "CLIENT"},  # a confidential client without its secret
        {"client_id": "no-such-client"},
        {},
        {"client_id": "PUBLIC", "client_secret": "a-public-client-has-none"},
        {"basic": "wrong"},
    ],
)
def test_a_bad_client_is_invalid_client_and_nothing_is_revoked(
    client: httpx.Client, cloud: MockCloud, credentials: dict[str, str]
) -> None:
    d = cloud.defaults
    names = {"CLIENT": d.client_id, "PUBLIC": d.public_client_id}
    form = {k: names.get(v, v) for k, v in credentials.items() if k != "basic"}
    headers = {"Authorization": basic(d.client_id, "wrong")} if "basic" in credentials else {}
    token = d.refresh_token or ""
    answer = client.post(REVOKE, data={"token": token, **form}, headers=headers)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_client"}
    assert "cache-control" not in answer.headers  # IS4's revocation error has no extras
    assert refresh(client, cloud, token).status_code == 200


def test_an_undecodable_basic_header_falls_back_to_the_form(
    client: httpx.Client, cloud: MockCloud
) -> None:
    token = cloud.defaults.refresh_token or ""
    answer = client.post(
        REVOKE,
        data={"token": token, "client_id": cloud.defaults.public_client_id},
        headers={"Authorization": "Basic !!not-base64!!"},
    )
    assert answer.status_code == 200
    assert refresh(client, cloud, token).status_code == 400


# -- bad input, in IdentityServer's dialect ---------------------------------------------


@pytest.mark.parametrize("token", [None, ""])
def test_a_missing_token_is_invalid_request(
    client: httpx.Client, cloud: MockCloud, token: str | None
) -> None:
    form = {"client_id": cloud.defaults.public_client_id}
    if token is not None:
        form["token"] = token
    answer = client.post(REVOKE, data=form)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request"}


@pytest.mark.parametrize("hint", ["id_token", "refresh", "ACCESS_TOKEN"])
def test_an_unknown_hint_is_unsupported_token_type(
    client: httpx.Client, cloud: MockCloud, hint: str
) -> None:
    token = cloud.defaults.refresh_token or ""
    answer = revoke_public(client, cloud, token, token_type_hint=hint)
    assert answer.status_code == 400
    assert answer.json() == {"error": "unsupported_token_type"}
    assert refresh(client, cloud, token).status_code == 200


def test_a_blank_hint_counts_as_none(client: httpx.Client, cloud: MockCloud) -> None:
    token = cloud.defaults.refresh_token or ""
    assert revoke_public(client, cloud, token, token_type_hint="").status_code == 200
    assert refresh(client, cloud, token).status_code == 400


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"token": "x"}', "application/json"),
        (b"token=x", "text/plain"),
        (b"token=x", None),
    ],
)
def test_a_body_that_is_not_a_form_is_an_empty_415(
    client: httpx.Client, cloud: MockCloud, content: bytes, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    answer = client.post(REVOKE, content=content, headers=headers)
    assert answer.status_code == 415
    assert answer.content == b""


@pytest.mark.parametrize(
    "content",
    [b"token=a&token=b&client_id=x", b"token=\xff\xfe&client_id=x"],
)
def test_a_malformed_form_is_invalid_request(
    client: httpx.Client, cloud: MockCloud, content: bytes
) -> None:
    answer = client.post(REVOKE, content=content, headers=FORM)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request"}


def test_a_huge_body_is_an_empty_413(client: httpx.Client, cloud: MockCloud) -> None:
    big = b"token=" + b"x" * (MAX_BODY_BYTES + 1)
    answer = client.post(REVOKE, content=big, headers=FORM)
    assert answer.status_code == 413
    assert answer.content == b""


REVOCATION_ROUTES = [
    REVOKE,
    "https://cloud.uipath.com/acmecorp/identity_/connect/revocation",
    ONPREM_REVOKE,
]


@pytest.mark.parametrize("url", REVOCATION_ROUTES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    form=st.dictionaries(
        st.sampled_from(["token", "token_type_hint", "client_id", "client_secret", "x"]),
        st.one_of(st.text(max_size=30), st.sampled_from(["access_token", "refresh_token"])),
    ),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/json", "multipart/form-data", ""]
    ),
    authorization=st.sampled_from([None, "", "Basic", "Basic Og==", "Basic eDp5", "Bearer x"]),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_no_input_makes_the_revocation_endpoint_answer_500(
    url: str,
    form: dict[str, str],
    content_type: str,
    authorization: str | None,
    raw: bytes | None,
) -> None:
    cloud = MockCloud("onprem" if "mock.test" in url else "identity")
    headers = {"content-type": content_type} if content_type else {}
    if authorization is not None:
        headers["authorization"] = authorization
    content = (
        raw
        if raw is not None
        else "&".join(f"{quote(k)}={quote(v)}" for k, v in form.items()).encode()
    )
    response = cloud.handle(httpx.Request("POST", url, content=content, headers=headers))
    assert response.status_code in (200, 400, 413, 415)
    assert not cloud.internal_errors
    if response.content:
        assert set(response.json()) == {"error"}


# -- on-prem, discovery, secrets --------------------------------------------------------


def test_onprem_revocation_lives_under_identity(make_cloud: Callable[..., MockCloud]) -> None:
    cloud = make_cloud("onprem")
    d = cloud.defaults
    token = cloud.identity.issue_refresh_token(
        d.public_client_id, cloud.identity.login_user, frozenset({"offline_access"}), "onprem"
    )
    token_url = f"{d.identity_url}/connect/token"
    form = {"grant_type": "refresh_token", "client_id": d.public_client_id}
    with httpx.Client(transport=cloud.transport()) as client:
        answer = revoke(
            client,
            f"{d.identity_url}/connect/revocation",
            token=token,
            client_id=d.public_client_id,
        )
        assert answer.status_code == 200
        assert client.post(token_url, data={**form, "refresh_token": token}).status_code == 400
    assert cloud.journal[0].route == "identity.onprem_revocation"


@pytest.mark.parametrize("profile", ["identity", "onprem"])
def test_discovery_advertises_revocation_and_end_session(
    make_cloud: Callable[..., MockCloud], profile: str
) -> None:
    cloud = make_cloud(profile)
    base = cloud.defaults.identity_url
    with httpx.Client(transport=cloud.transport()) as client:
        doc = client.get(f"{base}/.well-known/openid-configuration").json()
        assert doc["revocation_endpoint"] == f"{base}/connect/revocation"
        assert doc["end_session_endpoint"] == f"{base}/connect/endsession"
        # and both are served where they are advertised
        assert client.post(doc["revocation_endpoint"], data={"token": "x"}).status_code == 400
        assert client.get(doc["end_session_endpoint"]).status_code == 200


def test_the_journal_and_errors_never_show_a_token_or_secret(
    client: httpx.Client, cloud: MockCloud
) -> None:
    d = cloud.defaults
    token = d.refresh_token or ""
    secret = d.client_secret or ""
    revoke_public(client, cloud, token)
    client.post(
        REVOKE, data={"token": token}, headers={"Authorization": basic(d.client_id, secret)}
    )
    client.post(REVOKE, data={"token": token, "client_id": d.client_id, "client_secret": "bad"})
    client.post(REVOKE, content=f"token={token}&token={token}".encode(), headers=FORM)
    rendered = json.dumps([exchange.to_dict() for exchange in cloud.journal])
    assert len(cloud.journal) == 4
    assert token not in rendered
    assert secret not in rendered
    assert all(token not in exchange.response.text for exchange in cloud.journal)


def test_served_revocation_over_loopback(make_cloud: Callable[..., MockCloud]) -> None:
    from mock_orchestrator.served import serve_in_thread

    cloud = make_cloud("identity")
    d = cloud.defaults
    token = d.refresh_token or ""
    with serve_in_thread(cloud) as base, httpx.Client(base_url=base, trust_env=False) as client:
        answer = client.post(
            "/identity_/connect/revocation",
            data={"token": token, "client_id": d.public_client_id},
        )
        assert answer.status_code == 200
        assert answer.content == b""
        again = client.post(
            "/identity_/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": d.public_client_id,
                "refresh_token": token,
            },
        )
        assert again.json() == {"error": "invalid_grant"}
        journal = client.get("/_mock/journal").text
    assert token not in journal
    assert "identity.revocation" in journal

"""Logging out: ``revoke()`` on the identity server's flows, ``OrchestratorClient.logout()`` and
``python -m client_under_test logout`` (client_under_test/_revoke.py)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import anyio
import pytest

from client_under_test import (
    AsyncOrchestratorClient,
    ClientCredentialsAuth,
    ConfigurationError,
    FileTokenStore,
    MemoryTokenStore,
    ReauthenticationRequired,
    RefreshTokenAuth,
    TokenRequestError,
)
from client_under_test.__main__ import EXIT_CREDENTIALS, EXIT_SERVER, main
from mock_orchestrator import MockCloud

from .conftest import make_auth, make_client, token_requests


def revocations(cloud: MockCloud) -> list[Any]:
    return cloud.journal.filter(route="identity.revocation")


def form_of(exchange: Any) -> dict[str, str]:
    return dict(parse_qsl(exchange.request.content.decode()))


def secrets_of(cloud: MockCloud) -> list[str]:
    d = cloud.defaults
    values = [d.client_secret, d.refresh_token]
    values += [record.token for record in cloud.identity.tokens.records()]
    values += list(cloud.identity.refresh_tokens)
    return [v for v in values if v]


# -- the refresh-token flow ------------------------------------------------------------


def test_revoke_sends_the_stores_newest_refresh_token_and_kills_the_family(
    make_cloud: Any,
) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    assert isinstance(auth, RefreshTokenAuth)
    auth.tokens_sync()
    newest = store.load(auth.key).refresh_token  # type: ignore[union-attr]
    assert newest != cloud.defaults.refresh_token  # rotated once
    auth.revoke()
    (exchange,) = revocations(cloud)
    assert exchange.status_code == 200
    assert form_of(exchange) == {
        "token": newest,
        "token_type_hint": "refresh_token",
        "client_id": cloud.defaults.public_client_id,
    }
    assert cloud.identity.refresh_tokens[newest].family.revoked


def test_after_revoke_no_dead_token_is_ever_sent_again(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    auth.tokens_sync()
    auth.revoke()
    tombstone = store.load(auth.key)
    assert tombstone is not None
    assert tombstone.revoked
    assert (tombstone.access_token, tombstone.refresh_token) == (None, None)
    sent = len(token_requests(cloud))
    with pytest.raises(ReauthenticationRequired, match="logged out"):
        auth.tokens_sync()
    # a later run with the same configuration stops before sending its day-one token
    later = make_auth(cloud, "refresh_token", store=store)
    with pytest.raises(ReauthenticationRequired):
        later.tokens_sync()
    assert len(token_requests(cloud)) == sent


def test_a_newly_configured_token_starts_over_after_a_logout(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    auth.revoke()  # before any use: the configured token itself is revoked
    assert form_of(revocations(cloud)[0])["token"] == cloud.defaults.refresh_token
    d = cloud.defaults
    fresh = cloud.identity.issue_refresh_token(
        d.public_client_id, cloud.identity.login_user, frozenset({"offline_access"})
    )
    again = RefreshTokenAuth(
        f"{d.identity_url}/connect/token",
        d.public_client_id,
        fresh,
        store=store,
        clock=cloud.clock,
        transport=cloud.transport(),
    )
    assert again.tokens_sync().access_token
    assert token_requests(cloud)[-1].status_code == 200


def test_the_tombstone_lives_in_a_token_file_and_holds_no_token(
    make_cloud: Any, tmp_path: Path
) -> None:
    cloud = make_cloud("identity")
    path = tmp_path / "tokens.json"
    auth = make_auth(cloud, "refresh_token", store=FileTokenStore(path))
    auth.tokens_sync()
    auth.revoke()
    text = path.read_text()
    for secret in secrets_of(cloud):
        assert secret not in text
    entry = json.loads(text)["credentials"][auth.key]
    assert entry["revoked"] is True
    # another process (a new store object on the same file) does not send the dead token
    later = make_auth(cloud, "refresh_token", store=FileTokenStore(path))
    sent = len(token_requests(cloud))
    with pytest.raises(ReauthenticationRequired):
        later.tokens_sync()
    assert len(token_requests(cloud)) == sent


# -- the client-credentials flow -------------------------------------------------------


def test_client_credentials_revoke_their_access_token_and_forget_it(make_cloud: Any) -> None:
    cloud = make_cloud("identity", revocable_access_tokens=True)
    store = MemoryTokenStore()
    auth = make_auth(cloud, "client_credentials", store=store)
    assert isinstance(auth, ClientCredentialsAuth)
    old = auth.tokens_sync().access_token
    assert auth.revoke() is True
    (exchange,) = revocations(cloud)
    d = cloud.defaults
    assert form_of(exchange) == {
        "token": old,
        "token_type_hint": "access_token",
        "client_id": d.client_id,
        "client_secret": d.client_secret,
    }
    assert store.load(auth.key) is None  # the entry is deleted
    assert cloud.identity.tokens.get(old or "").revoked  # type: ignore[union-attr]
    # the app itself is not revoked: the next call asks for a new token
    assert auth.tokens_sync().access_token not in (None, old)
    assert len(token_requests(cloud)) == 2


def test_client_credentials_with_nothing_held_send_nothing(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "client_credentials", store=store)
    assert auth.revoke() is False
    assert len(cloud.journal) == 0
    assert store.load(auth.key) is None


def test_a_store_without_delete_is_left_an_empty_set(make_cloud: Any) -> None:
    class OldStore(MemoryTokenStore):
        delete = None  # a third-party store written before delete() existed

    cloud = make_cloud("identity")
    store = OldStore()
    auth = make_auth(cloud, "client_credentials", store=store)
    auth.tokens_sync()
    auth.revoke()
    left = store.load(auth.key)
    assert left is not None
    assert left.access_token is None
    assert auth.tokens_sync().access_token  # and the flow carries on


# -- failures keep everything, and say so without secrets ------------------------------


def test_a_refused_client_is_a_configuration_error_and_nothing_is_forgotten(
    make_cloud: Any,
) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    auth.tokens_sync()
    before = store.load(auth.key)
    cloud.faults.add(route="identity.revocation", status=400, body={"error": "invalid_client"})
    with pytest.raises(ConfigurationError, match="invalid_client") as info:
        auth.revoke()
    assert store.load(auth.key) == before
    for secret in secrets_of(cloud):
        assert secret not in str(info.value)


def test_a_server_error_is_retried_then_reported_and_the_tokens_are_kept(
    make_cloud: Any,
) -> None:
    cloud = make_cloud("identity")
    store = MemoryTokenStore()
    auth = make_auth(cloud, "refresh_token", store=store)
    auth.tokens_sync()
    cloud.faults.add(route="identity.revocation", status=503, times=None)
    with pytest.raises(TokenRequestError, match="nothing was revoked") as info:
        auth.revoke()
    assert info.value.status_code == 503
    assert len(revocations(cloud)) == 3  # the token client's retry policy: 3 attempts
    assert not store.load(auth.key).revoked  # type: ignore[union-attr]
    cloud.faults.clear()
    auth.revoke()  # and a second try works
    assert revocations(cloud)[-1].status_code == 200


def test_revoke_logs_without_secrets(make_cloud: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="client_under_test")
    cloud = make_cloud("identity")
    for kind in ("refresh_token", "client_credentials"):
        auth = make_auth(cloud, kind)
        auth.tokens_sync()
        auth.revoke()
        text = caplog.text + repr(auth) + repr(auth.store)
        assert "revocation: POST" in caplog.text
        for secret in secrets_of(cloud):
            assert secret not in text


# -- OrchestratorClient.logout and the command line ------------------------------------


def test_orchestrator_client_logout(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    with make_client(cloud) as client:
        client.get_folder()
        client.logout()
        with pytest.raises(ReauthenticationRequired):
            client.get_folder()
    assert revocations(cloud)[0].status_code == 200


def test_async_orchestrator_client_logout(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults

    async def run() -> None:
        async with AsyncOrchestratorClient(
            d.url,
            client_id=d.public_client_id,
            refresh_token=d.refresh_token,
            identity_url=d.identity_url,
            folder=d.folder,
            clock=cloud.clock,
            sleep=cloud.clock.sleep,
            transport=cloud.transport(),
        ) as client:
            await client.get_folder()
            await client.logout()
            with pytest.raises(ReauthenticationRequired):
                await client.get_folder()

    anyio.run(run)
    (exchange,) = revocations(cloud)
    assert exchange.status_code == 200
    assert cloud.identity.refresh_tokens[form_of(exchange)["token"]].family.revoked


@pytest.mark.parametrize(("profile", "kind"), [("legacy", "user_key"), ("onprem", "password")])
def test_logout_of_a_credential_without_revocation_is_refused(
    make_cloud: Any, profile: str, kind: str
) -> None:
    cloud = make_cloud(profile)
    with make_client(cloud, kind) as client, pytest.raises(ConfigurationError, match="logout"):
        client.logout()
    assert len(cloud.journal) == 0


def _cli(cloud: MockCloud, argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        argv,
        environ=env,
        stdout=out,
        stderr=err,
        clock=cloud.clock,
        sleep=cloud.clock.sleep,
        transport=cloud.transport(),
    )
    return code, out.getvalue(), err.getvalue()


def test_cli_logout_then_start_job_needs_a_new_sign_in(make_cloud: Any, tmp_path: Path) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    env = {
        "UIPATH_URL": d.url,
        "UIPATH_FOLDER_PATH": d.folder,
        "UIPATH_CLIENT_ID": d.public_client_id,
        "UIPATH_REFRESH_TOKEN": d.refresh_token or "",
        "UIPATH_TOKEN_STORE": str(tmp_path / "tokens.json"),
    }
    code, out, err = _cli(cloud, ["start-job", "--process", d.process], env)
    assert code == 0, err
    code, out, err = _cli(cloud, ["logout", "-v"], env)
    assert code == 0, err
    assert out.strip() == (
        "logged out (refresh token): revoked at the identity server; stored tokens forgotten"
    )
    sent = len(token_requests(cloud))
    code, out2, err2 = _cli(cloud, ["start-job", "--process", d.process], env)
    assert code == EXIT_CREDENTIALS
    assert "logged out" in err2
    assert len(token_requests(cloud)) == sent  # the dead day-one token was not sent
    for secret in secrets_of(cloud):
        assert secret not in out + err + out2 + err2


def test_cli_logout_reports_a_refusal(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    d = cloud.defaults
    env = {
        "UIPATH_URL": d.url,
        "UIPATH_CLIENT_ID": d.client_id,
        "UIPATH_CLIENT_SECRET": d.client_secret,
    }
    code, out, err = _cli(cloud, ["logout"], env)  # nothing held yet: nothing to send
    assert code == 0
    assert out.strip() == (
        "logged out (client credentials): nothing held to revoke; stored tokens forgotten"
    )
    cloud.faults.add(route="identity.revocation", status=500, times=None)
    env["UIPATH_CREDENTIAL"] = "refresh_token"
    env["UIPATH_REFRESH_TOKEN"] = d.refresh_token or ""
    env["UIPATH_CLIENT_ID"] = d.public_client_id
    del env["UIPATH_CLIENT_SECRET"]
    code, out, err = _cli(cloud, ["logout"], env)
    assert code == EXIT_SERVER
    assert "answered 500" in err
    for secret in secrets_of(cloud):
        assert secret not in out + err

"""Configuration: URLs derived from UIPATH_URL's host, environment variables, credential choice."""

from __future__ import annotations

import pytest

from client_under_test import (
    ClientCredentialsAuth,
    Config,
    ConfigurationError,
    OrchestratorClient,
    PasswordAuth,
    RefreshTokenAuth,
    StaticTokenAuth,
    UserKeyAuth,
    identity_token_url,
    legacy_token_url,
    orchestrator_base,
)


@pytest.mark.parametrize(
    ("url", "token", "legacy", "orchestrator"),
    [
        (
            "https://cloud.uipath.com/acme/Default",
            "https://cloud.uipath.com/identity_/connect/token",
            "https://account.uipath.com/oauth/token",
            "https://cloud.uipath.com/acme/Default/orchestrator_",
        ),
        (
            "https://platform.uipath.com/acme/Default/",
            "https://cloud.uipath.com/identity_/connect/token",
            "https://account.uipath.com/oauth/token",
            "https://platform.uipath.com/acme/Default",
        ),
        (
            "http://127.0.0.1:8765/acme/Default",
            "http://127.0.0.1:8765/identity_/connect/token",
            "http://127.0.0.1:8765/oauth/token",
            "http://127.0.0.1:8765/acme/Default/orchestrator_",
        ),
        (
            "https://orchestrator.corp.example",
            "https://orchestrator.corp.example/identity/connect/token",
            "https://orchestrator.corp.example/oauth/token",
            "https://orchestrator.corp.example",
        ),
        (
            "https://suite.corp.example/acme/Default/orchestrator_",
            "https://suite.corp.example/identity_/connect/token",
            "https://suite.corp.example/oauth/token",
            "https://suite.corp.example/acme/Default/orchestrator_",
        ),
    ],
)
def test_urls_follow_the_host(url: str, token: str, legacy: str, orchestrator: str) -> None:
    assert identity_token_url(url) == token
    assert legacy_token_url(url) == legacy
    assert orchestrator_base(url) == orchestrator


def test_explicit_urls_win() -> None:
    url = "https://cloud.uipath.com/acme/Default"
    assert identity_token_url(url, "http://127.0.0.1:9/identity_") == (
        "http://127.0.0.1:9/identity_/connect/token"
    )
    assert identity_token_url(url, "http://h/x/connect/token") == "http://h/x/connect/token"
    assert (
        legacy_token_url(url, "http://127.0.0.1:9/oauth/token") == "http://127.0.0.1:9/oauth/token"
    )
    assert orchestrator_base(url, "http://h/orch/") == "http://h/orch"


def test_a_bad_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="UIPATH_URL"):
        identity_token_url("cloud.uipath.com/acme")


ENV = {
    "UIPATH_URL": "https://cloud.uipath.com/acme/Default",
    "UIPATH_FOLDER_PATH": "Shared",
}


@pytest.mark.parametrize(
    ("extra", "auth_type"),
    [
        (
            {"UIPATH_CLIENT_ID": "app", "UIPATH_CLIENT_SECRET": "s3cr3t-value"},
            ClientCredentialsAuth,
        ),
        ({"UIPATH_REFRESH_TOKEN": "RT-value-123"}, RefreshTokenAuth),
        ({"UIPATH_USER_KEY": "user-key-value"}, UserKeyAuth),
        ({"UIPATH_ACCESS_TOKEN": "pat-value-123"}, StaticTokenAuth),
    ],
)
def test_the_credential_is_chosen_from_the_environment(
    extra: dict[str, str], auth_type: type
) -> None:
    client = OrchestratorClient.from_env({**ENV, **extra})
    try:
        assert isinstance(client.auth, auth_type)
        assert client.api.folder == "Shared"
        assert client.api.base_url == "https://cloud.uipath.com/acme/Default/orchestrator_"
        text = repr(client) + repr(client.config)
        for secret in extra.values():
            if secret not in ("app",):
                assert secret not in text
    finally:
        client.close()


def test_refresh_token_defaults_to_uipaths_cli_client() -> None:
    client = OrchestratorClient.from_env({**ENV, "UIPATH_REFRESH_TOKEN": "RT"})
    assert isinstance(client.auth, RefreshTokenAuth)
    assert client.auth.client_id == "36dea5b8-e8bb-423d-8e7b-c808df8f1c00"
    client.close()


def test_uipath_credential_picks_among_several() -> None:
    env = {
        **ENV,
        "UIPATH_REFRESH_TOKEN": "RT",
        "UIPATH_CLIENT_ID": "app",
        "UIPATH_CLIENT_SECRET": "secret",
        "UIPATH_CREDENTIAL": "client_credentials",
    }
    client = OrchestratorClient.from_env(env)
    assert isinstance(client.auth, ClientCredentialsAuth)
    client.close()


def test_password_on_the_cloud_from_the_environment_is_refused() -> None:
    env = {**ENV, "UIPATH_USERNAME": "ada", "UIPATH_PASSWORD": "pw-value-123"}
    with pytest.raises(ConfigurationError, match="errorCode 1000"):
        OrchestratorClient.from_env(env)


def test_password_on_prem_from_the_environment() -> None:
    env = {
        "UIPATH_URL": "https://orchestrator.corp.example",
        "UIPATH_USERNAME": "ada",
        "UIPATH_PASSWORD": "pw-value-123",
        "UIPATH_TENANT": "Default",
    }
    client = OrchestratorClient.from_env(env)
    assert isinstance(client.auth, PasswordAuth)
    assert client.auth.token_url == "https://orchestrator.corp.example/api/Account/Authenticate"
    client.close()


def test_missing_configuration_says_what_to_set() -> None:
    with pytest.raises(ConfigurationError, match="UIPATH_URL"):
        OrchestratorClient.from_env({"UIPATH_CLIENT_ID": "a", "UIPATH_CLIENT_SECRET": "b"})
    with pytest.raises(ConfigurationError, match="UIPATH_CLIENT_ID and UIPATH_CLIENT_SECRET"):
        OrchestratorClient.from_env(ENV)
    with pytest.raises(ConfigurationError, match="unknown credential"):
        Config(credential="magic").credential_kind()


def test_token_store_from_the_environment_is_a_file_store(tmp_path: object) -> None:
    from client_under_test import FileTokenStore

    path = f"{tmp_path}/tokens.json"
    client = OrchestratorClient.from_env(
        {**ENV, "UIPATH_REFRESH_TOKEN": "RT", "UIPATH_TOKEN_STORE": path}
    )
    assert isinstance(client.auth.store, FileTokenStore)
    assert str(client.auth.store.path) == path
    client.close()

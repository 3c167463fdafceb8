"""``httpx.Auth`` flows, one per kind of UiPath credential.

=========================  ==============================================  ============
flow                       token request                                   profile
=========================  ==============================================  ============
ClientCredentialsAuth      POST {identity}/connect/token, form             identity,
                           grant_type=client_credentials [V] §4.2          onprem
RefreshTokenAuth           POST {identity}/connect/token, form             identity
                           grant_type=refresh_token, rotates [D] §4.4
UserKeyAuth                POST https://account.uipath.com/oauth/token,    legacy
                           JSON refresh_token grant, never rotates [V] §2.3
PasswordAuth               POST {url}/api/Account/Authenticate [V] §3      onprem only
StaticTokenAuth            none: a personal access token as is [D] §4.8    any
=========================  ==============================================  ============

(§ = docs/wire.md.) Every flow is a :class:`TokenAuth`: proactive refresh
on the injected clock, one refresh and replay on a 401, single flight across threads, tasks and
(with a :class:`~client_under_test.stores.FileTokenStore`) processes. The two flows of the
identity server can also log out: ``revoke()`` / ``arevoke()`` revoke at
``{identity}/connect/revocation`` and forget the stored tokens (``_revoke.py``).

Example::

    auth = RefreshTokenAuth(
        "https://cloud.uipath.com/identity_/connect/token",
        client_id=..., refresh_token=..., store=FileTokenStore("~/.uipath-tokens"),
    )
    httpx.Client(auth=auth, follow_redirects=False).get(".../odata/Jobs(1)")
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, Generator
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._errors import (
    CLOUD_LOGIN_ADVICE,
    CLOUD_LOGIN_REFUSED,
    ConfigurationError,
    TokenRequestError,
    login_refused,
)
from ._redact import fingerprint, mask
from ._revoke import Revocable
from ._tokenauth import TokenAuth, jwt_claims
from .stores import TokenSet

__all__ = [
    "LEGACY_CLIENT_ID",
    "UIPATH_CLI_CLIENT_ID",
    "ClientCredentialsAuth",
    "IdTokenAuth",
    "PasswordAuth",
    "RefreshTokenAuth",
    "StaticTokenAuth",
    "TokenAuth",
    "UserKeyAuth",
    "is_cloud_host",
]

#: The legacy User Key client, "the same for all users and tenants" [V] forum 180188.
LEGACY_CLIENT_ID = "8DEv1AMNXczW3y4U15LL3jYf62jK93n5"
#: UiPath's CLI public client, whose refresh tokens ``uipath auth`` writes [V] UIPY.
UIPATH_CLI_CLIENT_ID = "36dea5b8-e8bb-423d-8e7b-c808df8f1c00"


def is_cloud_host(host: str) -> bool:
    """Automation Cloud hosts (``*.uipath.com``): where password login is a trap."""
    host = host.lower().rstrip(".")
    return host == "uipath.com" or host.endswith(".uipath.com")


class ClientCredentialsAuth(Revocable, TokenAuth):
    """A confidential external application's own token (no user, no refresh token [V] §4.2).

    "Refreshing" is asking again with the client secret. ``scope`` defaults to what the app was
    granted (the endpoint's choice); name the scopes to narrow it.
    """

    credential_name = "client credentials"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        **options: Any,
    ) -> None:
        if not client_id or not client_secret:
            raise ConfigurationError("client credentials need a client id and a client secret")
        super().__init__(token_url, **options)
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope

    @property
    def key(self) -> str:
        return f"client_credentials:{self.client_id}@{self.token_url}"

    def build_token_request(self, current: TokenSet | None) -> httpx.Request:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        if self.scope:
            form["scope"] = self.scope
        return self.new_request("POST", self.token_url, data=form)

    def revocation_target(self, tokens: TokenSet | None) -> tuple[str, str] | None:
        token = tokens.access_token if tokens else None
        return (token, "access_token") if token else None

    def revocation_form(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self._client_secret}

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self.client_id!r}, "
            f"client_secret={mask(self._client_secret)}, scope={self.scope!r})"
        )


class RefreshTokenAuth(Revocable, TokenAuth):
    """A user's rotating refresh token (identity_: one use, 60 days [D] §4.4).

    The day-one ``refresh_token`` seeds the store; from then on the store's newest token is
    the one used, and every refresh response's new token is saved before the new access token
    is sent anywhere. ``invalid_grant`` raises :class:`ReauthenticationRequired`.
    """

    credential_name = "refresh token"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        refresh_token: str,
        client_secret: str | None = None,
        scope: str | None = None,
        **options: Any,
    ) -> None:
        if not client_id or not refresh_token:
            raise ConfigurationError("a refresh-token credential needs a client id and a token")
        super().__init__(token_url, **options)
        self.client_id = client_id
        self._refresh_token = refresh_token
        self._client_secret = client_secret
        self.scope = scope

    @property
    def key(self) -> str:
        return f"refresh_token:{self.client_id}@{self.token_url}"

    def seed(self) -> str | None:
        return fingerprint(self._refresh_token)

    def initial_tokens(self) -> TokenSet:
        return TokenSet(refresh_token=self._refresh_token, seed=self.seed())

    def build_token_request(self, current: TokenSet | None) -> httpx.Request:
        refresh = (current.refresh_token if current else None) or self._refresh_token
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": refresh,
        }
        if self._client_secret:
            form["client_secret"] = self._client_secret
        if self.scope:
            form["scope"] = self.scope
        return self.new_request("POST", self.token_url, data=form)

    def revocation_target(self, tokens: TokenSet | None) -> tuple[str, str] | None:
        return ((tokens.refresh_token if tokens else None) or self._refresh_token, "refresh_token")

    def revocation_form(self) -> dict[str, str]:
        form = {"client_id": self.client_id}
        if self._client_secret:
            form["client_secret"] = self._client_secret
        return form

    def forgotten_tokens(self) -> TokenSet:
        return TokenSet(seed=self.seed(), revoked=True)

    def __repr__(self) -> str:
        return (
            f"RefreshTokenAuth(token_url={self.token_url!r}, client_id={self.client_id!r}, "
            f"refresh_token={mask(self._refresh_token)}, store={self.store!r})"
        )


class UserKeyAuth(TokenAuth):
    """The legacy User Key at account.uipath.com (Auth0): JSON body, never rotates [V] §2.3.

    The response's ``id_token`` is kept: the account lookups (``getAccountsForUser``,
    ``getAllServiceInstances``) need it, Orchestrator needs the access token ([V] §11.2).
    """

    credential_name = "User Key"
    default_lifetime = 86400.0

    def __init__(
        self,
        token_url: str,
        user_key: str,
        client_id: str = LEGACY_CLIENT_ID,
        tenant: str | None = None,
        **options: Any,
    ) -> None:
        if not user_key:
            raise ConfigurationError("the legacy flow needs a User Key (UIPATH_USER_KEY)")
        super().__init__(token_url, **options)
        self._user_key = user_key
        self.client_id = client_id
        self.tenant = tenant

    @property
    def key(self) -> str:
        return f"user_key:{fingerprint(self._user_key)}@{self.token_url}"

    def seed(self) -> str | None:
        return fingerprint(self._user_key)

    def initial_tokens(self) -> TokenSet:
        return TokenSet(refresh_token=self._user_key, seed=self.seed())

    def build_token_request(self, current: TokenSet | None) -> httpx.Request:
        body = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": (current.refresh_token if current else None) or self._user_key,
        }
        # Shown in UiPath's Postman collection; Auth0 ignores it [I] §2.3.
        headers = {"X-UIPATH-TenantName": self.tenant} if self.tenant else {}
        return self.new_request("POST", self.token_url, json=body, headers=headers)

    def __repr__(self) -> str:
        return f"UserKeyAuth(token_url={self.token_url!r}, user_key={mask(self._user_key)})"


class PasswordAuth(TokenAuth):
    """On-prem username/password: ``POST {url}/api/Account/Authenticate`` [V] §3.

    The answer is an ABP envelope whose ``result`` is a bearer token (30 minutes by default
    [V] DOC-ROPC, no refresh token), so a refresh is a new login. On a cloud host this endpoint
    answers ``400 errorCode 1000`` even to correct credentials (§11.3): configuring it there is
    refused at once, before any request.
    """

    credential_name = "username and password"
    default_lifetime = 1800.0

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        tenant: str | None = None,
        **options: Any,
    ) -> None:
        host = urlsplit(url).hostname or ""
        if is_cloud_host(host):
            raise ConfigurationError(
                f"username/password login does not work on Automation Cloud ({host}): "
                "POST /api/Account/Authenticate answers 400 "
                f'{{"message":"{CLOUD_LOGIN_REFUSED}","errorCode":1000}} even to '
                f"correct credentials (the errorCode 1000 trap). {CLOUD_LOGIN_ADVICE}"
            )
        if not username or not password:
            raise ConfigurationError("password login needs UIPATH_USERNAME and UIPATH_PASSWORD")
        super().__init__(url.rstrip("/") + "/api/Account/Authenticate", **options)
        self.username = username
        self._password = password
        self.tenant = tenant

    @property
    def key(self) -> str:
        return f"password:{self.username}@{self.token_url}"

    def build_token_request(self, current: TokenSet | None) -> httpx.Request:
        body = {"usernameOrEmailAddress": self.username, "password": self._password}
        if self.tenant:
            body["tenancyName"] = self.tenant
        return self.new_request("POST", self.token_url, json=body)

    def parse_token_response(self, response: httpx.Response, current: TokenSet | None) -> TokenSet:
        body = self._json_body(response)
        if response.status_code != 200 or not isinstance(body, dict):
            message = body.get("message") if isinstance(body, dict) else None
            code = body.get("errorCode") if isinstance(body, dict) else None
            if response.status_code == 400 and code == 1000:
                # The wording, not the host, says which it is: a cloud world reached through a
                # proxy or on loopback answers the cloud's words from a host we cannot judge.
                raise ConfigurationError(login_refused(self.token_url, message))
            raise TokenRequestError(
                f"{self.token_url} answered {response.status_code}: {message or 'no message'}",
                status_code=response.status_code,
            )
        token = body.get("result")
        if not isinstance(token, str) or not token or body.get("success") is False:
            raise TokenRequestError(f"{self.token_url} answered without a token")
        return TokenSet(
            access_token=token,
            received_at=self.clock(),
            lifetime=self._lifetime(None, token),
        )

    def __repr__(self) -> str:
        return (
            f"PasswordAuth(url={self.token_url!r}, username={self.username!r}, "
            f"password={mask(self._password)})"
        )


class StaticTokenAuth(TokenAuth):
    """A personal access token (or any bearer) used as is: nothing to refresh [D] §4.8.

    A 401 is final: the token is revoked or expired and only a person can make a new one.
    """

    credential_name = "personal access token"
    refreshable = False

    def __init__(self, token: str, **options: Any) -> None:
        if not token:
            raise ConfigurationError("a static token credential needs the token")
        super().__init__("", **options)
        self._static = TokenSet(access_token=token, lifetime=math.inf)

    @property
    def key(self) -> str:
        return "static"

    def tokens_sync(self, stale: str | None = None, *, force: bool = False) -> TokenSet:
        return self._static

    async def tokens_async(self, stale: str | None = None, *, force: bool = False) -> TokenSet:
        return self._static

    def __repr__(self) -> str:
        return f"StaticTokenAuth(token={mask(self._static.access_token)})"


class IdTokenAuth(httpx.Auth):
    """Sends the legacy **id_token** of ``parent`` (for cloudrpa's account lookups [V] §2.6).

    On a 401 it refreshes ``parent`` once (the refresh response carries a new id_token).
    """

    def __init__(self, parent: TokenAuth) -> None:
        self.parent = parent

    def _token(self, tokens: TokenSet) -> str:
        if not tokens.id_token:
            raise ConfigurationError(
                f"{type(self.parent).__name__} has no id_token: the legacy account lookups need "
                "the User Key flow (UIPATH_USER_KEY)"
            )
        return tokens.id_token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        tokens = self.parent.tokens_sync()
        request.headers["Authorization"] = f"Bearer {self._token(tokens)}"
        response = yield request
        if response.status_code == 401 and self.parent.refreshable:
            tokens = self.parent.tokens_sync(stale=tokens.access_token)
            request.headers["Authorization"] = f"Bearer {self._token(tokens)}"
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tokens = await self.parent.tokens_async()
        request.headers["Authorization"] = f"Bearer {self._token(tokens)}"
        response = yield request
        if response.status_code == 401 and self.parent.refreshable:
            tokens = await self.parent.tokens_async(stale=tokens.access_token)
            request.headers["Authorization"] = f"Bearer {self._token(tokens)}"
            yield request


def organization_id(tokens: TokenSet) -> str | None:
    """``prt_id`` (the organization id) from an identity_ access token [V] §4.7."""
    value = jwt_claims(tokens.access_token).get("prt_id")
    return value if isinstance(value, str) else None

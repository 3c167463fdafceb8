"""Configuration: from arguments or ``UIPATH_*`` environment variables, and the URLs that follow.

Unlike UiPath's SDK, which hard-codes ``https://cloud.uipath.com`` for client credentials
(docs/clients.md), every token URL follows from ``UIPATH_URL``'s host, so one client runs
against the cloud, on-prem, or a mock served on loopback:

================================  ================================================  ==============
UIPATH_URL                        token URL                                         Orchestrator
================================  ================================================  ==============
https://cloud.uipath.com/{o}/{t}  https://cloud.uipath.com/identity_/connect/token  {url}/orch...
https://platform.uipath.com/...   https://account.uipath.com/oauth/token (legacy)   {url}
https://{host}/{org}/{tenant}     {origin}/identity_/connect/token (AS, served)     {url}/orch...
https://{host}                    {origin}/identity/connect/token (on-prem)         {url}
================================  ================================================  ==============

(``{url}/orch...`` is ``{url}/orchestrator_``.) ``identity_url``, ``legacy_token_url`` and
``orchestrator_url`` override the derivation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal
from urllib.parse import urlsplit

from ._errors import ConfigurationError
from ._redact import mask

__all__ = [
    "ENV_VARS",
    "Config",
    "CredentialKind",
    "identity_token_url",
    "legacy_token_url",
    "orchestrator_base",
]

CredentialKind = Literal[
    "client_credentials", "refresh_token", "user_key", "password", "access_token"
]
_KINDS: tuple[str, ...] = (
    "client_credentials",
    "refresh_token",
    "user_key",
    "password",
    "access_token",
)

#: Environment variable -> Config field. Names follow UiPath's own tools where they exist.
ENV_VARS: dict[str, str] = {
    "UIPATH_URL": "url",
    "UIPATH_CLIENT_ID": "client_id",
    "UIPATH_CLIENT_SECRET": "client_secret",
    "UIPATH_SCOPE": "scope",
    "UIPATH_REFRESH_TOKEN": "refresh_token",
    "UIPATH_USER_KEY": "user_key",
    "UIPATH_USERNAME": "username",
    "UIPATH_PASSWORD": "password",
    "UIPATH_ACCESS_TOKEN": "access_token",
    "UIPATH_FOLDER_PATH": "folder",
    "UIPATH_TOKEN_STORE": "token_store",
    "UIPATH_TENANT": "tenant",
    "UIPATH_IDENTITY_URL": "identity_url",
    "UIPATH_LEGACY_TOKEN_URL": "legacy_token_url",
    "UIPATH_ORCHESTRATOR_URL": "orchestrator_url",
    "UIPATH_CREDENTIAL": "credential",
}
_SECRET_FIELDS = frozenset(
    {"client_secret", "refresh_token", "user_key", "password", "access_token"}
)


def _split(url: str) -> tuple[str, str, list[str]]:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # a port that is no number raises here
    except ValueError as exc:  # "Invalid IPv6 URL", a port out of range ...
        raise ConfigurationError(
            f"UIPATH_URL is not a valid URL ({exc}): write it like "
            "https://cloud.uipath.com/ORG/TENANT (an IPv6 host in brackets: "
            f"http://[::1]:8080/ORG/TENANT), got {url!r}"
        ) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigurationError(
            f"UIPATH_URL must be an http(s) URL like https://cloud.uipath.com/ORG/TENANT, "
            f"got {url!r}"
        )
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin, hostname.lower(), [s for s in parts.path.split("/") if s]


def _is_uipath(host: str) -> bool:
    return host == "uipath.com" or host.endswith(".uipath.com")


def identity_token_url(url: str, identity_url: str | None = None) -> str:
    """The identity server's token endpoint for ``url`` (or ``identity_url``'s)."""
    if identity_url:
        base = identity_url.rstrip("/")
        return base if base.endswith("/connect/token") else base + "/connect/token"
    origin, host, segments = _split(url)
    if host == "platform.uipath.com":
        return "https://cloud.uipath.com/identity_/connect/token"
    if _is_uipath(host):
        return f"{origin}/identity_/connect/token"
    # Automation Suite and the served mock have /{org}/{tenant}; standalone on-prem has /identity.
    suffix = "/identity_/connect/token" if len(segments) >= 2 else "/identity/connect/token"
    return origin + suffix


def legacy_token_url(url: str, override: str | None = None) -> str:
    """The legacy Auth0 token endpoint (account.uipath.com on the cloud, the origin elsewhere)."""
    if override:
        return override
    origin, host, _ = _split(url)
    return "https://account.uipath.com/oauth/token" if _is_uipath(host) else f"{origin}/oauth/token"


def orchestrator_base(url: str, override: str | None = None) -> str:
    """Where ``odata/...`` lives: ``.../orchestrator_`` on the modern cloud shapes."""
    if override:
        return override.rstrip("/")
    _origin, host, segments = _split(url)
    base = url.rstrip("/")
    if segments and segments[-1] == "orchestrator_":
        return base
    if host == "platform.uipath.com":
        return base  # the legacy shape: /{account}/{tenant}/odata/... [V] §5.1
    if len(segments) >= 2:
        return base + "/orchestrator_"
    return base  # on-prem: https://{host}/odata/...


@dataclass
class Config:
    """Everything the client is configured with. ``repr`` masks every secret."""

    url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    user_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    folder: str | None = None
    token_store: str | None = None
    tenant: str | None = None
    identity_url: str | None = None
    legacy_token_url: str | None = None
    orchestrator_url: str | None = None
    #: Which credential to use when several are configured (else: the first of
    #: refresh_token, client_credentials, user_key, password, access_token that is complete).
    credential: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read ``UIPATH_*`` variables; keyword arguments that are not None win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var, name in ENV_VARS.items():
            value = env.get(var)
            if value:
                values[name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def credential_kind(self) -> CredentialKind:
        if self.credential:
            if self.credential not in _KINDS:
                raise ConfigurationError(
                    f"unknown credential {self.credential!r}; one of {', '.join(_KINDS)}"
                )
            return self.credential  # type: ignore[return-value]
        if self.refresh_token:
            return "refresh_token"
        if self.client_id and self.client_secret:
            return "client_credentials"
        if self.user_key:
            return "user_key"
        if self.username and self.password:
            return "password"
        if self.access_token:
            return "access_token"
        raise ConfigurationError(
            "no credential configured: set UIPATH_CLIENT_ID and UIPATH_CLIENT_SECRET (external "
            "application), UIPATH_REFRESH_TOKEN, UIPATH_USER_KEY (legacy), UIPATH_USERNAME and "
            "UIPATH_PASSWORD (on-prem), or UIPATH_ACCESS_TOKEN (personal access token)"
        )

    def require_url(self) -> str:
        if not self.url:
            raise ConfigurationError(
                "no URL configured: set UIPATH_URL (e.g. https://cloud.uipath.com/ORG/TENANT)"
            )
        return self.url

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            shown.append(f"{f.name}={mask(value) if f.name in _SECRET_FIELDS else repr(value)}")
        return f"Config({', '.join(shown)})"

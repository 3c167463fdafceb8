"""How a client is plugged into the suite: ``factory(env: ClientEnv) -> ClientAdapter``.

``ClientEnv`` carries what a deployed client would be configured with (base URL, the one
credential the rule under test hands it, folder, a token-store path), plus the seams a test
needs: ``clock`` (epoch seconds on the kit's clock), ``sleep`` (the only way the client may
wait) and ``transport`` (an httpx transport to the in-process mock, or None when the mock is
reached by interception or over loopback HTTP).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["ClientAdapter", "ClientEnv", "Credential", "NotSupported"]

#: Which credential the suite configures the client with for a given rule.
Credential = Literal["client_credentials", "refresh_token", "user_key", "password"]


class NotSupported(Exception):
    """Raised by a factory that cannot serve a profile or credential: rules become N/A."""


@dataclass(frozen=True)
class ClientEnv:
    """Configuration and seams for one client instance under test. ``repr`` hides secrets."""

    profile: Literal["legacy", "identity", "onprem"]
    credential: Credential
    #: The base URL, like the SDK's ``UIPATH_URL`` (``https://cloud.uipath.com/{org}/{tenant}``).
    url: str
    organization: str
    tenant: str
    folder: str
    #: identity_ or on-prem identity base (``.../identity_``), for token requests.
    identity_url: str | None = None
    #: The legacy Auth0 token URL (``https://account.uipath.com/oauth/token``).
    legacy_token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scopes: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    user_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    #: Where the client must persist rotating tokens (a file path).
    token_store: str | None = None
    clock: Callable[[], float] = field(default=lambda: 0.0, repr=False)
    sleep: Callable[[float], None] = field(default=lambda _s: None, repr=False)
    transport: Any = field(default=None, repr=False)
    #: The tenant's display name (what the portal shows). Addressing the tenant needs the
    #: *logical* name in ``tenant``/``url``; this one is for messages only.
    tenant_display_name: str | None = None
    #: Extra, rule-specific knobs (e.g. ``{"timeout": 10}``); clients may ignore them.
    extra: dict[str, Any] = field(default_factory=dict)

    def environ(self) -> dict[str, str]:
        """The configuration as ``UIPATH_*`` environment variables (for command clients)."""
        pairs = {
            "UIPATH_PROFILE": self.profile,
            "UIPATH_CREDENTIAL": self.credential,
            "UIPATH_URL": self.url,
            "UIPATH_ORGANIZATION": self.organization,
            "UIPATH_TENANT": self.tenant,
            "UIPATH_FOLDER_PATH": self.folder,
            "UIPATH_IDENTITY_URL": self.identity_url,
            "UIPATH_LEGACY_TOKEN_URL": self.legacy_token_url,
            "UIPATH_CLIENT_ID": self.client_id,
            "UIPATH_CLIENT_SECRET": self.client_secret,
            "UIPATH_SCOPE": self.scopes,
            "UIPATH_REFRESH_TOKEN": self.refresh_token,
            "UIPATH_USER_KEY": self.user_key,
            "UIPATH_USERNAME": self.username,
            "UIPATH_PASSWORD": self.password,
            "UIPATH_TOKEN_STORE": self.token_store,
            "UIPATH_TENANT_DISPLAY_NAME": self.tenant_display_name,
        }
        return {k: v for k, v in pairs.items() if v is not None}


@runtime_checkable
class ClientAdapter(Protocol):
    """What the suite drives. Every method may raise; an exception is the client's answer."""

    def start_job(
        self, process: str, folder: str, input_arguments: dict[str, Any] | None = None
    ) -> str:
        """Start ``process`` in ``folder``; return the job key."""

    def get_job_state(self, job_key: str, folder: str) -> str:
        """The job's current ``State`` (Pending, Running, Successful, ...)."""

    def close(self) -> None:
        """Release connections and files."""

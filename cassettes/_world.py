"""``World``: the identifiers and credentials a scenario's requests are built from.

A scenario runs against two kinds of world with the same code: the live mock (a ``World``
made from ``cloud.defaults``) and a cassette (a ``World`` stored in the cassette's
provenance, with the names the recording used and placeholders for its secrets). Requests
then line up with the recorded ones, and the same assertions judge both.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_orchestrator import Defaults

__all__ = ["SECRET_WORLD_FIELDS", "World"]

#: World fields that hold secrets; a cassette stores a placeholder instead.
SECRET_WORLD_FIELDS = frozenset(
    {"client_secret", "refresh_token", "user_key", "password", "code_verifier"}
)

_LEGACY_PKCE_CLIENT_ID = "5v7PmPJL6FOGu6RB8I1Y4adLBhIwovQN"  # [V] docs/wire.md §2.1
_LEGACY_REDIRECT_URI = "https://account.uipath.com/mobile"  # [V] docs/wire.md §2.1
# A fixed verifier for the mock world: scenarios must send the same request every run.
_MOCK_VERIFIER = "kit-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class World:
    """Where a scenario sends its requests, and with which names and credentials."""

    cloud_origin: str = "https://cloud.uipath.com"
    account_origin: str = "https://account.uipath.com"
    platform_origin: str = "https://platform.uipath.com"
    onprem_origin: str = "https://orchestrator.mock.test"
    identity_url: str = "https://cloud.uipath.com/identity_"
    #: The Orchestrator root the ``odata/...`` paths hang from.
    orchestrator_url: str = ""
    organization: str = ""
    tenant: str = ""
    folder: str = "Shared"
    folder_id: int = 0
    folder_key: str = ""
    release_key: str = ""
    process: str = ""
    queue: str = ""
    #: The ``$filter`` of the Jobs list scenario.
    jobs_filter: str = "State eq 'Successful'"
    client_id: str = ""
    client_secret: str = ""
    cc_scope: str = "OR.Jobs OR.Folders"
    public_client_id: str = ""
    refresh_token: str = ""
    legacy_client_id: str = "8DEv1AMNXczW3y4U15LL3jYf62jK93n5"
    user_key: str = ""
    legacy_pkce_client_id: str = _LEGACY_PKCE_CLIENT_ID
    legacy_redirect_uri: str = _LEGACY_REDIRECT_URI
    code_verifier: str = _MOCK_VERIFIER
    code_challenge: str = _challenge(_MOCK_VERIFIER)
    state: str = "kit-state"
    nonce: str = "kit-nonce"
    username: str = ""
    user_email: str = ""
    password: str = ""

    @classmethod
    def from_defaults(cls, defaults: Defaults, *, served_origin: str | None = None) -> World:
        """The world of a ``MockCloud``; ``served_origin`` when it is served on loopback.

        In served mode one origin answers for every emulated host by path (design.md), so
        every origin of the world becomes that one.
        """
        onprem = defaults.profile == "onprem"
        origin_of_url = defaults.url.split("/", 3)[:3]
        world = cls(
            onprem_origin="/".join(origin_of_url) if onprem else cls.onprem_origin,
            identity_url=defaults.identity_url or cls.identity_url,
            orchestrator_url=defaults.url if onprem else defaults.url + "/orchestrator_",
            organization=defaults.organization,
            tenant=defaults.tenant,
            folder=defaults.folder,
            folder_id=defaults.folder_id,
            folder_key=defaults.folder_key,
            release_key=defaults.release_key,
            process=defaults.process,
            queue=defaults.queue,
            client_id=defaults.client_id,
            client_secret=defaults.client_secret,
            cc_scope=defaults.scopes,
            public_client_id=defaults.public_client_id,
            refresh_token=defaults.refresh_token or "",
            legacy_client_id=defaults.legacy_client_id or cls.legacy_client_id,
            user_key=defaults.user_key or "",
            username=defaults.username or "",
            user_email=defaults.user_email or "",
            password=defaults.password or "",
        )
        if served_origin is None:
            return world
        return world.rebased(served_origin)

    def rebased(self, origin: str) -> World:
        """Every URL of the world moved to ``origin`` (the served mode's loopback)."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_origin", "_url")) and isinstance(value, str) and value:
                scheme_host = "/".join(value.split("/", 3)[:3])
                changes[f.name] = origin + value[len(scheme_host) :]
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> World:
        """A world stored in a cassette's provenance; unknown keys are refused."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown world fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_mapping(self) -> dict[str, Any]:
        """The world for a cassette's provenance: secrets become ``<field>`` placeholders."""
        return {
            name: (f"<{name}>" if name in SECRET_WORLD_FIELDS and value else value)
            for name, value in asdict(self).items()
        }

    def secrets(self) -> list[str]:
        """The secret values of this world, for the cassette guard."""
        return [
            str(getattr(self, name))
            for name in sorted(SECRET_WORLD_FIELDS)
            if getattr(self, name) and not str(getattr(self, name)).startswith("<")
        ]

"""``cloud.defaults``: the identifiers and credentials of a world's default tenant.

What a deployed client would be configured with. Fields that do not apply to the world's
profile are ``None`` (there is no User Key on an on-prem world). ``repr`` hides every secret.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .core.redact import mask

__all__ = ["Defaults"]

_SECRETS = frozenset({"client_secret", "user_key", "password", "refresh_token"})


@dataclass(frozen=True)
class Defaults:
    profile: str
    #: The base URL a client is configured with, like the SDK's ``UIPATH_URL``.
    url: str
    #: Where the identity server answers (``{identity_url}/connect/token``), or None (legacy).
    identity_url: str | None
    #: The legacy Auth0 token URL (legacy profile), else None.
    legacy_token_url: str | None
    organization: str
    organization_display_name: str
    organization_id: str
    tenant: str
    tenant_display_name: str
    tenant_id: str
    folder: str
    folder_id: int
    folder_key: str
    process: str
    release_key: str
    release_id: int
    queue: str
    asset: str
    client_id: str
    client_secret: str = field(repr=False)
    public_client_id: str
    redirect_uri: str
    scopes: str
    user_key: str | None = field(default=None, repr=False)
    legacy_client_id: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    user_email: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Every field, secrets included: this is configuration for a client under test."""
        return asdict(self)

    def redacted(self) -> dict[str, Any]:
        return {
            f.name: (mask(v) if f.name in _SECRETS and isinstance(v, str) else v)
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }

    def rebased(self, origin: str) -> Defaults:
        """The same defaults with every URL moved to ``origin`` (the served mode's loopback)."""
        changes: dict[str, Any] = {}
        for name in ("url", "identity_url", "legacy_token_url"):
            value = getattr(self, name)
            if value:
                changes[name] = _rebase(value, origin)
        return _replace(self, **changes)


def _rebase(url: str, origin: str) -> str:
    parts = urlsplit(url)
    target = urlsplit(origin)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def _replace(obj: Defaults, **changes: Any) -> Defaults:
    from dataclasses import replace

    return replace(obj, **changes)

"""What ``IdentityBackend`` holds, declared once for the mixins that read it.

``IdentityBackend`` (``models.py``) owns the identity servers' state and is built from mixins
that each carry one set of rules: :class:`~.grants.Grants` (the token endpoints) and
:class:`~.revocation.Revocation` (revocation and logout). Each mixin derives from
:class:`BackendState`, which tells the type checker what the backend provides; at run time it
is empty.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.clock import FakeClock
    from ..core.ids import IdGenerator
    from .entities import AuthCode, ExternalApp, Family, LegacyGrant, RefreshToken, User
    from .settings import AuthSettings
    from .tokens import IssuerName, TokenRecord, TokenRegistry

__all__ = ["BackendState"]


class BackendState:
    """The state and the minting methods of ``IdentityBackend``, for its mixins."""

    if TYPE_CHECKING:
        lock: threading.RLock
        clock: FakeClock
        ids: IdGenerator
        tokens: TokenRegistry
        apps: dict[str, ExternalApp]
        users: dict[str, User]
        codes: dict[str, AuthCode]
        refresh_tokens: dict[str, RefreshToken]
        families: dict[str, Family]
        legacy_grants: dict[str, LegacyGrant]
        login_user: User | None
        settings: AuthSettings

        def _mint_access(
            self,
            issuer: IssuerName,
            *,
            client_id: str,
            scopes: frozenset[str],
            user: User | None,
            app_scoped: bool,
            family: str | None = None,
            tenants: frozenset[str] | None = None,
            lifetime: int | None = None,
        ) -> TokenRecord: ...

        def _mint_id_token(
            self, issuer: IssuerName, *, client_id: str, user: User, nonce: str | None = None
        ) -> TokenRecord: ...

        def _new_family(
            self, issuer: IssuerName, client_id: str, user: User | None, scopes: frozenset[str]
        ) -> Family: ...

        def _mint_refresh(self, family: Family, scopes: frozenset[str]) -> RefreshToken: ...

        def issue_user_key(self, user: User, client_id: str = ...) -> str: ...

        def revoke_family(self, family: Family, reason: str) -> None: ...

        def session_user(self) -> User | None: ...

        def _client(self, client_id: str | None, secret: str | None) -> ExternalApp: ...

"""Finding the logical names of the organization and tenant: the legacy cloudrpa lookups
(with the **id_token**) and the identity_ portal's tenant list (with the access token)."""

from __future__ import annotations

from typing import Any

import httpx

from ._api import Api
from ._sansio import Steps

__all__ = ["Discovery"]


class Discovery:
    """Finding the logical names of the organization and tenant (docs/wire.md §2.6, §2.7, §4.1)."""

    def __init__(self, api: Api, identity_origin: str) -> None:
        self.api = api
        self.identity_origin = identity_origin.rstrip("/")

    def _origin(self) -> str:
        parts = httpx.URL(self.api.url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.host}{port}"

    def accounts_for_user(self, id_auth: httpx.Auth) -> Steps[dict[str, Any]]:
        """Legacy: ``GET /cloudrpa/api/getAccountsForUser`` with the **id_token** [V] §2.6."""
        url = f"{self._origin()}/cloudrpa/api/getAccountsForUser"
        body = yield from self.api.call("GET", url, absolute=True, auth=id_auth)
        return body  # type: ignore[no-any-return]

    def service_instances(self, account: str, id_auth: httpx.Auth) -> Steps[list[dict[str, Any]]]:
        """Legacy: the tenants (service instances) of an account, with the id_token [V] §2.7."""
        url = f"{self._origin()}/cloudrpa/api/account/{account}/getAllServiceInstances"
        body = yield from self.api.call("GET", url, absolute=True, auth=id_auth)
        return body  # type: ignore[no-any-return]

    def portal_tenants(self, organization_id: str) -> Steps[dict[str, Any]]:
        """identity_: ``GET /{prt_id}/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo``."""
        url = (
            f"{self.identity_origin}/{organization_id}"
            "/portal_/api/filtering/leftnav/tenantsAndOrganizationInfo"
        )
        body = yield from self.api.call("GET", url, absolute=True)
        return body  # type: ignore[no-any-return]

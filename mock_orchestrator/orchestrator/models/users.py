"""``GetCurrentUserExtended``: the caller as Orchestrator sees them, with a personal workspace.

[V] UiPath's CLI (``uipath invoke``) reads ``PersonalWorskpaceFeedId`` -- misspelt exactly so,
and required -- and ``PersonalWorkspace.Id`` (docs/clients.md); the SDK reads
``PersonalWorkspace``. The rest of the fields follow ``UserDto`` [I]. An external
application's own token (client credentials) has no user, hence no personal workspace [I].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.clock import format_odata_time

if TYPE_CHECKING:
    from ...identity.models import User
    from ...identity.tokens import TokenRecord
    from ..backend import TenantBackend
    from .folders import Folder

__all__ = ["USER_FIELDS", "user_dto"]


def _names(full: str) -> tuple[str, str]:
    first, _, last = full.partition(" ")
    return first, last


def user_dto(
    backend: TenantBackend | None,
    record: TokenRecord | None,
    user: User | None,
    workspace: Folder | None,
) -> dict[str, Any]:
    tenant = backend.tenant if backend is not None else None
    if user is not None:
        first, last = _names(user.name)
        username, email, key, kind = user.username, user.email, user.id, "DirectoryUser"
        full = user.name
    else:
        client = record.client_id if record is not None else ""
        first, last, username, email, key = client, "", client, None, client
        full, kind = client, "DirectoryExternalApplication"
    created = format_odata_time(record.issued_at if record is not None else 0.0)
    return {
        "Name": first,
        "Surname": last,
        "UserName": username,
        "Domain": None,
        "DirectoryIdentifier": key,
        "FullName": full,
        "EmailAddress": email,
        "IsEmailConfirmed": user is not None,
        "LastLoginTime": created,
        "IsActive": True,
        "CreationTime": created,
        "AuthenticationSource": None,
        "Password": None,
        "IsExternalLicensed": False,
        "UserRoles": [],
        "RolesList": [],
        "LoginProviders": [],
        "OrganizationUnits": [],
        "TenantId": None,
        "TenancyName": tenant.name if tenant else None,
        "TenantDisplayName": tenant.display_name if tenant else None,
        "TenantKey": tenant.id if tenant else None,
        "Type": kind,
        "ProvisionType": "Manual",
        "LicenseType": None,
        "RobotProvision": None,
        "UnattendedRobot": None,
        "NotificationSubscription": None,
        "Key": key,
        "MayHaveUserSession": user is not None,
        "MayHaveRobotSession": True,
        "MayHaveUnattendedSession": user is None,
        "MayHavePersonalWorkspace": user is not None,
        "RestrictToPersonalWorkspace": False,
        "UpdatePolicy": None,
        "AccountId": None,
        "Id": backend.user_number(key) if backend is not None else 0,
        # [V] the misspelling is UiPath's; the CLI needs it (docs/clients.md).
        "PersonalWorskpaceFeedId": workspace.feed_id if workspace else None,
        "PersonalWorkspace": workspace.to_dto() if workspace else None,
    }


USER_FIELDS = tuple(user_dto(None, None, None, None).keys())

"""Folders, FoldersNavigation, OrganizationUnits and Users: operation -> behaviour.

A folder's users and machines are links in the tenant's ``EntityStore.links`` (``FolderUsers``,
``MachineFolders``); every user sees every shared folder whatever the links say (the mock's
permissions are all-or-nothing, ``backend.py``), so the links are what the folder *lists*.
"""

from __future__ import annotations

from typing import Any

from ...core.clock import format_odata_time
from ..exceptions import EntityNotFound, FolderNotFound, ValidationFailed
from .common import ok, simple_folder
from .kinds import Args, Behaviour, call, create, delete, one, rows, update
from .sets import MACHINES
from .store import Context, Row
from .typed import FOLDERS, USERS, TypedSource

__all__ = ["TABLE"]


# -- folders ------------------------------------------------------------------------------


def _folder(ctx: Context, number: int) -> Any:
    return FOLDERS.find(ctx, number)


def _by_key(ctx: Context, key: str) -> Any:
    wanted = key.strip().strip("'").lower()
    for folder in ctx.folders:
        if folder.key == wanted:
            return folder
    raise EntityNotFound("Folder")


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValidationFailed("A folder id must be an integer.")


def _links(ctx: Context, kind: str, number: int) -> set[int]:
    return ctx.store.links.setdefault((kind, number), set())


def _patch_name(ctx: Context, args: Args) -> Row:
    folder = _by_key(ctx, args.query("key") or "")
    body = args.body_object()
    changes = {}
    if isinstance(body.get("name"), str):
        changes["DisplayName"] = body["name"]
    if "description" in body:
        changes["Description"] = body["description"]
    return FOLDERS.update(ctx, folder.id, changes, partial=True)


def _move(ctx: Context, args: Args) -> None:
    folder = _folder(ctx, args.number("folderId"))
    target = args.query("targetParentId")
    parent = None
    if target:
        parent = _folder(ctx, int(target)) if target.isdigit() else None
        if parent is None:
            raise FolderNotFound()
    try:
        ctx.backend.folders.move(folder, parent)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc


def _assign_users(ctx: Context, args: Args) -> None:
    assignments = args.body_object().get("assignments")
    if not isinstance(assignments, dict):
        raise ValidationFailed("The assignments field is required.")
    users = assignments.get("UserIds") or []
    per_folder = assignments.get("RolesPerFolder") or []
    for entry in per_folder:
        folder = _folder(ctx, _int(entry.get("FolderId") if isinstance(entry, dict) else None))
        _links(ctx, "FolderUsers", folder.id).update(u for u in users if isinstance(u, int))


def _assign_domain_user(ctx: Context, args: Args) -> None:
    """A directory user or group by name: the mock has only its own directory [I]."""
    assignment = args.body_object().get("assignment")
    if not isinstance(assignment, dict) or not isinstance(assignment.get("UserName"), str):
        raise ValidationFailed("The assignment.UserName field is required.")
    wanted = assignment["UserName"].casefold()
    number = next(
        (
            n
            for n, u in USERS.all(ctx.backend).items()
            if wanted in (u.username.casefold(), u.email.casefold())
        ),
        None,
    )
    if number is None:
        raise EntityNotFound("User")
    for entry in assignment.get("RolesPerFolder") or []:
        folder = _folder(ctx, _int(entry.get("FolderId") if isinstance(entry, dict) else None))
        _links(ctx, "FolderUsers", folder.id).add(number)


def _assign_machines(ctx: Context, args: Args) -> None:
    assignments = args.body_object().get("assignments")
    if not isinstance(assignments, dict):
        raise ValidationFailed("The assignments field is required.")
    for folder_id in assignments.get("FolderIds") or []:
        _folder(ctx, folder_id)
        for machine in assignments.get("MachineIds") or []:
            MACHINES.get(ctx, machine)
            _links(ctx, "MachineFolders", machine).add(folder_id)


def _update_machine_associations(ctx: Context, args: Args) -> None:
    body = args.body_object().get("associations")
    if not isinstance(body, dict) or not isinstance(body.get("FolderId"), int):
        raise ValidationFailed("The associations.FolderId field is required.")
    folder = _folder(ctx, body["FolderId"])
    for machine in body.get("AddedMachineIds") or []:
        MACHINES.get(ctx, machine)
        _links(ctx, "MachineFolders", machine).add(folder.id)
    for machine in body.get("RemovedMachineIds") or []:
        _links(ctx, "MachineFolders", machine).discard(folder.id)


def _remove_machines(ctx: Context, args: Args) -> None:
    folder = _folder(ctx, args.key())
    for machine in args.body_ids("machineIds"):
        _links(ctx, "MachineFolders", machine).discard(folder.id)


def _remove_user(ctx: Context, args: Args) -> None:
    folder = _folder(ctx, args.key())
    user = args.body_object().get("userId")
    if not isinstance(user, int):
        raise ValidationFailed("The userId field is required.")
    _links(ctx, "FolderUsers", folder.id).discard(user)


def _toggle_inherit(ctx: Context, args: Args) -> None:
    body = args.body_object()
    folder, machine = body.get("FolderId"), body.get("MachineId")
    if not isinstance(folder, int) or not isinstance(machine, int):
        raise ValidationFailed("The FolderId and MachineId fields are required.")
    _folder(ctx, folder)
    links = _links(ctx, "MachineFolders", machine)
    (links.add if body.get("InheritEnabled") else links.discard)(folder)


def _machines_for_folder(ctx: Context, args: Args) -> list[Row]:
    folder = _folder(ctx, args.key())
    everyone = Context(ctx.backend, ctx.record, None, ctx.folders)
    found = []
    for machine in MACHINES.rows(everyone):
        assigned = folder.id in ctx.store.links.get(("MachineFolders", machine["Id"]), ())
        found.append(
            {
                **machine,
                "IsAssignedToFolder": assigned,
                "IsInherited": False,
                "InheritedFromFolderName": None,
                "HasMachineRobots": machine["Name"] == "MOCK-HOST-01",
                "PropagateToSubFolders": False,
            }
        )
    return found


def _user_entity(number: int, user: Any, folders: list[int]) -> Row:
    return {
        "Id": number,
        "UserName": user.username,
        "FullName": user.name,
        "Type": "DirectoryUser",
        "Source": "Directory",
        "AuthenticationSource": None,
        "IsInherited": False,
        "AssignedToFolderIds": folders,
        "MayHaveAttended": True,
        "MayHaveUnattended": False,
    }


def _users_for_folder(ctx: Context, args: Args) -> list[Row]:
    folder = _folder(ctx, args.key())
    members = _links(ctx, "FolderUsers", folder.id)
    return [
        {
            "Id": n,
            "UserEntity": _user_entity(n, u, [folder.id]),
            "Roles": [],
            "HasAlertsEnabled": False,
        }
        for n, u in sorted(USERS.all(ctx.backend).items())
        if n in members
    ]


def _roles_for_user(ctx: Context, args: Args, username: str) -> Row:
    wanted = username.casefold()
    found = [
        (n, u)
        for n, u in USERS.all(ctx.backend).items()
        if wanted in (u.username.casefold(), u.email.casefold())
    ]
    if not found:
        raise EntityNotFound("User")
    number, _ = found[0]
    folders = [f for f in ctx.folders if number in ctx.store.links.get(("FolderUsers", f.id), ())]
    return {
        "Id": number,
        "TenantRoles": [],
        "PageItems": [{"Folder": simple_folder(f), "Roles": []} for f in folders],
        "Count": len(folders),
    }


def _extended_folder(ctx: Context, folder: Any) -> Row:
    kids = ctx.backend.folders.children(folder)
    return {
        **folder.to_dto(),
        "HasChildren": bool(kids),
        "IsSelectable": True,
        "Level": folder.fully_qualified_name.count("/"),
    }


def _navigation_context(ctx: Context, args: Args) -> Row:
    raw = args.query("folderId")
    folder = _folder(ctx, int(raw)) if raw and raw.isdigit() else ctx.backend.default_folder
    ancestors: list[Row] = []
    parent_id = folder.parent_id
    while parent_id is not None:
        parent = ctx.backend.folders.get(parent_id)
        if parent is None:
            break
        ancestors.insert(0, simple_folder(parent))
        parent_id = parent.parent_id
    kids = ctx.backend.folders.children(folder)
    return {
        "Id": folder.id,
        "DisplayName": folder.display_name,
        "IsPersonal": folder.is_personal,
        "IsSelectable": True,
        "ProvisionType": "Manual",
        "Ancestors": ancestors,
        "ChildrenPage": [_extended_folder(ctx, k) for k in kids[:100]],
        "ChildrenCount": len(kids),
    }


# -- organization units (the legacy name of folders) --------------------------------------


class _OrganizationUnits(TypedSource[Any]):
    name, dto, entity = "OrganizationUnits", "OrganizationUnitDto", "OrganizationUnit"
    folder_scoped = False

    def all(self, backend: Any) -> dict[int, Any]:
        return dict(backend.folders.by_id)

    def objects(self, ctx: Context) -> list[Any]:
        return [f for f in ctx.folders if not f.is_personal]

    def find(self, ctx: Context, key: int) -> Any:
        for folder in self.objects(ctx):
            if folder.id == key:
                return folder
        raise EntityNotFound("OrganizationUnit")

    def to_row(self, ctx: Context, obj: Any) -> Row:
        return {"DisplayName": obj.display_name, "Id": obj.id}

    def make(self, ctx: Context, row: Row) -> Any:
        return FOLDERS.make(ctx, row)

    def change(self, ctx: Context, obj: Any, changes: Row) -> None:
        FOLDERS.change(ctx, obj, changes)

    def remove(self, ctx: Context, obj: Any) -> None:
        FOLDERS.remove(ctx, obj)


ORGANIZATION_UNITS = _OrganizationUnits()


def _set_unit_users(ctx: Context, args: Args) -> None:
    folder = ORGANIZATION_UNITS.find(ctx, args.key())
    body = args.body_object()
    members = _links(ctx, "FolderUsers", folder.id)
    known = USERS.all(ctx.backend)
    added = body.get("addedUserIds") or []
    if any(u not in known for u in added):
        raise EntityNotFound("User")
    members.update(added)
    members.difference_update(body.get("removedUserIds") or [])


def _unit_users(ctx: Context, args: Args) -> list[Row]:
    folder = ORGANIZATION_UNITS.find(ctx, args.key())
    members = _links(ctx, "FolderUsers", folder.id)
    return [row for row in USERS.rows(ctx) if row["Id"] in members]


# -- users --------------------------------------------------------------------------------


def _current_user(ctx: Context, args: Args) -> Row:
    from ..models.users import user_dto

    user = ctx.backend.user_of(ctx.record)
    workspace = ctx.backend.personal_workspace(user) if user is not None else None
    row = user_dto(ctx.backend, ctx.record, user, workspace)
    return {k: row.get(k) for k in USERS.dto_keys()}


def _user_flag(name: str, field: str, kinds: tuple[type, ...]) -> Behaviour:
    """An action on one user that sets one remembered flag (culture, active, a role)."""

    def run(ctx: Context, args: Args) -> None:
        number = args.key()
        USERS.find(ctx, number)
        value = args.body_object().get(field)
        if not isinstance(value, kinds):
            raise ValidationFailed(f"The {field} field is required.")
        ctx.store.user_flags.setdefault(number, {})[name] = value
        return None

    return call(run)


def _validate_users(ctx: Context, args: Args) -> dict[str, bool]:
    raw = args.text("userIds")
    known = USERS.all(ctx.backend)
    found = {}
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit():
            found[part] = int(part) in known
    return found


TABLE: dict[str, Behaviour] = {
    # Folders (list is the hand-written handler)
    "folders_get_by_id": one(FOLDERS),
    "folders_post": create(FOLDERS),
    "folders_put_by_id": update(FOLDERS),
    "folders_delete_by_id": delete(FOLDERS),
    "folders_delete_by_key": ok(
        lambda ctx, a: FOLDERS.delete(ctx, _by_key(ctx, a.query("key") or "").id)
    ),
    "folders_patch_name_description": call(_patch_name, FOLDERS),
    "folders_get_by_key_by_identifier": call(
        lambda ctx, a: FOLDERS.to_row(ctx, _by_key(ctx, a.text("identifier"))), FOLDERS
    ),
    "folders_move_folder_by_folderid": call(_move),
    "folders_assign_users": call(_assign_users),
    "folders_assign_domain_user": call(_assign_domain_user),
    "folders_assign_machines": call(_assign_machines),
    "folders_update_machines_to_folder_associations": call(_update_machine_associations),
    "folders_remove_machines_from_folder_by_id": call(_remove_machines),
    "folders_remove_user_from_folder_by_id": call(_remove_user),
    "folders_toggle_folder_machine_inherit": call(_toggle_inherit),
    "folders_get_machines_for_folder_by_key": call(_machines_for_folder),
    "folders_get_users_for_folder_by_key_and_includeinherited": call(_users_for_folder),
    "folders_get_all_roles_for_user_by_username_and_skip_and_take": call(
        lambda ctx, a: _roles_for_user(ctx, a, a.text("username"))
    ),
    # a machine's folder links are direct (the mock models no inheritance down the tree), so
    # moving a folder changes no machine's assignment: the published list of changes is empty
    "folders_get_move_folder_machines_changes": call(lambda ctx, a: []),
    "folders_get_subfolders_with_assigned_machine": call(
        lambda ctx, a: [
            f.to_dto()
            for f in ctx.folders
            if f.id in _links(ctx, "MachineFolders", int(a.query("machineId") or -1))
        ],
        FOLDERS,
    ),
    # FoldersNavigation (GetFoldersForCurrentUser is the hand-written handler)
    "folders_navigation_get_all_folders_for_current_user": call(
        lambda ctx, a: [_extended_folder(ctx, f) for f in ctx.folders]
    ),
    "folders_navigation_get_all_roles_for_user": call(
        lambda ctx, a: _roles_for_user(ctx, a, a.query("username") or "")
    ),
    "folders_navigation_get_folder_navigation_context_for_current_user": call(_navigation_context),
    # OrganizationUnits
    "organization_units_get": rows(ORGANIZATION_UNITS),
    "organization_units_get_by_id": one(ORGANIZATION_UNITS),
    "organization_units_post": create(ORGANIZATION_UNITS),
    "organization_units_put_by_id": update(ORGANIZATION_UNITS),
    "organization_units_delete_by_id": delete(ORGANIZATION_UNITS),
    "organization_units_set_users_by_id": call(_set_unit_users),
    "organization_units_get_user_ids_for_unit_by_key": call(
        lambda ctx, a: sorted(_links(ctx, "FolderUsers", ORGANIZATION_UNITS.find(ctx, a.key()).id))
    ),
    "organization_units_get_users_for_unit_by_key": call(_unit_users, USERS),
    # Users
    "users_get": rows(USERS),
    "users_get_by_id": one(USERS),
    "users_post": create(USERS),
    "users_put_by_id": update(USERS),
    "users_patch_by_id": update(USERS, partial=True),
    "users_delete_by_id": delete(USERS),
    "users_get_current_user": call(_current_user),
    "users_get_current_permissions": call(
        lambda ctx, a: {"UserId": _current_user(ctx, a)["Id"], "Permissions": []}
    ),
    "users_validate_by_userids": call(_validate_users),
    "users_assign_roles_by_id": _user_flag("roles", "roleIds", (list,)),
    "users_change_user_culture_by_id": _user_flag("culture", "culture", (str,)),
    "users_set_active_by_id": _user_flag("active", "active", (bool,)),
    "users_toggle_organization_unit_by_id": _user_flag(
        "organizationUnit", "organizationUnitId", (int,)
    ),
    "users_toggle_role_by_id": _user_flag("role", "role", (str,)),
    "users_change_culture": call(lambda ctx, a: _change_culture(ctx, a)),
}


def _change_culture(ctx: Context, args: Args) -> None:
    culture = args.body_object().get("culture")
    if not isinstance(culture, str):
        raise ValidationFailed("The culture field is required.")
    number = _current_user(ctx, args)["Id"]
    ctx.store.user_flags.setdefault(number, {})["culture"] = culture


_ = format_odata_time

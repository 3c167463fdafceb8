"""Entity sets whose objects have behaviour of their own, served through their typed models.

Jobs run on a timeline, Assets answer robots, Releases start jobs, Queue items move through
transactions: their state stays in the backend's typed models (``models/``), and these
adapters give the generic handlers the same :class:`~.store.Source` face a plain set has, so a
release created by ``POST /odata/Releases`` starts jobs and an asset created by ``POST
/odata/Assets`` answers ``GetRobotAssetByNameForRobotKey``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ...core.clock import format_odata_time
from ..exceptions import EntityNotFound, ValidationFailed
from ..models.folders import FolderNameTaken
from ..models.users import user_dto
from .errors import NameConflict, NotModelled
from .store import Context, Row, validate_body

if TYPE_CHECKING:
    from ..backend import TenantBackend
    from ..models.assets import Asset, AssetType
    from ..models.folders import Folder
    from ..models.jobs import Job
    from ..models.queues import QueueDefinition, QueueItem
    from ..models.releases import Release
    from ..models.robots import Robot

__all__ = [
    "ASSETS",
    "FOLDERS",
    "JOBS",
    "QUEUE_DEFINITIONS",
    "QUEUE_ITEMS",
    "RELEASES",
    "ROBOTS",
    "SESSIONS",
    "USERS",
]

T = TypeVar("T")


class TypedSource(Generic[T]):
    """A set of typed objects: subclasses say where they are and how they read and change."""

    name = ""
    dto = ""
    entity = ""
    folder_scoped = True
    expansions: dict[str, Callable[[Context, Row], Any]] = {}

    # -- what subclasses provide ----------------------------------------------------------

    def all(self, backend: TenantBackend) -> dict[int, T]:
        raise NotImplementedError

    def folder_id(self, obj: T) -> int | None:
        return None

    def to_row(self, ctx: Context, obj: T) -> Row:
        raise NotImplementedError

    def make(self, ctx: Context, row: Row) -> T:
        raise NotModelled(f"creating {self.name}")

    def change(self, ctx: Context, obj: T, changes: Row) -> None:
        raise NotModelled(f"changing {self.name}")

    def remove(self, ctx: Context, obj: T) -> None:
        with ctx.backend.lock:
            del self.all(ctx.backend)[_id_of(obj)]
            ctx.store.shares.pop((self.name, _id_of(obj)), None)

    # -- the Source face ------------------------------------------------------------------

    def objects(self, ctx: Context) -> list[T]:
        found = self.all(ctx.backend).values()
        if not self.folder_scoped:
            return list(found)
        return [o for o in found if self.visible(ctx, o)]

    def visible(self, ctx: Context, obj: T) -> bool:
        """In one of the context's folders, by home or by ``ShareToFolders``."""
        wanted = ctx.folder_ids
        if self.folder_id(obj) in wanted:
            return True
        return bool(ctx.store.shared_to(self.name, _id_of(obj)) & wanted)

    def home_folder(self, ctx: Context, key: int) -> int | None:
        return self.folder_id(self.find(ctx, key))

    def find(self, ctx: Context, key: int) -> T:
        obj = self.all(ctx.backend).get(key)
        if obj is None or (self.folder_scoped and not self.visible(ctx, obj)):
            raise EntityNotFound(self.entity or self.name.removesuffix("s"))
        return obj

    def rows(self, ctx: Context) -> list[Row]:
        return [self.to_row(ctx, o) for o in self.objects(ctx)]

    def get(self, ctx: Context, key: int) -> Row:
        return self.to_row(ctx, self.find(ctx, key))

    def create(self, ctx: Context, body: Row) -> Row:
        row = validate_body(self.dto, body, partial=False)
        name = row.get("Name") if self.name != "Users" else None
        if isinstance(name, str) and any(
            isinstance(other.get("Name"), str) and other["Name"].casefold() == name.casefold()
            for other in self.rows(_in_target(ctx))
        ):
            raise NameConflict(self.entity or self.name.removesuffix("s"), name)
        return self.to_row(ctx, self.make(ctx, row))

    def update(self, ctx: Context, key: int, body: Row, *, partial: bool) -> Row:
        obj = self.find(ctx, key)
        changes = validate_body(self.dto, body, partial=partial)
        with ctx.backend.lock:
            self.change(ctx, obj, changes)
        return self.to_row(ctx, obj)

    def delete(self, ctx: Context, key: int) -> None:
        self.remove(ctx, self.find(ctx, key))


def _id_of(obj: Any) -> int:
    value: int = obj.id
    return value


def _in_target(ctx: Context) -> Context:
    folder = ctx.target_folder()
    return Context(ctx.backend, ctx.record, folder, [folder])


# -- assets -------------------------------------------------------------------------------


class _Assets(TypedSource["Asset"]):
    name, dto = "Assets", "AssetDto"

    def all(self, backend: TenantBackend) -> dict[int, Asset]:
        return backend.assets

    def folder_id(self, obj: Asset) -> int | None:
        return obj.folder_id

    def to_row(self, ctx: Context, obj: Asset) -> Row:
        return obj.to_dto()

    def make(self, ctx: Context, row: Row) -> Asset:
        kind = row.get("ValueType") or "Text"
        value: Any = {
            "Text": row.get("StringValue") or row.get("Value"),
            "Integer": row.get("IntValue"),
            "Bool": row.get("BoolValue"),
        }.get(kind)
        if kind not in ("Text", "Integer", "Bool", "Credential"):
            raise NotModelled(f"an asset of type {kind}")
        value_type = cast("AssetType", kind)
        return ctx.backend.add_asset(
            row["Name"],
            value,
            folder=ctx.target_folder(),
            value_type=value_type,
            username=row.get("CredentialUsername"),
            password=row.get("CredentialPassword"),
            description=row.get("Description"),
        )

    def change(self, ctx: Context, obj: Asset, changes: Row) -> None:
        fields = {
            "Name": "name",
            "Description": "description",
            "StringValue": "string_value",
            "IntValue": "int_value",
            "BoolValue": "bool_value",
            "CredentialUsername": "username",
            "CredentialPassword": "password",
        }
        for key, attribute in fields.items():
            if key in changes:
                setattr(obj, attribute, changes[key])


# -- releases -----------------------------------------------------------------------------


def _process_settings(ctx: Context, row: Row) -> Row:
    return {
        "ErrorRecordingEnabled": False,
        "Duration": 0,
        "Frequency": 0,
        "Quality": 0,
        "AutoStartProcess": False,
        "AlwaysRunning": False,
    }


def _environment_of(ctx: Context, row: Row) -> Row | None:
    """Modern folders have no environments: null, as a modern tenant answers [I]."""
    return None


class _Releases(TypedSource["Release"]):
    name, dto = "Releases", "ReleaseDto"
    expansions = {"ProcessSettings": _process_settings, "Environment": _environment_of}

    def all(self, backend: TenantBackend) -> dict[int, Release]:
        return backend.releases

    def folder_id(self, obj: Release) -> int | None:
        return obj.folder_id

    def to_row(self, ctx: Context, obj: Release) -> Row:
        return obj.to_dto()

    def make(self, ctx: Context, row: Row) -> Release:
        return ctx.backend.add_release(
            row["Name"],
            folder=ctx.target_folder(),
            process_key=row["ProcessKey"],
            process_version=row["ProcessVersion"],
            description=row.get("Description"),
            input_arguments=row.get("InputArguments"),
            entry_point_path=row.get("EntryPointPath"),
        )

    def change(self, ctx: Context, obj: Release, changes: Row) -> None:
        for key, attribute in {
            "Name": "name",
            "Description": "description",
            "ProcessVersion": "process_version",
            "InputArguments": "input_arguments",
            "EntryPointPath": "entry_point_path",
        }.items():
            if key in changes:
                setattr(obj, attribute, changes[key])


# -- queues -------------------------------------------------------------------------------


class _QueueDefinitions(TypedSource["QueueDefinition"]):
    name, dto, entity = "QueueDefinitions", "QueueDefinitionDto", "QueueDefinition"

    def all(self, backend: TenantBackend) -> dict[int, QueueDefinition]:
        return backend.queues

    def folder_id(self, obj: QueueDefinition) -> int | None:
        return obj.folder_id

    def to_row(self, ctx: Context, obj: QueueDefinition) -> Row:
        return obj.to_dto()

    def make(self, ctx: Context, row: Row) -> QueueDefinition:
        return ctx.backend.add_queue(
            row["Name"],
            folder=ctx.target_folder(),
            description=row.get("Description"),
            max_retries=int(row.get("MaxNumberOfRetries") or 0),
            enforce_unique_reference=bool(row.get("EnforceUniqueReference")),
        )

    def change(self, ctx: Context, obj: QueueDefinition, changes: Row) -> None:
        for key, attribute in {
            "Name": "name",
            "Description": "description",
            "MaxNumberOfRetries": "max_retries",
            "EnforceUniqueReference": "enforce_unique_reference",
        }.items():
            if key in changes:
                setattr(obj, attribute, changes[key])

    def remove(self, ctx: Context, obj: QueueDefinition) -> None:
        backend = ctx.backend
        with backend.lock:
            for item_id in [i.id for i in backend.queue_items.values() if i.queue is obj]:
                del backend.queue_items[item_id]
            del backend.queues[obj.id]


class _QueueItems(TypedSource["QueueItem"]):
    name, dto, entity = "QueueItems", "QueueItemDto", "QueueItem"

    def all(self, backend: TenantBackend) -> dict[int, QueueItem]:
        return backend.queue_items

    def folder_id(self, obj: QueueItem) -> int | None:
        return obj.queue.folder_id

    def to_row(self, ctx: Context, obj: QueueItem) -> Row:
        return obj.to_dto()

    def change(self, ctx: Context, obj: QueueItem, changes: Row) -> None:
        if obj.status != "New":
            raise ValidationFailed("Only items in the New status can be edited.")
        content = changes.get("SpecificContent")
        if isinstance(content, dict):
            obj.specific_content = content
        for key, attribute in {"Reference": "reference", "Priority": "priority"}.items():
            if key in changes:
                setattr(obj, attribute, changes[key])

    def remove(self, ctx: Context, obj: QueueItem) -> None:
        """Orchestrator deletes only New items, and marks them Deleted [I]: the mock drops."""
        if obj.status != "New":
            raise ValidationFailed("Only items in the New status can be deleted.")
        with ctx.backend.lock:
            del ctx.backend.queue_items[obj.id]


# -- jobs ---------------------------------------------------------------------------------


def _robot_of_job(ctx: Context, row: Row) -> Row | None:
    if row.get("State") == "Pending" or row.get("HostMachineName") is None:
        return None
    robots = ctx.backend.robots.robots
    robot = next(iter(robots.values()), None)
    return robot.to_dto() if robot is not None else None


def _release_of_job(ctx: Context, row: Row) -> Row | None:
    key = row.get("ReleaseKey") or (row.get("Release") or {}).get("Key")
    for release in ctx.backend.releases.values():
        if release.key == key or release.name == row.get("ReleaseName"):
            return release.to_dto()
    return None


def _machine_of_job(ctx: Context, row: Row) -> Row | None:
    from .sets import MACHINES

    if row.get("HostMachineName") is None:
        return None
    name = row["HostMachineName"]
    everyone = Context(ctx.backend, ctx.record, None, ctx.folders)
    machine = next((m for m in MACHINES.rows(everyone) if m["Name"] == name), None)
    return None if machine is None else {k: machine.get(k) for k in _MACHINE_DTO}


_MACHINE_DTO: tuple[str, ...] = ()
#: What ``$expand`` may name on a job ([V] JobDto's navigation properties).
JOB_EXPANSIONS: dict[str, Callable[[Context, Row], Any]] = {
    "Robot": _robot_of_job,
    "Release": _release_of_job,
    "Machine": _machine_of_job,
}


class _Jobs(TypedSource["Job"]):
    name, dto = "Jobs", "JobDto"
    expansions = JOB_EXPANSIONS

    def all(self, backend: TenantBackend) -> dict[int, Job]:
        return backend.jobs

    def folder_id(self, obj: Job) -> int | None:
        return obj.folder_id

    def to_row(self, ctx: Context, obj: Job) -> Row:
        return obj.to_dto(ctx.now)


# -- folders, robots, sessions, users -----------------------------------------------------


class _Folders(TypedSource["Folder"]):
    """Tenant-level; a caller sees the shared folders and their own workspace."""

    name, dto = "Folders", "FolderDto"
    folder_scoped = False

    def all(self, backend: TenantBackend) -> dict[int, Folder]:
        return backend.folders.by_id

    def objects(self, ctx: Context) -> list[Folder]:
        return list(ctx.folders)

    def find(self, ctx: Context, key: int) -> Folder:
        for folder in ctx.folders:
            if folder.id == key:
                return folder
        raise EntityNotFound("Folder")

    def to_row(self, ctx: Context, obj: Folder) -> Row:
        return obj.to_dto()

    def make(self, ctx: Context, row: Row) -> Folder:
        parent_id = row.get("ParentId")
        parent = ctx.backend.folders.get(parent_id) if isinstance(parent_id, int) else None
        path = row["DisplayName"]
        if parent is not None:
            path = f"{parent.fully_qualified_name}/{path}"
        if ctx.backend.folders.by_path(path) is not None:
            raise NameConflict("Folder", path)
        return ctx.backend.add_folder(path, description=row.get("Description"))

    def change(self, ctx: Context, obj: Folder, changes: Row) -> None:
        if "Description" in changes:
            obj.description = changes["Description"]
        if "DisplayName" in changes and changes["DisplayName"] != obj.display_name:
            try:
                ctx.backend.folders.rename(obj, changes["DisplayName"])
            except FolderNameTaken as exc:
                raise NameConflict("Folder", str(exc)) from exc

    def remove(self, ctx: Context, obj: Folder) -> None:
        backend = ctx.backend
        if obj is backend.default_folder:
            raise ValidationFailed("The default folder cannot be deleted.")
        with backend.lock:
            backend.folders.remove(obj)


class _Robots(TypedSource["Robot"]):
    name, dto = "Robots", "RobotDto"

    def all(self, backend: TenantBackend) -> dict[int, Robot]:
        return backend.robots.robots

    def objects(self, ctx: Context) -> list[Robot]:
        found: dict[int, Robot] = {}
        for folder in ctx.folders:
            for robot in ctx.backend.robots.in_folder(folder):
                found[robot.id] = robot
        return list(found.values())

    def find(self, ctx: Context, key: int) -> Robot:
        for robot in self.objects(ctx):
            if robot.id == key:
                return robot
        raise EntityNotFound("Robot")

    def to_row(self, ctx: Context, obj: Robot) -> Row:
        return obj.to_dto()

    def make(self, ctx: Context, row: Row) -> Robot:
        try:
            return ctx.backend.robots.add(
                row["Name"],
                machine_name=row.get("MachineName") or "MOCK-HOST-01",
                username=row.get("Username") or "acme\\robot",
                type=row.get("Type") or "Unattended",
                description=row.get("Description"),
            )
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from exc

    def change(self, ctx: Context, obj: Robot, changes: Row) -> None:
        for key, attribute in {
            "Name": "name",
            "Description": "description",
            "Enabled": "enabled",
            "Username": "username",
        }.items():
            if key in changes:
                setattr(obj, attribute, changes[key])


class _Sessions(TypedSource["Robot"]):
    name, dto = "Sessions", "SessionDto"
    expansions = {"Robot": lambda ctx, row: _robot_row(ctx, row.get("Id"))}

    def all(self, backend: TenantBackend) -> dict[int, Robot]:
        return backend.robots.robots

    def objects(self, ctx: Context) -> list[Robot]:
        return ROBOTS.objects(ctx)

    def to_row(self, ctx: Context, obj: Robot) -> Row:
        state = ctx.backend.robots.session_state(obj, ctx.now)
        return obj.session_dto(ctx.folder, state, ctx.now)


def _robot_row(ctx: Context, robot_id: Any) -> Row | None:
    robot = ctx.backend.robots.robots.get(robot_id) if isinstance(robot_id, int) else None
    return robot.to_dto() if robot is not None else None


class _Users(TypedSource[Any]):
    """The tenant's users: every person of the organization, plus the calling application."""

    name, dto = "Users", "UserDto"
    folder_scoped = False

    def all(self, backend: TenantBackend) -> dict[int, Any]:
        people = backend.directory.users_of(backend.tenant.org)
        return {backend.user_number(u.id): u for u in people}

    def dto_keys(self) -> tuple[str, ...]:
        return _USER_KEYS

    def to_row(self, ctx: Context, obj: Any) -> Row:
        workspace = ctx.backend.personal_workspace(obj)
        row = user_dto(ctx.backend, None, obj, workspace)
        row["CreationTime"] = row["LastLoginTime"] = format_odata_time(0.0)
        flags = ctx.store.user_flags.get(row["Id"], {})
        if "active" in flags:
            row["IsActive"] = flags["active"]
        return {key: row[key] for key in _USER_KEYS if key in row}

    def change(self, ctx: Context, obj: Any, changes: Row) -> None:
        """Name and Surname rename the person (the directory is the mock's own)."""
        first, _, last = obj.name.partition(" ")
        first = changes.get("Name", first) or first
        last = changes.get("Surname", last) or ""
        obj.name = f"{first} {last}".strip()
        if isinstance(changes.get("IsActive"), bool):
            number = ctx.backend.user_number(obj.id)
            ctx.store.user_flags.setdefault(number, {})["active"] = changes["IsActive"]

    def make(self, ctx: Context, row: Row) -> Any:
        """A person of the organization's directory; they sign in with a password the mock
        draws (``cloud.identity.find_user(email).password`` for a test that needs it)."""
        username = row.get("UserName")
        email = row.get("EmailAddress") or (f"{username}@acme.test" if username else None)
        if not isinstance(username, str) or not username.strip():
            raise ValidationFailed("The UserName field is required.")
        directory = ctx.backend.directory
        if directory.find_user(username) or directory.find_user(str(email)):
            raise NameConflict("User", username)
        user = directory.add_user(
            ctx.backend.tenant.org, username, str(email), ctx.backend.ids.token(12)
        )
        user.name = " ".join(p for p in (row.get("Name"), row.get("Surname")) if p) or username
        return user

    def remove(self, ctx: Context, obj: Any) -> None:
        directory = ctx.backend.directory
        if obj is directory.login_user:
            raise ValidationFailed("The signed-in user cannot be deleted.")
        with ctx.backend.lock:
            directory.remove_user(obj)


_USER_KEYS: tuple[str, ...] = ()


def _finish() -> None:
    from ..data import dto_fields

    global _MACHINE_DTO, _USER_KEYS
    _MACHINE_DTO = dto_fields("MachineDto")
    _USER_KEYS = dto_fields("UserDto")


_finish()

ASSETS = _Assets()
RELEASES = _Releases()
QUEUE_DEFINITIONS = _QueueDefinitions()
QUEUE_ITEMS = _QueueItems()
JOBS = _Jobs()
FOLDERS = _Folders()
ROBOTS = _Robots()
SESSIONS = _Sessions()
USERS = _Users()


def rows_of(source: TypedSource[Any], ctx: Context, ids: Iterable[int]) -> list[Row]:
    """The rows of ``ids`` that exist in scope, in the order asked."""
    by_id = {o_id: o for o_id, o in source.all(ctx.backend).items()}
    return [source.to_row(ctx, by_id[i]) for i in ids if i in by_id]

"""Shaping a world from a document: check all of it, then apply all of it.

Each section has a planner (``_plan_folders``...) that checks its items against the world *and*
against what the document itself adds, and queues the steps that will apply them; the steps run
only once every section has been checked, under the world's lock, so a refused document leaves
the world exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..identity.entities import ExternalApp
from ..identity.settings import PROFILES
from ..orchestrator.models.releases import ProcessBehaviour
from .schema import (
    APP,
    ASSET,
    BEHAVIOUR,
    FOLDER,
    GRANT_TYPES,
    MAX_ITEMS,
    ORCHESTRATOR_SETTINGS,
    QUEUE,
    READ_ONLY_KEYS,
    RELEASE,
    SETTINGS,
    STARTUP_KEYS,
    USER,
    WRITABLE_KEYS,
    WorldError,
    checked_object,
    integer,
    items,
    one_of,
)

if TYPE_CHECKING:
    from .._surface import WorldSurface
    from ..orchestrator.backend import TenantBackend

__all__ = ["apply_world", "load_world_file", "startup_options"]


class _Plan:
    """What a document will do, checked against the world and itself before anything runs."""

    def __init__(self, cloud: WorldSurface, orch: TenantBackend) -> None:
        self.cloud = cloud
        self.orch = orch
        self.steps: list[Callable[[], None]] = []
        self.folders = {f.fully_qualified_name.lower() for f in orch.folders}
        #: process name (a release's Name or ProcessKey), lower case -> its folders, lower case
        self.processes: dict[str, set[str]] = {}
        for release in orch.releases.values():
            self.add_process(release.name, release.process_key, release.folder_path)

    def add_process(self, name: str, key: str, folder: str) -> None:
        for each in (name, key):
            self.processes.setdefault(each.lower(), set()).add(folder.lower())

    def folder(self, where: str, path: str | None) -> str:
        """A folder path the world has or this document adds ("Shared" when not given)."""
        if path is None:
            return self.orch.default_folder.fully_qualified_name
        normal = _normal_path(path)
        if normal.lower() not in self.folders:
            raise WorldError(
                where, f"names no folder of the world or of this document's 'folders': {path!r}"
            )
        return normal


def _normal_path(path: str) -> str:
    return "/".join(p for p in path.strip().strip("/").split("/") if p.strip())


def _plan_folders(plan: _Plan, value: Any) -> None:
    for i, raw in enumerate(items("folders", value)):
        item = checked_object(f"folders[{i}]", raw, FOLDER)
        path = _normal_path(item["path"])
        if not path:
            raise WorldError(f"folders[{i}].path", "must name at least one folder")
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            plan.folders.add("/".join(parts[:depth]).lower())
        plan.steps.append(partial(_add_folder, plan.orch, path, item.get("description")))


def _add_folder(orch: TenantBackend, path: str, description: str | None) -> None:
    folder = orch.add_folder(path, description=description)
    if description is not None:
        folder.description = description


def _plan_releases(plan: _Plan, value: Any) -> None:
    for i, raw in enumerate(items("releases", value)):
        item = checked_object(f"releases[{i}]", raw, RELEASE)
        item["folder"] = plan.folder(f"releases[{i}].folder", item.get("folder"))
        plan.add_process(item["name"], item.get("process_key", item["name"]), item["folder"])
        plan.steps.append(partial(_put_release, plan.orch, item))


def _put_release(orch: TenantBackend, item: dict[str, Any]) -> None:
    folder = orch.folder(item["folder"])
    existing = next(
        (r for r in orch.releases_in(folder) if r.name.lower() == item["name"].lower()), None
    )
    if existing is None:
        orch.add_release(
            item["name"],
            folder=folder,
            process_key=item.get("process_key"),
            process_version=item.get("process_version", "1.0.0"),
            description=item.get("description"),
        )
        return
    for name in ("process_key", "process_version", "description"):
        if name in item:
            setattr(existing, name, item[name])


def _plan_processes(plan: _Plan, value: Any) -> None:
    if not isinstance(value, dict):
        raise WorldError("processes", "must be an object: process name -> its behaviour")
    if len(value) > MAX_ITEMS:
        raise WorldError("processes", f"may hold at most {MAX_ITEMS} processes")
    for name, raw in value.items():
        where = f"processes.{name}"
        item = checked_object(where, raw, BEHAVIOUR)
        folders = plan.processes.get(name.lower(), set())
        if not folders:
            raise WorldError(
                where, "names no release of the world or of this document's 'releases'"
            )
        folder = item.pop("folder", None)
        if folder is not None:
            folder = plan.folder(f"{where}.folder", folder)
            if folder.lower() not in folders:
                raise WorldError(f"{where}.folder", f"has no release of {name!r}")
        try:  # ProcessBehaviour's own checks, on a throwaway copy
            ProcessBehaviour().configured(**item)
        except (ValueError, TypeError) as exc:
            raise WorldError(where, f"is not a valid behaviour: {exc}") from None
        plan.steps.append(partial(_configure_process, plan.orch, name, folder, item))


def _configure_process(
    orch: TenantBackend, name: str, folder: str | None, behaviour: dict[str, Any]
) -> None:
    orch.configure_process(name, folder=folder, **behaviour)


def _plan_queues(plan: _Plan, value: Any) -> None:
    for i, raw in enumerate(items("queues", value)):
        item = checked_object(f"queues[{i}]", raw, QUEUE)
        item["folder"] = plan.folder(f"queues[{i}].folder", item.get("folder"))
        plan.steps.append(partial(_put_queue, plan.orch, item))


def _put_queue(orch: TenantBackend, item: dict[str, Any]) -> None:
    folder = orch.folder(item.pop("folder"))
    name = item.pop("name")
    existing = next((q for q in orch.queues_in(folder) if q.name.lower() == name.lower()), None)
    if existing is None:
        orch.add_queue(name, folder=folder, **item)
        return
    for key, v in item.items():
        setattr(existing, key, v)


def _plan_assets(plan: _Plan, value: Any) -> None:
    for i, raw in enumerate(items("assets", value)):
        where = f"assets[{i}]"
        item = checked_object(where, raw, ASSET)
        item["folder"] = plan.folder(f"{where}.folder", item.get("folder"))
        credential = item.get("value_type") == "Credential" or "username" in item
        if credential and ("username" not in item or "password" not in item):
            raise WorldError(where, "is a Credential: give both username and password")
        if credential and item.get("value") is not None:
            raise WorldError(f"{where}.value", "must be left out for a Credential")
        if not credential and ("password" in item):
            raise WorldError(f"{where}.password", "belongs to a Credential asset (with username)")
        declared = item.get("value_type")
        actual = _asset_type(item.get("value"))
        if declared not in (None, "Credential", actual) and item.get("value") is not None:
            raise WorldError(f"{where}.value", f"must be a {declared} value, not {actual}")
        plan.steps.append(partial(_put_asset, plan.orch, item))


def _asset_type(value: Any) -> str:
    if isinstance(value, bool):
        return "Bool"
    return "Integer" if isinstance(value, int) else "Text"


def _put_asset(orch: TenantBackend, item: dict[str, Any]) -> None:
    folder = orch.folder(item["folder"])
    name = item["name"]
    existing = next((a for a in orch.assets_in(folder) if a.name.lower() == name.lower()), None)
    if existing is None:
        orch.add_asset(
            name,
            item.get("value"),
            folder=folder,
            value_type=item.get("value_type"),
            username=item.get("username"),
            password=item.get("password"),
            description=item.get("description"),
        )
        return
    value = item.get("value")
    if "username" in item:  # changed into (or kept as) a Credential
        existing.value_type = "Credential"
        existing.username, existing.password = item["username"], item["password"]
        existing.string_value = existing.int_value = existing.bool_value = None
    elif "value" in item or "value_type" in item:
        existing.value_type = item.get("value_type") or _asset_type(value)  # type: ignore[assignment]
        existing.username = existing.password = None
        existing.string_value = value if isinstance(value, str) else None
        existing.int_value = (
            value if _asset_type(value) == "Integer" and value is not None else None
        )
        existing.bool_value = value if isinstance(value, bool) else None
    if "description" in item:
        existing.description = item["description"]


def _plan_apps(plan: _Plan, value: Any) -> None:
    apps = plan.cloud.identity.apps
    for i, raw in enumerate(items("apps", value)):
        where = f"apps[{i}]"
        item = checked_object(where, raw, APP)
        grants = item.get("grant_types")
        if grants is not None and not grants <= set(GRANT_TYPES):
            raise WorldError(f"{where}.grant_types", f"must be among {', '.join(GRANT_TYPES)}")
        existing = apps.get(item["client_id"])
        secret = item.get("client_secret", existing.secret if existing else None)
        granted = grants if grants is not None else (existing.grant_types if existing else None)
        if granted is not None and "client_credentials" in granted and secret is None:
            raise WorldError(
                f"{where}.client_secret", "is required: client_credentials needs a secret"
            )
        plan.steps.append(partial(_put_app, plan.cloud, item))


def _put_app(cloud: WorldSurface, item: dict[str, Any]) -> None:
    identity = cloud.identity
    existing = identity.apps.get(item["client_id"])
    if existing is None:
        secret = item.get("client_secret")
        identity.add_app(
            ExternalApp(
                client_id=item["client_id"],
                name=item.get("name", item["client_id"]),
                secret=secret,
                app_scopes=item.get("scopes", frozenset()),
                user_scopes=item.get("user_scopes", frozenset()),
                redirect_uris=tuple(sorted(item.get("redirect_uris", ()))),
                grant_types=item.get(
                    "grant_types",
                    frozenset({"client_credentials"})
                    if secret
                    else frozenset({"authorization_code", "refresh_token"}),
                ),
                org_id=cloud.default_tenant.org.id,
            )
        )
        return
    for key, attr in (
        ("client_secret", "secret"),
        ("name", "name"),
        ("scopes", "app_scopes"),
        ("user_scopes", "user_scopes"),
        ("grant_types", "grant_types"),
    ):
        if key in item:
            setattr(existing, attr, item[key])
    if "redirect_uris" in item:
        existing.redirect_uris = tuple(sorted(item["redirect_uris"]))


def _plan_users(plan: _Plan, value: Any) -> None:
    users = plan.cloud.identity.users
    for i, raw in enumerate(items("users", value)):
        item = checked_object(f"users[{i}]", raw, USER)
        if item["username"].lower() not in users and "password" not in item:
            raise WorldError(f"users[{i}].password", "is required for a new user")
        plan.steps.append(partial(_put_user, plan.cloud, item))


def _put_user(cloud: WorldSurface, item: dict[str, Any]) -> None:
    identity = cloud.identity
    existing = identity.users.get(item["username"].lower())
    if existing is None:
        username = item["username"]
        user = identity.add_user(
            cloud.default_tenant.org,
            username,
            item.get("email", f"{username}@mock.test"),
            item["password"],
        )
        user.name = item.get("name", username)
        return
    for key in ("password", "name"):
        if key in item:
            setattr(existing, key, item[key])
    if "email" in item and item["email"].lower() != existing.email.lower():
        identity.users.pop(existing.email.lower(), None)
        existing.email = item["email"]
        identity.users[existing.email.lower()] = existing


def _check_settings(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WorldError("settings", f"must be an object with keys among: {', '.join(SETTINGS)}")
    checked: dict[str, Any] = {}
    for name, raw in value.items():
        if name not in SETTINGS:
            hint = " (the profile is chosen when the world starts)" if name == "profile" else ""
            raise WorldError(
                f"settings.{name}", f"is not a known setting{hint}; allowed: {', '.join(SETTINGS)}"
            )
        checked[name] = SETTINGS[name](f"settings.{name}", raw)
    return checked


def _plan_settings(plan: _Plan, value: Any) -> None:
    plan.steps.append(partial(_put_settings, plan.cloud, _check_settings(value)))


def _put_settings(cloud: WorldSurface, changes: dict[str, Any]) -> None:
    identity = {k: v for k, v in changes.items() if k not in ORCHESTRATOR_SETTINGS}
    if identity:
        cloud.settings = cloud.settings.replace(**identity)
    if "rate_limit_per_minute" in changes:
        cloud.rate_limit_per_minute = changes["rate_limit_per_minute"]
    if "folderless_lists" in changes:
        cloud.orchestrator.folderless_lists = changes["folderless_lists"]


#: Sections in the order they apply (folders before what lives in them, releases before
#: their behaviour).
_SECTIONS: dict[str, Callable[[_Plan, Any], None]] = {
    "folders": _plan_folders,
    "releases": _plan_releases,
    "processes": _plan_processes,
    "queues": _plan_queues,
    "assets": _plan_assets,
    "apps": _plan_apps,
    "users": _plan_users,
    "settings": _plan_settings,
}


def apply_world(cloud: WorldSurface, document: Any, *, starting: bool = False) -> None:
    """Check all of ``document``, then apply it to ``cloud``; nothing is half applied.

    ``starting`` is True when the world is being built from the document (``from_world``),
    where ``profile`` and ``seed`` were already used; otherwise they must match the world's.
    """
    if not isinstance(document, dict):
        raise WorldError("(document)", "must be a JSON object")
    allowed = (*STARTUP_KEYS, *WRITABLE_KEYS)
    for key in document:
        if key in READ_ONLY_KEYS:
            raise WorldError(key, f"is read-only; a document may carry: {', '.join(allowed)}")
        if key not in allowed:
            raise WorldError(key, f"is not a known key; allowed: {', '.join(allowed)}")
    if not starting:
        for key, current in (("profile", cloud.profile), ("seed", cloud.seed)):
            if key in document and document[key] != current:
                raise WorldError(
                    key,
                    f"is fixed when the world starts (it is {current!r}): use serve "
                    f"--{key}, a --world file or MockCloud.from_world",
                )
    with cloud.lock:
        plan = _Plan(cloud, cloud.orchestrator.default)
        for key, planner in _SECTIONS.items():
            if key in document:
                planner(plan, document[key])
        for step in plan.steps:
            step()


def startup_options(document: Any) -> dict[str, Any]:
    """The ``MockCloud`` keyword arguments a document starts a world with, checked: ``profile``,
    ``seed`` and its ``settings`` (so that even the default credentials are issued under them).
    """
    if not isinstance(document, dict):
        raise WorldError("(document)", "must be a JSON object")
    options: dict[str, Any] = {}
    if "profile" in document:
        options["profile"] = one_of(*PROFILES)("profile", document["profile"])
    if "seed" in document:
        options["seed"] = integer(0, 2**63 - 1)("seed", document["seed"])
    settings = document.get("settings")
    if settings is not None:
        checked = _check_settings(settings)
        checked.pop("folderless_lists", None)  # a registry setting, applied with the world
        options.update(checked)
    return options


def load_world_file(path: str | Path) -> Any:
    """A world document from a JSON or YAML file (YAML by suffix, or when JSON fails)."""
    text = Path(path).read_text(encoding="utf-8")
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise WorldError("(document)", f"is not valid JSON: {exc}") from None
    import yaml  # only files need it

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise WorldError("(document)", f"is not valid YAML or JSON: {first}") from None

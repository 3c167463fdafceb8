"""``GET /_mock/world``: the whole world as a document, without a single secret."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from ..identity.settings import AuthSettings
from ..orchestrator.models.releases import ProcessBehaviour

if TYPE_CHECKING:
    from .._surface import WorldSurface

__all__ = ["describe_world"]


def _behaviour(b: ProcessBehaviour) -> dict[str, Any]:
    return {
        "pending_seconds": b.pending_seconds,
        "running_seconds": b.running_seconds,
        "stopping_seconds": b.stopping_seconds,
        "outcome": b.outcome,
        "error": {**b.job_error, "detail": b.error} if b.job_error else b.error,
        "output_arguments": json.loads(b.output_arguments),
    }


def describe_world(cloud: WorldSurface) -> dict[str, Any]:
    """The whole world as a JSON-ready document, without a single secret (module docstring)."""
    with cloud.lock:
        orch = cloud.orchestrator.default
        identity = cloud.identity
        path_of = {f.id: f.fully_qualified_name for f in orch.folders}
        releases = sorted(orch.releases.values(), key=lambda r: r.id)
        processes: dict[str, Any] = {}
        for release in releases:
            processes.setdefault(release.name, _behaviour(release.behaviour))
        users = {id(u): u for u in identity.users.values()}.values()
        settings = {f.name: getattr(cloud.settings, f.name) for f in fields(AuthSettings)}
        settings.pop("profile")
        settings["rate_limit_per_minute"] = cloud.orchestrator.rate_limit_per_minute
        settings["folderless_lists"] = cloud.orchestrator.folderless_lists
        return {
            "profile": cloud.profile,
            "seed": cloud.seed,
            "tenants": [
                {
                    "organization": org.name,
                    "organization_display_name": org.display_name,
                    "name": tenant.name,
                    "display_name": tenant.display_name,
                    "id": tenant.id,
                    "default": tenant is orch.tenant,
                }
                for org in identity.orgs.values()
                for tenant in org.tenants.values()
            ],
            "folders": [
                {
                    "path": f.fully_qualified_name,
                    "description": f.description,
                    "id": f.id,
                    "key": f.key,
                    "personal": f.is_personal,
                }
                for f in orch.folders
            ],
            "releases": [
                {
                    "name": r.name,
                    "folder": r.folder_path,
                    "process_key": r.process_key,
                    "process_version": r.process_version,
                    "description": r.description,
                    "id": r.id,
                    "key": r.key,
                    "behaviour": _behaviour(r.behaviour),
                }
                for r in releases
            ],
            "processes": processes,
            "queues": [
                {
                    "name": q.name,
                    "folder": q.folder_path,
                    "description": q.description,
                    "max_retries": q.max_retries,
                    "enforce_unique_reference": q.enforce_unique_reference,
                    "id": q.id,
                    "key": q.key,
                }
                for q in sorted(orch.queues.values(), key=lambda q: q.id)
            ],
            "assets": [
                {
                    "name": a.name,
                    "folder": path_of.get(a.folder_id),
                    "value_type": a.value_type,
                    # A Credential shows its username only: its password is a secret.
                    **(
                        {"username": a.username}
                        if a.value_type == "Credential"
                        else {"value": _asset_plain_value(a)}
                    ),
                    "description": a.description,
                    "id": a.id,
                    "key": a.key,
                }
                for a in sorted(orch.assets.values(), key=lambda a: a.id)
            ],
            "robots": [
                {
                    "name": r.name,
                    "machine_name": r.machine_name,
                    "username": r.username,
                    "type": r.type,
                    "enabled": r.enabled,
                    "folders": sorted(path_of[i] for i in r.folder_ids if i in path_of),
                    "id": r.id,
                    "key": r.key,
                }
                for r in orch.robots.robots.values()
            ],
            "apps": [
                {
                    "client_id": app.client_id,
                    "name": app.name,
                    "confidential": app.confidential,  # the secret itself is write-only
                    "scopes": sorted(app.app_scopes),
                    "user_scopes": sorted(app.user_scopes),
                    "grant_types": sorted(app.grant_types),
                    "redirect_uris": list(app.redirect_uris),
                }
                for app in identity.apps.values()
            ],
            "users": [{"username": u.username, "email": u.email, "name": u.name} for u in users],
            "settings": settings,
        }


def _asset_plain_value(asset: Any) -> Any:
    if asset.value_type == "Integer":
        return asset.int_value
    if asset.value_type == "Bool":
        return asset.bool_value
    return asset.string_value

"""Folders and the current user: tenant-level calls, no folder header needed ([I] §6.2)."""

from __future__ import annotations

import httpx

from ...core.errors import json_response
from .. import parsing
from ..models.folders import Folder
from ..models.users import USER_FIELDS, user_dto
from ..odata import field_map
from ..responses import Call, collection, entity

__all__ = ["current_user_extended", "folders_for_current_user", "list_folders"]

_FOLDER_MAP = field_map(Folder(0, "", "", "").to_dto().keys())
_USER_MAP = field_map(USER_FIELDS)
_TAKE_MAX = 100


def list_folders(call: Call) -> httpx.Response:
    query = parsing.odata_query(call.req, _FOLDER_MAP)
    rows = [f.to_dto() for f in call.backend.folders.visible_to(call.caller_email())]
    return collection(call.req, "Folders", rows, query)


def folders_for_current_user(call: Call) -> httpx.Response:
    req, backend = call.req, call.backend
    # [V] 1009 "The field take must be between 0 and 100" (UiPathOrch tsv).
    take = parsing.nonnegative(req, "take", _TAKE_MAX, _TAKE_MAX)
    skip = parsing.nonnegative(req, "skip", 0, 2147483647)
    search = (req.query_get("searchText") or "").strip().casefold()
    user = backend.user_of(call.token)
    if user is not None:
        backend.personal_workspace(user)
    folders = sorted(
        (
            f
            for f in backend.folders.visible_to(user.email if user else None)
            if search in f.display_name.casefold() or search in f.fully_qualified_name.casefold()
        ),
        key=lambda f: f.fully_qualified_name.casefold(),
    )
    page = [f.to_dto() for f in folders[skip : skip + take]]
    return json_response(200, {"PageItems": page, "Count": len(folders)})


def current_user_extended(call: Call) -> httpx.Response:
    backend = call.backend
    query = parsing.odata_query(call.req, _USER_MAP)
    user = backend.user_of(call.token)
    workspace = backend.personal_workspace(user) if user is not None else None
    dto = user_dto(backend, call.token, user, workspace)
    if query.select is not None:
        dto = {name: dto.get(name) for name in query.select}
    return entity(call.req, "Users" + query.context_suffix(), dto)

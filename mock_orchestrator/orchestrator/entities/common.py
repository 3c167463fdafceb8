"""Behaviours several tags share: sharing to folders, the folders of an entity, exports, bulks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.clock import format_odata_time
from ..exceptions import EntityNotFound, FolderNotFound, InvalidRequest
from .kinds import Args, Behaviour, call
from .store import Context, Row, Source

__all__ = [
    "accessible_folders",
    "bulk",
    "export",
    "ok",
    "share_to_folders",
    "simple_folder",
]


def simple_folder(folder: Any) -> Row:
    """``SimpleFolderDto``."""
    return {
        "Id": folder.id,
        "Key": folder.key,
        "DisplayName": folder.display_name,
        "FullyQualifiedName": folder.fully_qualified_name,
        "ParentId": folder.parent_id,
        "ParentKey": folder.parent_key,
        "Description": folder.description,
    }


def _home(source: Source, ctx: Context, key: int) -> int | None:
    found: int | None = source.home_folder(ctx, key)
    return found


def accessible_folders(source: Source, *, key: str = "id") -> Behaviour:
    """``GetFoldersFor<Entity>(id=)``: its home folder and the ones it is shared to."""

    def run(ctx: Context, args: Args) -> Row:
        number = args.key(key)
        home = _home(source, ctx, number)
        ids = {home, *ctx.store.shared_to(source.name, number)}
        folders = [f for f in ctx.folders if f.id in ids]
        return {
            "AccessibleFolders": [simple_folder(f) for f in folders],
            "TotalFoldersCount": len(ids - {None}),
        }

    return call(run, folders="across")


def share_to_folders(source: Source, ids_field: str) -> Behaviour:
    """``ShareToFolders``: ``{<ids_field>, ToAddFolderIds, ToRemoveFolderIds}``; the entities
    then read in those folders as in their own."""

    def run(ctx: Context, args: Args) -> None:
        body = args.body_object()
        numbers = args.body_ids(ids_field)
        add = _int_list(body, "ToAddFolderIds")
        remove = _int_list(body, "ToRemoveFolderIds")
        visible = {f.id for f in ctx.folders}
        if not set(add + remove) <= visible:
            raise FolderNotFound()
        for number in numbers:
            _home(source, ctx, number)  # 404 for an entity the caller cannot see
        store = ctx.store
        with ctx.backend.lock:
            for number in numbers:
                shared = store.shares.setdefault((source.name, number), set())
                shared.update(add)
                shared.difference_update(remove)
        return None

    return call(run, folders="across")


def _int_list(body: Row, name: str) -> list[int]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise InvalidRequest(f"The field {name} must be a list of ids.")
    return list(value)


def export(kind: str, name: Callable[[Context, Args], str] | None = None) -> Behaviour:
    """``Export``: an ``ExportModel`` of a finished export [I] (the mock writes no file)."""

    def run(ctx: Context, args: Args) -> Row:
        now = format_odata_time(ctx.now)
        return {
            "Id": ctx.backend.ids.sequence("Exports", start=1),
            "Name": name(ctx, args) if name else f"{kind}-export",
            "Type": kind,
            "Status": "Completed",
            "RequestedAt": now,
            "ExecutedAt": now,
            "Size": 0,
        }

    return call(run)


def bulk(run_one: Callable[[Context, int], None], ids_field: str) -> Behaviour:
    """A bulk action over ids in the body: ``BulkOperationResponseDtoOfInt64``, failing ids
    listed (an id the caller cannot see fails, the others go through)."""

    def run(ctx: Context, args: Args) -> Row:
        failed = []
        for number in args.body_ids(ids_field):
            try:
                run_one(ctx, number)
            except EntityNotFound:
                failed.append(number)
        return {"Success": not failed, "Message": None, "FailedItems": failed}

    return call(run)


def ok(run_one: Callable[[Context, Args], Any]) -> Behaviour:
    """An action that answers 200 with no body after ``run_one``."""

    def run(ctx: Context, args: Args) -> None:
        run_one(ctx, args)
        return None

    return call(run)

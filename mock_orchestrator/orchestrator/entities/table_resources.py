"""Assets, Buckets, Calendars, Webhooks, QueueDefinitions and QueueItems: operation -> behaviour.

Where the mock knowingly differs: a bucket holds file *names*, not bytes (``GetWriteUri``
records the file, as the upload to the returned URI would have; the URI points at a host the
mock does not serve); a webhook is never delivered (the mock makes no outbound calls): each
event is kept in the tenant's ``EntityStore.deliveries`` for a test to read.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...core.clock import format_odata_time
from ..exceptions import EntityNotFound, InvalidRequest, ValidationFailed
from .common import accessible_folders, bulk, export, share_to_folders
from .kinds import Args, Behaviour, call, create, delete, one, rows, update
from .sets import BUCKETS, CALENDARS, WEBHOOKS
from .store import Context, Row
from .typed import ASSETS, QUEUE_DEFINITIONS, QUEUE_ITEMS

__all__ = ["TABLE"]

_OP = "UiPath.Server.Configuration.OData."


# -- assets -------------------------------------------------------------------------------


def _robot_asset(ctx: Context, args: Args) -> Row:
    """``GetRobotAsset(robotId=, assetName=)``: the asset as that robot reads it."""
    robot_id = args.number("robotId")
    if robot_id not in ctx.backend.robots.robots:
        raise EntityNotFound("Robot")
    name = args.text("assetName").casefold()
    for asset in ctx.backend.assets_in(ctx.target_folder()):
        if asset.name.casefold() == name:
            return asset.to_robot_dto()
    raise EntityNotFound("Asset")


def _set_robot_asset(ctx: Context, args: Args) -> None:
    """``SetRobotAssetByRobotKey``: a robot writes an asset's value (Text, Integer, Bool)."""
    body = args.body_object()
    asset_body = body.get("robotAsset")
    if not isinstance(asset_body, dict) or not isinstance(asset_body.get("Name"), str):
        raise ValidationFailed("The robotAsset field is required.")
    wanted = asset_body["Name"].casefold()
    for asset in ctx.backend.assets_in(ctx.target_folder()):
        if asset.name.casefold() == wanted:
            with ctx.backend.lock:
                if asset.value_type == "Text":
                    asset.string_value = asset_body.get("StringValue")
                elif asset.value_type == "Integer":
                    asset.int_value = asset_body.get("IntValue")
                elif asset.value_type == "Bool":
                    asset.bool_value = asset_body.get("BoolValue")
            return None
    raise EntityNotFound("Asset")


# -- buckets ------------------------------------------------------------------------------


def _bucket_files(ctx: Context, args: Args) -> dict[str, Row]:
    number = args.key()
    BUCKETS.get(ctx, number)  # 404 when the caller cannot see the bucket
    return ctx.store.files.setdefault(number, {})


def _path(args: Args, name: str = "path") -> str:
    path = (args.query(name) or "").strip().replace("\\", "/").lstrip("/")
    if not path:
        raise ValidationFailed(f"The {name} field is required.")
    return path


def _file_row(path: str, size: int, content_type: str | None) -> Row:
    return {
        "FullPath": path,
        "ContentType": content_type,
        "Size": size,
        "IsDirectory": False,
        "Id": path,
    }


def _get_file(ctx: Context, args: Args) -> Row:
    found = _bucket_files(ctx, args).get(_path(args))
    if found is None:
        raise EntityNotFound("File")
    return found


def _files(ctx: Context, args: Args) -> list[Row]:
    directory = (args.query("directory") or "").strip("/")
    recursive = (args.query("recursive") or "").lower() == "true"
    glob = args.query("fileNameGlob") or "*"
    found = []
    for path, row in sorted(_bucket_files(ctx, args).items()):
        parent, _, leaf = path.rpartition("/")
        inside = parent == directory or (
            recursive and (not directory or parent.startswith(directory + "/"))
        )
        if inside and fnmatch.fnmatch(leaf, glob):
            found.append(row)
    return found


def _directories(ctx: Context, args: Args) -> list[Row]:
    directory = (args.query("directory") or "").strip("/")
    names = set()
    for path in _bucket_files(ctx, args):
        parent = path.rpartition("/")[0]
        if parent and (not directory or parent.startswith(directory + "/")):
            rest = parent[len(directory) + 1 :] if directory else parent
            names.add((f"{directory}/" if directory else "") + rest.split("/", 1)[0])
    return [
        {"FullPath": n, "ContentType": None, "Size": 0, "IsDirectory": True, "Id": n}
        for n in sorted(names)
    ]


def _access(ctx: Context, args: Args, verb: str) -> Row:
    number = args.key()
    path = _path(args)
    if verb == "PUT":
        files = _bucket_files(ctx, args)
        with ctx.backend.lock:
            files[path] = _file_row(path, 0, args.query("contentType"))
    else:
        _get_file(ctx, args)
    expiry = ctx.now + 60 * int(args.query("expiryInMinutes") or 60)
    return {
        "Uri": f"https://storage.mock.test/buckets/{number}/{path}?se={int(expiry)}",
        "Verb": verb,
        "RequiresAuth": False,
        "Headers": {"Keys": ["x-ms-blob-type"], "Values": ["BlockBlob"]},
    }


def _delete_file(ctx: Context, args: Args) -> None:
    files = _bucket_files(ctx, args)
    path = _path(args)
    if path not in files:
        raise EntityNotFound("File")
    with ctx.backend.lock:
        del files[path]


# -- calendars and webhooks ---------------------------------------------------------------


def _calendar_exists(ctx: Context, args: Args) -> bool:
    name = args.body_object().get("calendarName")
    if not isinstance(name, str):
        raise ValidationFailed("The calendarName field is required.")
    return any(row.get("Name", "").casefold() == name.casefold() for row in CALENDARS.rows(ctx))


#: [V] the event types Orchestrator's webhooks subscribe to (swagger ``WebhookEventDto``);
#: the groups as the UI shows them [I].
_EVENT_TYPES = [
    ("job.created", "Jobs"),
    ("job.started", "Jobs"),
    ("job.completed", "Jobs"),
    ("job.faulted", "Jobs"),
    ("job.stopped", "Jobs"),
    ("queue.created", "Queues"),
    ("queueItem.added", "QueueItems"),
    ("queueItem.transactionCompleted", "QueueItems"),
    ("robot.status.Available", "Robots"),
    ("process.created", "Processes"),
]


def _event(ctx: Context, kind: str, data: dict[str, Any] | None) -> Row:
    now = format_odata_time(ctx.now)
    event: Row = {
        "Type": kind,
        "EventId": ctx.backend.ids.guid(),
        "Timestamp": now,
        "EventTime": now,
        "TenantId": 1,
        "OrganizationUnitId": None,
        "OrganizationUnitKey": None,
        "UserId": None,
        "EntityKey": None,
        "EventSourceId": None,
    }
    if data is not None:
        event["EventData"] = data
    deliveries = ctx.store.deliveries
    with ctx.backend.lock:
        if len(deliveries) >= 1000:  # bounded: the oldest go first
            del deliveries[0]
        deliveries.append(event)
    return event


def _ping(ctx: Context, args: Args) -> Row:
    WEBHOOKS.get(ctx, args.key())
    return _event(ctx, "ping", None)


def _trigger_custom(ctx: Context, args: Args) -> Row:
    body = args.body_object()
    kind = body.get("EventType") or body.get("eventType")
    if not isinstance(kind, str) or not kind:
        raise ValidationFailed("The EventType field is required.")
    data = body.get("Data", body.get("data"))
    return _event(ctx, kind, data if isinstance(data, dict) else {"value": data})


# -- queues -------------------------------------------------------------------------------


def _json_schema(ctx: Context, args: Args) -> Any:
    row = QUEUE_DEFINITIONS.get(ctx, args.key())
    kind = args.text("jsonSchemaType")
    schema = row.get(f"{kind}JsonSchema")
    if schema is None:
        raise EntityNotFound("JsonSchema")
    return schema


def _item(ctx: Context, args: Args) -> Any:
    return QUEUE_ITEMS.find(ctx, args.key())


def _history(ctx: Context, args: Args) -> list[Row]:
    """Every try of the item's transaction, oldest first (the retries share an ancestor)."""
    item = _item(ctx, args)
    root = item.ancestor_id or item.id
    chain = [i for i in ctx.backend.queue_items.values() if i.id == root or i.ancestor_id == root]
    return [i.to_dto() for i in sorted(chain, key=lambda i: i.id)]


def _last_retry(ctx: Context, args: Args) -> Row:
    rows_found = _history(ctx, args)
    return rows_found[-1]


def _versioned_ids(ctx: Context, args: Args) -> list[int]:
    items = args.body_object().get("queueItems")
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("Id"), int) for i in items
    ):
        raise InvalidRequest("The field queueItems must be a list of {Id, RowVersion}.")
    return [i["Id"] for i in items]


def _review(field: str) -> Behaviour:
    """SetItemReviewStatus (``status``), SetItemReviewer (``userId``), UnsetItemReviewer."""

    def run(ctx: Context, args: Args) -> Row:
        body = args.body_object()
        value = body.get(field) if field else None
        if field == "status" and value not in ("None", "InReview", "Verified", "Retried"):
            raise ValidationFailed("The status field must be a ReviewStatus.")
        if field == "userId" and not isinstance(value, int):
            raise ValidationFailed("The userId field is required.")
        failed = []
        for number in _versioned_ids(ctx, args):
            try:
                item = QUEUE_ITEMS.find(ctx, number)
            except EntityNotFound:
                failed.append(number)
                continue
            with ctx.backend.lock:
                if field == "status":
                    item.review_status = str(value)
                else:
                    item.reviewer_user_id = value
        return {"Success": not failed, "Message": None, "FailedItems": failed}

    return call(run)


def _delete_item(ctx: Context, number: int) -> None:
    QUEUE_ITEMS.delete(ctx, number)


def _delete_items(ctx: Context, args: Args) -> Row:
    failed = []
    for number in _versioned_ids(ctx, args):
        try:
            _delete_item(ctx, number)
        except (EntityNotFound, ValidationFailed):
            failed.append(number)
    return {"Success": not failed, "Message": None, "FailedItems": failed}


def _reviewers(ctx: Context, args: Args) -> list[Row]:
    from .typed import USERS

    return [{k: row.get(k) for k in row} for row in USERS.rows(ctx)]


TABLE: dict[str, Behaviour] = {
    # Assets
    "assets_get": rows(ASSETS),
    "assets_get_by_id": one(ASSETS),
    "assets_post": create(ASSETS),
    "assets_put_by_id": update(ASSETS),
    "assets_delete_by_id": delete(ASSETS),
    "assets_get_assets_across_folders": rows(ASSETS, folders="across"),
    "assets_get_folders_for_asset_by_id": accessible_folders(ASSETS),
    "assets_get_robot_asset_by_robotid_and_assetname": call(_robot_asset),
    "assets_get_robot_asset_by_robot_id": call(_robot_asset),
    "assets_set_robot_asset_by_robot_key": call(_set_robot_asset),
    "assets_share_to_folders": share_to_folders(ASSETS, "AssetIds"),
    # Buckets
    "buckets_get": rows(BUCKETS),
    "buckets_get_by_id": one(BUCKETS),
    "buckets_post": create(BUCKETS),
    "buckets_put_by_id": update(BUCKETS),
    "buckets_delete_by_id": delete(BUCKETS),
    "buckets_get_buckets_across_folders": rows(BUCKETS, folders="across"),
    "buckets_get_folders_for_bucket_by_id": accessible_folders(BUCKETS),
    "buckets_share_to_folders": share_to_folders(BUCKETS, "BucketIds"),
    "buckets_get_file_by_key": call(_get_file),
    "buckets_get_files_by_key": call(_files),
    "buckets_get_directories_by_key": call(_directories),
    "buckets_get_read_uri_by_key": call(lambda ctx, args: _access(ctx, args, "GET")),
    "buckets_get_write_uri_by_key": call(lambda ctx, args: _access(ctx, args, "PUT")),
    "buckets_delete_file_by_key": call(_delete_file),
    # Calendars
    "calendars_get": rows(CALENDARS),
    "calendars_get_by_id": one(CALENDARS),
    "calendars_post": create(CALENDARS),
    "calendars_put_by_id": update(CALENDARS),
    "calendars_delete_by_id": delete(CALENDARS),
    "calendars_calendar_exists": call(_calendar_exists),
    # Webhooks
    "webhooks_get": rows(WEBHOOKS),
    "webhooks_get_by_id": one(WEBHOOKS),
    "webhooks_post": create(WEBHOOKS),
    "webhooks_put_by_id": update(WEBHOOKS),
    "webhooks_patch_by_id": update(WEBHOOKS, partial=True),
    "webhooks_delete_by_id": delete(WEBHOOKS),
    "webhooks_ping_by_id": call(_ping),
    "webhooks_get_event_types": call(
        lambda ctx, args: [{"Name": n, "Group": g} for n, g in _EVENT_TYPES]
    ),
    "webhooks_trigger_custom": call(_trigger_custom),
    # QueueDefinitions
    "queue_definitions_get_by_id": one(QUEUE_DEFINITIONS),
    "queue_definitions_post": create(QUEUE_DEFINITIONS),
    "queue_definitions_put_by_id": update(QUEUE_DEFINITIONS),
    "queue_definitions_delete_by_id": delete(QUEUE_DEFINITIONS),
    "queue_definitions_get_queues_across_folders": rows(QUEUE_DEFINITIONS, folders="across"),
    "queue_definitions_get_folders_for_queue_by_id": accessible_folders(QUEUE_DEFINITIONS),
    "queue_definitions_share_to_folders": share_to_folders(QUEUE_DEFINITIONS, "QueueIds"),
    "queue_definitions_export_by_id": export(
        "Queues", lambda ctx, args: QUEUE_DEFINITIONS.get(ctx, args.key())["Name"]
    ),
    "queue_definitions_get_json_schema_definition_by_id_and_jsonschematype": call(_json_schema),
    # QueueItems
    "queue_items_get_by_id": one(QUEUE_ITEMS),
    "queue_items_put_by_id": update(QUEUE_ITEMS),
    "queue_items_delete_by_id": delete(QUEUE_ITEMS),
    "queue_items_get_item_last_retry_by_id": call(_last_retry),
    "queue_items_get_item_processing_history_by_id": call(_history),
    "queue_items_get_reviewers": call(_reviewers),
    "queue_items_delete_bulk": call(_delete_items),
    "queue_items_set_item_review_status": _review("status"),
    "queue_items_set_item_reviewer": _review("userId"),
    "queue_items_unset_item_reviewer": _review(""),
}

_ = bulk  # shared with the other tables

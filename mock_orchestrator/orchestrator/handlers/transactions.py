"""The queue transaction calls a robot makes: StartTransaction, SetTransactionProgress,
SetTransactionResult, BulkAddQueueItems (rules: ``transactions.py``)."""

from __future__ import annotations

from typing import Any

import httpx

from ...core.errors import json_response
from .. import parsing
from ..responses import Call, entity, odata_base
from ..transactions import (
    TransactionDesk,
    parse_bulk,
    parse_progress,
    parse_transaction_data,
    parse_transaction_result,
)

__all__ = [
    "bulk_add_queue_items",
    "set_transaction_progress",
    "set_transaction_result",
    "start_transaction",
]


def start_transaction(call: Call) -> httpx.Response:
    data = parse_transaction_data(parsing.json_body(call.req))
    item = call.backend.part(TransactionDesk).start_transaction(call.folder, data)
    if item is None:
        return httpx.Response(204)  # [V] swagger: 204 No Content, nothing to process
    return entity(call.req, "QueueItems", item.to_dto())  # [V] swagger: 200 QueueItemDto


def set_transaction_progress(call: Call) -> httpx.Response:
    item_id = parsing.key(call.req, "key")
    progress = parse_progress(parsing.json_body(call.req))
    call.backend.part(TransactionDesk).set_progress(call.folder, item_id, progress)
    return httpx.Response(200)  # [V] swagger: 200, no content


def set_transaction_result(call: Call) -> httpx.Response:
    item_id = parsing.key(call.req, "key")
    result = parse_transaction_result(parsing.json_body(call.req))
    call.backend.part(TransactionDesk).set_result(call.folder, item_id, result)
    return httpx.Response(200)  # [V] swagger: 200, no content (409 Conflict otherwise)


def bulk_add_queue_items(call: Call) -> httpx.Response:
    name, commit, items = parse_bulk(parsing.json_body(call.req))
    result = call.backend.part(TransactionDesk).bulk_add(call.folder, name, commit, items)
    body: dict[str, Any] = {
        # [I] an action's context names its return type, as GetRobotAsset's does
        "@odata.context": odata_base(call.req)
        + "UiPath.Server.Configuration.OData.BulkOperationResponseDtoOfFailedQueueItemDto",
    }
    body.update(result.to_dto())
    return json_response(200, body)  # [V] swagger: 200 BulkOperationResponseDto

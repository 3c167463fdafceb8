"""Queues: definitions, items, AddQueueItem (``/odata/QueueDefinitions``, ``/odata/Queue...``)."""

from __future__ import annotations

import httpx

from .. import parsing
from ..models import QUEUE_DEFINITION_FIELDS, QUEUE_ITEM_FIELDS
from ..models.queues import parse_item_data
from ..odata import field_map
from ..responses import Call, collection, entity

__all__ = ["add_queue_item", "list_queue_definitions", "list_queue_items"]

_QUEUE_MAP = field_map(QUEUE_DEFINITION_FIELDS)
_QUEUE_ITEM_MAP = field_map(QUEUE_ITEM_FIELDS)


def list_queue_definitions(call: Call) -> httpx.Response:
    query = parsing.odata_query(call.req, _QUEUE_MAP)
    rows = [q.to_dto() for folder in call.folders for q in call.backend.queues_in(folder)]
    return collection(call.req, "QueueDefinitions", rows, query)


def list_queue_items(call: Call) -> httpx.Response:
    backend = call.backend
    query = parsing.odata_query(call.req, _QUEUE_ITEM_MAP)
    backend.check_rate_limit("QueueItems")
    rows = []
    for item in (i for folder in call.folders for i in backend.queue_items_in(folder)):
        row = item.to_dto()
        row["QueueDefinitionName"] = item.queue.name
        rows.append(row)
    return collection(call.req, "QueueItems", rows, query, hidden="QueueDefinitionName")


def add_queue_item(call: Call) -> httpx.Response:
    item = call.backend.add_queue_item(call.folder, parse_item_data(parsing.json_body(call.req)))
    return entity(call.req, "QueueItems", item.to_dto(), status=201)  # [V] 201 (§6.8)

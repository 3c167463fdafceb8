"""The one handler of every entity-set operation: behaviour, then the published shape.

The Orchestrator's prelude (``../responses.py``: tenant, token, the operation's published
scopes, the folder) has run when :func:`handler_for`'s handler gets its :class:`Call`. The
handler runs the operation's behaviour (``table.py``) and shapes the value by the operation's
response type:

* ``ODataValueOfIEnumerableOf...``  a collection: ``@odata.context``, ``@odata.count``, ``value``
  with ``$filter $orderby $top $skip $select $expand`` applied;
* ``ODataValueOf...``               ``{"@odata.context", "value"}``;
* a DTO name                        one entity (``$select``/``$expand`` apply), 201 on create;
* none                              204 for PUT/PATCH/DELETE, 200 with no body for actions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx

from ...core.errors import body_response, json_response
from .. import parsing
from ..data import Operation, dto_fields, load_dtos
from ..odata import ODataQuery, field_map, parse_query
from ..responses import Call, odata_base
from .kinds import Args, Behaviour
from .store import Context, Row, Source

__all__ = ["handler_for"]

_NO_BODY_STATUS = {"PUT": 204, "PATCH": 204, "DELETE": 204}
_EDM = {
    "Int64": "Edm.Int64",
    "Int32": "Edm.Int32",
    "String": "Edm.String",
    "Boolean": "Edm.Boolean",
}


@functools.cache
def _fields(dto: str) -> dict[str, str]:
    return field_map(dto_fields(dto)) if dto in load_dtos() else {}


def _entity_set(op: Operation) -> str:
    """``/odata/Jobs({key})/...`` -> ``Jobs`` (where ``@odata.context`` points)."""
    parts = op.path.split("/")
    return parts[2].split("(", 1)[0] if len(parts) > 2 and parts[1] == "odata" else parts[-1]


def handler_for(op: Operation, behaviour: Behaviour) -> Callable[[Call], httpx.Response]:
    """The handler of one published operation (named after it, for tracebacks and labels)."""

    def serve(call: Call) -> httpx.Response:
        req = call.req
        ctx = Context(call.backend, call.token, call.named_folder, call.folders)
        args = Args(req, lambda: parsing.json_body(req))
        query = _query(call, behaviour.source, op.response or "")
        value = behaviour.run(ctx, args)
        return _shape(call, op, behaviour, value, query, ctx)

    serve.__name__ = serve.__qualname__ = op.operation
    return serve


def _query(call: Call, source: Source | None, response_type: str) -> ODataQuery:
    dto = _row_dto(source, response_type)
    fields = _fields(dto) if dto else {}
    return parsing.odata_query(call.req, fields) if fields else parse_query({}, {})


def _shape(
    call: Call,
    op: Operation,
    behaviour: Behaviour,
    value: Any,
    query: ODataQuery,
    ctx: Context,
) -> httpx.Response:
    kind = op.response
    base = odata_base(call.req)
    if kind is None:
        return httpx.Response(_NO_BODY_STATUS.get(op.method, 200))
    if kind.startswith("ODataValueOfIEnumerableOf"):
        rows = list(value)
        if rows and isinstance(rows[0], dict):
            found, total = query.apply(rows)
            page = [_expanded(ctx, behaviour.source, dict(r), query) for r in found]
        else:  # a collection of primitives (ids, names): paging only
            total = len(rows)
            end = None if query.top is None else query.skip + query.top
            page = rows[query.skip : end]
        return json_response(
            behaviour.status,
            {
                "@odata.context": base + _entity_set(op) + query.context_suffix(),
                "@odata.count": total,
                "value": page,
            },
        )
    if kind.startswith("ODataValueOf"):
        edm = kind.removeprefix("ODataValueOf")
        context = base + _EDM.get(edm, edm)
        return json_response(behaviour.status, {"@odata.context": context, "value": value})
    if kind == "file" and isinstance(value, bytes):
        return body_response(behaviour.status, value, b"application/octet-stream")
    if kind.startswith("list[") or kind in ("str", "int", "bool", "object", "file"):
        return json_response(behaviour.status, value)
    row = _expanded(ctx, behaviour.source, value, query)
    if query.select is not None:
        row = {name: row.get(name) for name in query.select}
    if not op.path.startswith("/odata/"):
        return json_response(behaviour.status, row)
    if behaviour.source is None:
        context = base + "UiPath.Server.Configuration.OData." + kind
    else:
        context = base + _entity_set(op) + query.context_suffix() + "/$entity"
    return json_response(behaviour.status, {"@odata.context": context, **row})


def _expanded(ctx: Context, source: Source | None, row: Row, query: ODataQuery) -> Row:
    expansions = getattr(source, "expansions", None)
    if not query.expand or not expansions or not isinstance(row, dict):
        return row
    row = dict(row)
    for name in query.expand:
        fill = expansions.get(name)
        if fill is not None:
            row[name] = fill(ctx, row)
    return row


def _row_dto(source: Source | None, response_type: str) -> str | None:
    """The DTO of the rows a response carries (for the query options' property names)."""
    if response_type.startswith("ODataValueOfIEnumerableOf"):
        return response_type.removeprefix("ODataValueOfIEnumerableOf")
    if response_type and response_type[0].isupper() and not response_type.startswith("ODataValue"):
        return response_type
    return source.dto if source is not None else None

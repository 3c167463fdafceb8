"""The one handler of every entity-set operation: prelude, behaviour, then the published shape.

The route's label names the operation (``orchestrator.assets_get_by_id``); from the operation
list come its OAuth scopes and whether it is folder-scoped (it takes the folder header), and
from ``table.py`` its behaviour. The response is shaped by the operation's response type:

* ``ODataValueOfIEnumerableOf...``  a collection: ``@odata.context``, ``@odata.count``, ``value``
  with ``$filter $orderby $top $skip $select $expand`` applied;
* ``ODataValueOf...``               ``{"@odata.context", "value"}``;
* a DTO name                        one entity (``$select``/``$expand`` apply), 201 on create;
* none                              204 for PUT/PATCH/DELETE, 200 with no body for actions.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import httpx

from ...core.errors import json_response
from ..data import Operation, dto_fields, load_dtos, operations
from ..exceptions import FolderRequired
from ..odata import ODataQuery, field_map, parse_query
from ..responses import OrchestratorResponses, _odata_base
from .kinds import Args, Behaviour
from .store import Context, Row, Source
from .table import ANONYMOUS

if TYPE_CHECKING:
    from ..._cloud import MockCloud
    from ...core.request import MockRequest
    from ..models.folders import Folder

__all__ = ["FOLDER_HEADER", "EntityResponses"]

FOLDER_HEADER = "X-UIPATH-OrganizationUnitId"
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


class EntityResponses:
    """Serves every operation of ``table.py``; one instance per world."""

    def __init__(self, cloud: MockCloud, table: dict[str, Behaviour]) -> None:
        self.cloud = cloud
        self.table = table
        self._orch = OrchestratorResponses(cloud)

    def serve(self, req: MockRequest) -> httpx.Response:
        op_id = req.route_label.partition(".")[2]
        op = operations()[op_id]
        behaviour = self.table[op_id]
        if op_id in ANONYMOUS:
            return httpx.Response(200)
        ctx = self._context(req, op, behaviour)
        args = Args(req, lambda: self._orch._body(req))
        response_type = op.response or ""
        query = self._query(req, behaviour.source, response_type)
        value = behaviour.run(ctx, args)
        return self._shape(req, op, behaviour, value, query, ctx)

    # -- prelude --------------------------------------------------------------------------

    def _context(self, req: MockRequest, op: Operation, behaviour: Behaviour) -> Context:
        scopes = frozenset(op.scopes)
        mode = behaviour.folders
        if mode is None:
            takes_folder = any(name == FOLDER_HEADER for name, _, _ in op.parameters)
            mode = "request" if takes_folder else "tenant"
        backend, record, _ = self._orch._enter(req, scopes, folder=False)
        user = backend.user_of(record)
        visible = backend.folders.visible_to(user.email if user else None)
        if mode in ("tenant", "across"):
            return Context(backend, record, None, visible)
        try:
            _, _, folder = self._orch._enter(req, frozenset(), folder=True)
        except FolderRequired:
            # [I] issue 11: the evidence disagrees on folderless lists; a world setting decides.
            if behaviour.is_list and backend.registry.folderless_lists == "all_folders":
                return Context(backend, record, None, visible)
            raise
        assert folder is not None
        return Context(backend, record, folder, [folder])

    @staticmethod
    def _query(req: MockRequest, source: Source | None, response_type: str) -> ODataQuery:
        dto = _row_dto(source, response_type)
        fields = _fields(dto) if dto else {}
        return OrchestratorResponses._query(req, fields) if fields else parse_query({}, {})

    # -- shaping --------------------------------------------------------------------------

    def _shape(
        self,
        req: MockRequest,
        op: Operation,
        behaviour: Behaviour,
        value: Any,
        query: ODataQuery,
        ctx: Context,
    ) -> httpx.Response:
        kind = op.response
        base = _odata_base(req)
        if kind is None:
            return httpx.Response(_NO_BODY_STATUS.get(op.method, 200))
        if kind.startswith("ODataValueOfIEnumerableOf"):
            rows = list(value)
            if rows and isinstance(rows[0], dict):
                found, total = query.apply(rows)
                page = [self._expanded(ctx, behaviour.source, dict(r), query) for r in found]
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
        if kind.startswith("list[") or kind in ("str", "int", "bool", "object", "file"):
            return json_response(behaviour.status, value)
        row = self._expanded(ctx, behaviour.source, value, query)
        if query.select is not None:
            row = {name: row.get(name) for name in query.select}
        if not op.path.startswith("/odata/"):
            return json_response(behaviour.status, row)
        entity = _entity_set(op)
        if behaviour.source is None:
            context = base + "UiPath.Server.Configuration.OData." + kind
        else:
            context = base + entity + query.context_suffix() + "/$entity"
        return json_response(behaviour.status, {"@odata.context": context, **row})

    @staticmethod
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


def folder_of(ctx: Context) -> Folder:
    """The folder a folder-scoped action works in."""
    return ctx.target_folder()

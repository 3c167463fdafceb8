"""Routes for the entity-set operations, written from the published paths, not by hand.

``/odata/Assets({key})`` becomes ``/odata/Assets\\((?P<key>[^,)/]*)\\)``; a function argument
``GetFoldersForAsset(id={id})`` becomes ``(?P<id>[^,)/]*)``. Each route is labelled
``orchestrator.<operation id>`` (the label faults, journal filters and coverage use), takes the
operation's published OAuth scopes, and is folder-scoped when the operation takes the folder
header: a list then as ``folder="list"`` (a world may let it read every folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

from ...core.request import MockRequest
from ...core.routing import Route
from ..data import Operation, operations
from ..responses import OrchestratorService
from .kinds import Behaviour
from .responses import handler_for

__all__ = ["ANONYMOUS", "FOLDER_HEADER", "entity_routes", "path_regex"]

FOLDER_HEADER = "X-UIPATH-OrganizationUnitId"
#: Operations a client calls before it has a token ([I] a load balancer's health probe).
ANONYMOUS = frozenset({"status_get"})

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def path_regex(template: str) -> str:
    """The route regex of a published path template."""
    parts = []
    last = 0
    for found in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : found.start()]))
        before = template[: found.start()]
        # inside an argument list a value ends at "," or ")"; a path segment at "/"
        stop = ",)/" if before.rfind("(") > before.rfind(")") else "/"
        if before.endswith("["):  # a list argument, Validate(userIds=[1,2]): ends at "])"
            stop = ")/"
        parts.append(f"(?P<{found.group(1)}>[^{re.escape(stop)}]*)")
        last = found.end()
    parts.append(re.escape(template[last:]))
    return "".join(parts).replace("\\/", "/")


def _folder(op: Operation, behaviour: Behaviour) -> bool | str:
    if behaviour.folders is not None:
        return behaviour.folders == "request"
    if not any(name == FOLDER_HEADER for name, _, _ in op.parameters):
        return False
    return "list" if behaviour.is_list else True


def status_get(req: MockRequest) -> httpx.Response:
    """``GET api/Status/Get``: 200 with no body, no token needed (the health probe)."""
    return httpx.Response(200)


_ANONYMOUS_HANDLERS = {"status_get": status_get}


def entity_routes(table: Iterable[tuple[str, Behaviour]]) -> list[Route]:
    """One route per ``(operation id, behaviour)``, in the given order."""
    ops = operations()
    routes = []
    for op_id, behaviour in table:
        op = ops[op_id]
        anonymous = op_id in ANONYMOUS
        routes.append(
            Route(
                op.method,
                path_regex(op.path),
                _ANONYMOUS_HANDLERS[op_id] if anonymous else handler_for(op, behaviour),
                name=f"orchestrator.{op_id}",
                service=OrchestratorService,
                kind="discovery" if anonymous else "api",
                scopes=None if anonymous else frozenset(op.scopes),
                folder=False if anonymous else _folder(op, behaviour),  # type: ignore[arg-type]
            )
        )
    return routes

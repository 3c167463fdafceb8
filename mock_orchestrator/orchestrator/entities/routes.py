"""Routes for the entity-set operations, written from the published paths, not by hand.

``/odata/Assets({key})`` becomes ``/odata/Assets\\((?P<key>[^)/]*)\\)``; a function argument
``GetFoldersForAsset(id={id})`` becomes ``(?P<id>[^,)/]*)``. Each route is labelled
``orchestrator.<operation id>``, the label faults, journal filters and coverage use.
"""

from __future__ import annotations

import re

from ...core.routing import Route
from ..data import operations

__all__ = ["SERVICE", "entity_routes", "path_regex"]

#: The world's service name the generic handler is registered under.
SERVICE = "orchestrator_entities"
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


def entity_routes(op_ids: list[str]) -> list[Route]:
    """One route per operation id, in the given order."""
    ops = operations()
    return [
        Route(
            ops[op_id].method,
            path_regex(ops[op_id].path),
            f"{SERVICE}.serve",
            name=f"orchestrator.{op_id}",
        )
        for op_id in op_ids
    ]

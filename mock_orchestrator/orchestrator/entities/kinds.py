"""What a served operation does, as data: read a set, read one, create, update, delete, or call.

Each constructor returns a :class:`Behaviour`; ``table.py`` maps operation ids to them. The
behaviour computes a *value* (rows, one row, a scalar, or nothing) and the generic handler
shapes it by the operation's published response type (``responses.py``): that is why a
behaviour never builds a response itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import InvalidRequest
from ..odata import parse_key, parse_text_key
from .store import Context, Row, Source

if TYPE_CHECKING:
    from ...core.request import MockRequest

__all__ = [
    "Args",
    "Behaviour",
    "call",
    "create",
    "delete",
    "one",
    "rows",
    "update",
]

#: How an operation picks its folders: the request's folder (``X-UIPATH-OrganizationUnitId``
#: and friends), every folder the caller sees, or none (tenant-level).
FolderMode = Literal["request", "across", "tenant"]


class Args:
    """The arguments of one call: path and function parameters, query string, JSON body."""

    def __init__(self, req: MockRequest, body: Callable[[], Any]) -> None:
        self.req = req
        self._body = body

    def key(self, name: str = "key") -> int:
        return parse_key(self.req.params[name])

    def text(self, name: str) -> str:
        return parse_text_key(self.req.params.get(name, ""))

    def number(self, name: str) -> int:
        return parse_key(self.req.params[name])

    def query(self, name: str) -> str | None:
        return self.req.query_get(name)

    def body(self) -> Any:
        return self._body()

    def body_object(self) -> dict[str, Any]:
        found = self._body()
        if not isinstance(found, dict):
            raise InvalidRequest("The body must be a JSON object.")
        return found

    def body_ids(self, *names: str) -> list[int]:
        """The first of ``names`` that the body carries, as a list of Int64 ids."""
        body = self.body_object()
        for name in names:
            value = body.get(name)
            if value is None:
                continue
            if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                raise InvalidRequest(f"The field {name} must be a list of ids.")
            return list(value)
        raise InvalidRequest(f"The field {names[0]} is required.")


Run = Callable[[Context, Args], Any]


@dataclass(frozen=True)
class Behaviour:
    """One operation's behaviour: ``run`` computes the value, the rest says how to serve it."""

    run: Run
    #: The entity set the value's rows belong to (for ``$filter``/``$select``/``$expand``).
    source: Source | None = None
    status: int = 200
    folders: FolderMode | None = None  # None: from the operation (its folder header)
    #: A list call without a folder header may read every visible folder (world setting).
    is_list: bool = False


def rows(source: Source, *, folders: FolderMode | None = None) -> Behaviour:
    """``GET /odata/Set``: the set's rows in scope, with OData's query options."""
    return Behaviour(lambda ctx, args: source.rows(ctx), source, folders=folders, is_list=True)


def one(source: Source, *, key: str = "key") -> Behaviour:
    """``GET /odata/Set({key})``."""
    return Behaviour(lambda ctx, args: source.get(ctx, args.key(key)), source)


def create(source: Source) -> Behaviour:
    """``POST /odata/Set``: 201 with the new row (Id, Key and times filled in)."""
    return Behaviour(lambda ctx, args: source.create(ctx, args.body_object()), source, 201)


def update(source: Source, *, partial: bool = False) -> Behaviour:
    """``PUT`` (whole) or ``PATCH`` (partial) ``/odata/Set({key})``."""

    def run(ctx: Context, args: Args) -> Row:
        return source.update(ctx, args.key(), args.body_object(), partial=partial)

    return Behaviour(run, source)


def delete(source: Source) -> Behaviour:
    """``DELETE /odata/Set({key})``: 204."""

    def run(ctx: Context, args: Args) -> None:
        source.delete(ctx, args.key())

    return Behaviour(run, source)


def call(
    run: Run,
    source: Source | None = None,
    *,
    folders: FolderMode | None = None,
    status: int = 200,
) -> Behaviour:
    """A function or action: ``run(ctx, args)`` gives the value the response carries."""
    return Behaviour(run, source, status, folders)

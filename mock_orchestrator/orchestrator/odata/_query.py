"""The query options as a whole: ``$top $skip $count $select $orderby $expand`` and paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._filter import ODataError, Predicate, Row, clip_text, compile_filter, lookup_ci

__all__ = ["MAX_ORDERBY", "MAX_TOP", "ODataQuery", "field_map", "parse_query"]

#: [V] UICLI swagger: "$top ... maximum value is 1000".
MAX_TOP = 1000
#: [V] UICLI swagger: "$orderby ... max 5".
MAX_ORDERBY = 5

# -- the query as a whole ------------------------------------------------------------------

_KNOWN_OPTIONS = frozenset(
    {"$filter", "$top", "$skip", "$count", "$select", "$orderby", "$expand", "$format"}
)
_ORDER_CLAUSE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_/]*)(?:\s+(asc|desc))?\s*\Z", re.IGNORECASE)
_IDENT_LIST = re.compile(r"[A-Za-z_][A-Za-z0-9_/]*(?:\(.*\))?", re.DOTALL)


@dataclass(frozen=True)
class ODataQuery:
    """Parsed query options of one request, ready to :meth:`apply` to a list of rows."""

    predicate: Predicate | None = None
    top: int | None = None
    skip: int = 0
    select: tuple[str, ...] | None = None
    orderby: tuple[tuple[str, bool], ...] = ()
    count: bool = False
    #: Navigation properties ``$expand`` names (canonical casing); nested options are ignored.
    expand: tuple[str, ...] = ()

    def apply(self, rows: Iterable[Row]) -> tuple[list[Row], int]:
        """Filter, order, count, page and project: ``(page, total matching)``."""
        matched = [r for r in rows if self.predicate(r)] if self.predicate else list(rows)
        for name, descending in reversed(self.orderby):
            matched.sort(key=_sorter(name), reverse=descending)
        total = len(matched)
        end = None if self.top is None else self.skip + self.top
        page = matched[self.skip : end]
        if self.select is not None:
            fields = self.select
            page = [{f: r.get(f) for f in fields} for r in page]
        return page, total

    def context_suffix(self) -> str:
        """``(Id,Key)`` after the entity set name when ``$select`` was given."""
        return f"({','.join(self.select)})" if self.select else ""


def _sorter(path: str) -> Callable[[Row], tuple[int, Any]]:
    return lambda row: _sort_key(_path_get(row, path))


def _path_get(row: Row, path: str) -> Any:
    value: Any = row
    for step in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        found = value.get(step)
        value = found if found is not None else lookup_ci(value, step)
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    # None first (SQL Server orders NULL lowest), then by a type rank so mixed types never raise.
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value.casefold())
    return (4, str(value))


def _int_option(name: str, raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"\d{1,12}", text):
        raise ODataError(f"Invalid value '{clip_text(raw)}' for {name} query option found.")
    return int(text)


def parse_query(
    query: Mapping[str, str], fields: Mapping[str, str], *, max_top: int = MAX_TOP
) -> ODataQuery:
    """Parse ``$``-options from a decoded query dict (keys matched without regard to case).

    ``fields`` maps lower-case property names to canonical ones for this entity set.
    Other (non-``$``) parameters are ignored; an unknown ``$`` option is a 400.
    """
    options: dict[str, str] = {}
    for key, value in query.items():
        lowered = key.strip().lower()
        if not lowered.startswith("$"):
            continue
        if lowered not in _KNOWN_OPTIONS:
            raise ODataError(f"The query parameter '{clip_text(key)}' is not supported.")
        options[lowered] = value
    predicate = None
    text = options.get("$filter", "").strip()
    if text:
        predicate = compile_filter(text, fields)
    top = None
    if "$top" in options:
        top = _int_option("$top", options["$top"])
        if top > max_top:
            # [I] ASP.NET OData's MaxTop validator; the limit itself is [V] UICLI swagger.
            raise ODataError(
                f"The limit of '{max_top}' for Top query has been exceeded. "
                f"The value from the incoming request is '{top}'."
            )
    skip = _int_option("$skip", options["$skip"]) if "$skip" in options else 0
    count = False
    if "$count" in options:
        flag = options["$count"].strip().lower()
        if flag not in ("true", "false"):
            raise ODataError(f"'{clip_text(options['$count'])}' is not a valid count option.")
        count = flag == "true"
    select = None
    if options.get("$select", "").strip():
        names = []
        for part in options["$select"].split(","):
            name = part.strip()
            canonical = fields.get(name.lower())
            if name == "*":
                names = list(dict.fromkeys(fields.values()))
                break
            if canonical is None:
                raise ODataError(f"Could not find a property named '{clip_text(name)}'.")
            names.append(canonical)
        select = tuple(dict.fromkeys(names))
    orderby: list[tuple[str, bool]] = []
    if options.get("$orderby", "").strip():
        clauses = options["$orderby"].split(",")
        if len(clauses) > MAX_ORDERBY:
            raise ODataError(f"The number of clauses in $orderby exceeds {MAX_ORDERBY}.")
        for clause in clauses:
            found = _ORDER_CLAUSE.match(clause)
            if found is None:
                raise ODataError(f"Syntax error in $orderby at '{clip_text(clause)}'.")
            first, _, rest = found.group(1).partition("/")
            canonical = fields.get(first.lower())
            if canonical is None:
                raise ODataError(f"Could not find a property named '{clip_text(first)}'.")
            path = f"{canonical}/{rest}" if rest else canonical
            orderby.append((path, (found.group(2) or "").lower() == "desc"))
    return ODataQuery(predicate, top, skip, select, tuple(orderby), count, _expand(options, fields))


def _expand(options: Mapping[str, str], fields: Mapping[str, str]) -> tuple[str, ...]:
    """``Robot,Release($select=Name)`` -> ``("Robot", "Release")``; unknown names are a 400."""
    text = options.get("$expand", "").strip()
    if not text:
        return ()
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:  # split on the commas outside parentheses
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    names = []
    for part in parts:
        part = part.strip()
        if depth != 0 or not _IDENT_LIST.fullmatch(part):
            raise ODataError(f"Syntax error in $expand at '{clip_text(text)}'.")
        name = part.split("(", 1)[0].split("/", 1)[0]
        canonical = fields.get(name.lower())
        if canonical is None:
            raise ODataError(f"Could not find a property named '{clip_text(name)}'.")
        names.append(canonical)
    return tuple(dict.fromkeys(names))


def field_map(names: Iterable[str]) -> dict[str, str]:
    """``{"id": "Id", ...}``: the lookup :func:`parse_query` wants, built once per entity set."""
    return {name.lower(): name for name in names}

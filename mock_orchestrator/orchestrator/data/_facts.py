"""Facts of Orchestrator's published API: its operations and DTOs, as the kit reads them.

``operations.json`` and ``dtos.json`` are derived from the swagger-generated
``uipath-orchestrator-rest`` 18.1 package by ``tools/derive_orchestrator_api.py``. They drive
IMPLEMENTATION_COVERAGE.md (what is served, per tag), the entity-set routes (path, method and
OAuth scopes of each served operation) and the strict-DTO checks (:func:`dto_problems`), which
mirror what that package's models refuse: a required key missing or null, a value outside an
enum, a number or a length out of bounds, or a value of the wrong JSON type.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

__all__ = ["Operation", "dto_fields", "dto_problems", "load_dtos", "operations"]

_LIST = re.compile(r"list\[(.+)\]\Z")
_DICT = re.compile(r"dict\(str, (.+)\)\Z")
#: How deep nested DTOs are followed (they are acyclic in practice; this bounds any cycle).
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Operation:
    """One published operation: ``GET /odata/Jobs({key})`` is ``jobs_get_by_id`` of tag Jobs."""

    tag: str
    operation: str
    method: str
    path: str
    scopes: tuple[str, ...]
    response: str | None
    parameters: tuple[tuple[str, str, bool], ...]  # (wire name, where, required)
    summary: str


def _read(name: str) -> Any:
    folder = resources.files(__package__ or "mock_orchestrator.orchestrator.data")
    return json.loads(folder.joinpath(name).read_text(encoding="utf-8"))


@functools.cache
def operations() -> dict[str, Operation]:
    """Every published operation by its id (``assets_get_by_id``)."""
    found = {}
    for raw in _read("operations.json")["operations"]:
        found[raw["operation"]] = Operation(
            tag=raw["tag"],
            operation=raw["operation"],
            method=raw["method"],
            path=raw["path"],
            scopes=tuple(raw["scopes"]),
            response=raw["response"],
            parameters=tuple((p["name"], p["in"], p["required"]) for p in raw["parameters"]),
            summary=raw["summary"],
        )
    return found


@functools.cache
def load_dtos() -> dict[str, dict[str, dict[str, Any]]]:
    """``{DtoName: {JsonKey: {"type", "required"?, "enum"?, "maxLength"?, ...}}}``."""
    dtos: dict[str, dict[str, dict[str, Any]]] = _read("dtos.json")["dtos"]
    return dtos


def dto_fields(name: str) -> tuple[str, ...]:
    """The JSON keys of a DTO, in the swagger's order."""
    return tuple(load_dtos()[name])


def _datetime_ok(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # Seven fractional digits (.NET ticks) are valid for dateutil, not for fromisoformat
        # before 3.11: trim to six and try again.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
        try:
            datetime.fromisoformat(trimmed)
        except ValueError:
            return False
    return True


def dto_problems(type_name: str, value: Any, where: str = "$", depth: int = 0) -> list[str]:
    """What a strict swagger client would refuse in ``value`` read as ``type_name``.

    An empty list means it deserialises. Keys the DTO does not declare are allowed (the
    generated models ignore them), as are nulls of optional keys.
    """
    if value is None or depth > _MAX_DEPTH:
        return []
    listed = _LIST.match(type_name)
    if listed:
        if not isinstance(value, list):
            return [f"{where}: expected a list for {type_name}, got {type(value).__name__}"]
        problems = []
        for index, item in enumerate(value):
            problems += dto_problems(listed.group(1), item, f"{where}[{index}]", depth + 1)
        return problems
    mapping = _DICT.match(type_name)
    if mapping:
        if not isinstance(value, dict):
            return [f"{where}: expected an object for {type_name}"]
        problems = []
        for key, item in value.items():
            problems += dto_problems(mapping.group(1), item, f"{where}.{key}", depth + 1)
        return problems
    primitive = _primitive_problem(type_name, value)
    if primitive is not None:
        return [f"{where}: {primitive}"] if primitive else []
    fields = load_dtos().get(type_name)
    if fields is None:
        return []  # 'object' and unknown names take anything
    if not isinstance(value, dict):
        return [f"{where}: expected an object for {type_name}, got {type(value).__name__}"]
    problems = []
    for key, facts in fields.items():
        item = value.get(key)
        here = f"{where}.{key}"
        if item is None:
            if facts.get("required"):
                problems.append(f"{here}: required by {type_name}, missing or null")
            continue
        problems += dto_problems(facts["type"], item, here, depth + 1)
        problems += _constraint_problems(facts, item, here)
    return problems


def _primitive_problem(type_name: str, value: Any) -> str | None:
    """None: not a primitive type; "": fine; else what is wrong."""
    if type_name == "str":
        return "" if isinstance(value, str) else f"expected a string, got {value!r:.40}"
    if type_name == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return "" if ok else f"expected an integer, got {value!r:.40}"
    if type_name == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return "" if ok else f"expected a number, got {value!r:.40}"
    if type_name == "bool":
        return "" if isinstance(value, bool) else f"expected a boolean, got {value!r:.40}"
    if type_name in ("datetime", "date"):
        ok = isinstance(value, str) and _datetime_ok(value)
        return "" if ok else f"expected an ISO-8601 time, got {value!r:.40}"
    if type_name == "object":
        return ""
    return None


def _constraint_problems(facts: dict[str, Any], value: Any, where: str) -> list[str]:
    problems = []
    allowed = facts.get("enum")
    if allowed is not None:
        items = value if isinstance(value, list) else [value]
        problems += [
            f"{where}: {item!r} is not one of {allowed}" for item in items if item not in allowed
        ]
    if isinstance(value, str):
        if "maxLength" in facts and len(value) > facts["maxLength"]:
            problems.append(f"{where}: longer than {facts['maxLength']}")
        if "minLength" in facts and len(value) < facts["minLength"]:
            problems.append(f"{where}: shorter than {facts['minLength']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "maximum" in facts and value > facts["maximum"]:
            problems.append(f"{where}: above {facts['maximum']}")
        if "minimum" in facts and value < facts["minimum"]:
            problems.append(f"{where}: below {facts['minimum']}")
    return problems

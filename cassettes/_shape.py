"""Shapes of JSON bodies, to compare a recording with a live answer without their values."""

from __future__ import annotations

from typing import Any

__all__ = ["shape", "shape_diff"]


def shape(data: Any) -> Any:
    """A JSON value reduced to its structure: keys kept, scalars replaced by type names.

    Lists keep the shape of their first element (``[]`` when empty).
    """
    if isinstance(data, dict):
        return {key: shape(value) for key, value in data.items()}
    if isinstance(data, list):
        return [shape(data[0])] if data else []
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "bool"
    if isinstance(data, (int, float)):
        return "number"
    return type(data).__name__


def shape_diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where two JSON values differ in structure, one readable line per difference.

    Reports missing and unexpected keys (and keys that differ only in letter case, which
    the wire treats as different), type changes, and array element shapes. ``null`` on
    either side matches any type: recorded samples often hold ``null`` where the live
    answer has a value.
    """
    if expected is None or actual is None:
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        lowered = {k.lower(): k for k in actual}
        for key, value in expected.items():
            if key in actual:
                out += shape_diff(value, actual[key], f"{path}.{key}")
            elif key.lower() in lowered:
                out.append(f"{path}.{key}: sent as {lowered[key.lower()]!r} (letter case)")
            else:
                out.append(f"{path}.{key}: missing")
        expected_lower = {k.lower() for k in expected}
        out += [
            f"{path}.{key}: unexpected"
            for key in actual
            if key not in expected and key.lower() not in expected_lower
        ]
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if expected and actual:
            return shape_diff(expected[0], actual[0], f"{path}[0]")
        return []
    kind_e, kind_a = shape(expected), shape(actual)
    if isinstance(kind_e, (dict, list)) or isinstance(kind_a, (dict, list)) or kind_e != kind_a:
        return [f"{path}: {_kind(kind_e)} recorded, {_kind(kind_a)} live"]
    return []


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return str(value)

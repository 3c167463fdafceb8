"""Shared pieces of the scenarios: the ``Scenario`` record and shape assertions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ._world import World

__all__ = ["Responses", "Scenario", "expect_keys", "expect_status", "json_body", "nonempty_str"]

Responses = dict[str, httpx.Response]


@dataclass(frozen=True)
class Scenario:
    """A named exchange: which mock profile serves it, how to drive it, how to judge it."""

    name: str
    profile: str
    drive: Callable[[httpx.Client, World], Responses]
    check: Callable[[Responses, World], None]
    description: str


# -- assertion helpers ------------------------------------------------------------------


def json_body(response: httpx.Response, where: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise AssertionError(f"{where}: body is not JSON: {response.text[:120]!r}") from None


def expect_status(response: httpx.Response, status: int, where: str) -> None:
    assert response.status_code == status, (
        f"{where}: HTTP {response.status_code}, expected {status}; body {response.text[:200]!r}"
    )


def expect_keys(data: Any, keys: set[str], where: str, *, exact: bool = True) -> None:
    """``data`` is an object with these keys (and only these when ``exact``).

    A key that differs only in letter case is reported as such: casing is part of the wire.
    """
    assert isinstance(data, dict), f"{where}: expected an object, got {type(data).__name__}"
    have = set(data)
    missing = keys - have
    extra = have - keys if exact else set()
    lowered = {k.lower(): k for k in have}
    cased = {k: lowered[k.lower()] for k in missing if k.lower() in lowered}
    problems = []
    if cased:
        problems.append(
            "letter case differs: "
            + ", ".join(f"{want!r} sent as {got!r}" for want, got in sorted(cased.items()))
        )
    if missing - set(cased):
        problems.append(f"missing {sorted(missing - set(cased))}")
    if extra - set(cased.values()):
        problems.append(f"unexpected {sorted(extra - set(cased.values()))}")
    assert not problems, f"{where}: " + "; ".join(problems)


def nonempty_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    assert isinstance(value, str), f"{where}: {key} must be a string"
    assert value, f"{where}: {key} is empty"
    return value

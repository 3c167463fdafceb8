"""The respx route behind ``MockCloud.intercept()``: every emulated host, answered by the world.

A plain ``router.route(host=...).mock(side_effect=cloud.handle)`` works, but respx then parses
the URL once per route it tries, checks whether the side effect is an iterator and works out its
signature on every call: more than the world's own answer costs. This route matches on the
host alone (one dict lookup) and calls the world directly. What respx does around a route is
kept: the call is recorded on ``route.calls`` and on the router, and an exception the world
raises (a ``drop`` or ``stall`` fault) reaches the client as itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import httpx
import respx
from respx.models import SideEffectError

__all__ = ["world_route"]


class _WorldRoute(respx.Route):
    def __init__(
        self, hosts: Collection[str], handle: Callable[[httpx.Request], httpx.Response]
    ) -> None:
        super().__init__(host__in=list(hosts))  # the pattern respx shows; matching is below
        self._hosts = frozenset(hosts)
        self._handle = handle

    def match(self, request: httpx.Request) -> Any:
        if request.url.host not in self._hosts:
            return None
        try:
            return self._handle(request)
        except Exception as error:  # respx re-raises the origin after recording the call
            raise SideEffectError(self, origin=error) from error


def world_route(
    hosts: Collection[str], handle: Callable[[httpx.Request], httpx.Response]
) -> respx.Route:
    """A respx route answering every request to ``hosts`` with ``handle``."""
    return _WorldRoute(hosts, handle)

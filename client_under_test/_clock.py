"""The client's own clock: what time it is and how to wait, as the reference client needs them.

The client reads time through a *clock*: any callable returning epoch seconds, or an object
with ``time()`` (and, for waiting, ``sleep(seconds)``). In production that is :class:`WallClock`;
a test passes a fake one (the kit's ``FakeClock`` fits the :class:`TimeSource` protocol, but the
client depends on no mock: teams copy this package into their own code).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from ._errors import ConfigurationError

__all__ = ["Clock", "TimeSource", "WallClock", "as_clock"]

#: How the client reads time: a callable returning epoch seconds.
Clock = Callable[[], float]


@runtime_checkable
class TimeSource(Protocol):
    """An object that tells the time and waits: a wall clock, or a test's fake one."""

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class WallClock:
    """The real clock, for a client in production (the one place the client reads it)."""

    def time(self) -> float:
        return _time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def __repr__(self) -> str:
        return "WallClock()"


def as_clock(clock: Any) -> Clock:
    """Accept a callable returning epoch seconds, or an object with ``.time()`` (FakeClock)."""
    if clock is None:
        return WallClock().time
    if hasattr(clock, "time") and callable(clock.time):
        return clock.time  # type: ignore[no-any-return]
    if callable(clock):
        return clock  # type: ignore[no-any-return]
    raise ConfigurationError("clock must be a callable returning epoch seconds, or a Clock")

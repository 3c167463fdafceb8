"""The world's clock: the only module of the kit that may read the wall clock.

Every expiry, lifetime, job timestamp and rate-limit window in the mock reads time from a
clock object, never from :func:`time.time` or :meth:`datetime.datetime.now` (ruff's TID251
bans those everywhere else). Two kinds exist:

* :class:`FakeClock` -- time moves only when told (``advance``/``move_to``), the semantics of
  pytest's ``MockTiming``. Frozen by default; with ``ticking=True`` it follows real time plus an
  offset that ``advance`` grows, which is what the served mode uses so that clients in other
  languages see time pass while tests can still jump a day ahead.
* :class:`SystemClock` -- the wall clock, for the reference client in production.

Example::

    clock = FakeClock()
    clock.advance(hours=24)
"""

from __future__ import annotations

import threading
import time as _time
from datetime import datetime, timezone
from functools import lru_cache
from typing import Protocol, runtime_checkable

__all__ = [
    "DEFAULT_START",
    "MAX_STEP_SECONDS",
    "Clock",
    "FakeClock",
    "SystemClock",
    "format_odata_time",
]

#: Where a fresh FakeClock starts: a fixed instant so that tokens, ids and cassettes are
#: reproducible across runs (a Monday, 09:00 UTC).
DEFAULT_START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)

#: The longest step ``advance`` takes in one call (a century): beyond it datetime overflows.
MAX_STEP_SECONDS = 100 * 366 * 86400

#: The real-time source of ticking clocks (a module attribute so tests can replace it).
_monotonic = _time.monotonic


@runtime_checkable
class Clock(Protocol):
    """What every consumer of time needs: epoch seconds and an aware UTC datetime."""

    def time(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock. Use it in production code paths; tests inject a FakeClock."""

    def time(self) -> float:
        return _time.time()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that moves only when told to.

    ``advance(seconds=, minutes=, hours=, days=)`` moves it forward, ``move_to(dt)`` jumps to an
    instant, ``sleep(s)`` is ``advance(seconds=s)`` so that a client given ``clock.sleep`` as its
    sleep function waits out a ``Retry-After`` in microseconds. Thread-safe.
    """

    def __init__(self, start: datetime | float | None = None, *, ticking: bool = False) -> None:
        if start is None:
            start = DEFAULT_START
        if isinstance(start, datetime):
            if start.tzinfo is None:
                raise ValueError("FakeClock needs an aware datetime (tzinfo=timezone.utc)")
            start = start.timestamp()
        self._lock = threading.Lock()
        self._frozen_at = float(start)
        self._offset = 0.0
        self._ticking = ticking
        # In ticking mode the clock reads real elapsed time since construction, plus offset.
        self._real_origin = _monotonic()

    @property
    def ticking(self) -> bool:
        return self._ticking

    def time(self) -> float:
        if self._ticking:
            return self._frozen_at + (_monotonic() - self._real_origin) + self._offset
        return self._frozen_at + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> datetime:
        step = seconds + minutes * 60 + hours * 3600 + days * 86400
        if step < 0:
            raise ValueError("time only moves forward; use move_to() to jump")
        if step > MAX_STEP_SECONDS:
            raise ValueError(f"one step of the clock is at most {MAX_STEP_SECONDS} seconds")
        with self._lock:
            self._offset += step
        return self.now()

    def move_to(self, instant: datetime | float) -> datetime:
        target = instant.timestamp() if isinstance(instant, datetime) else float(instant)
        with self._lock:
            self._offset += target - self.time()
        return self.now()

    def sleep(self, seconds: float) -> None:
        """Advance by ``seconds``: the seam a client under test waits through."""
        if seconds > 0:
            self.advance(seconds)

    def __repr__(self) -> str:
        mode = "ticking" if self._ticking else "frozen"
        return f"FakeClock({self.now().isoformat()}, {mode})"


# Cached: a pure function of ``epoch``, and costly (~2.6 us: fromtimestamp + strftime) while a
# job's DTO formats the same few instants (start, end, last change) every time it is rebuilt.
@lru_cache(maxsize=4096)
def format_odata_time(epoch: float) -> str:
    """ISO-8601 UTC with a ``Z`` and milliseconds, as Orchestrator writes its timestamps."""
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    if dt.year < 1000:  # strftime's %Y writes "999", isoformat "0999": keep the old bytes
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    # isoformat cuts to milliseconds as ``microsecond // 1000`` does, in half strftime's time
    # (a miss is paid for each new job: created, started, ended). "+00:00" becomes "Z".
    return dt.isoformat(timespec="milliseconds")[:-6] + "Z"

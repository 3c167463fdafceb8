"""What a served mock tolerates from a client, so it can run all day in a shared CI service.

Every limit is real time on the wire (never the world's clock: a stalled socket costs a real
file descriptor whatever the world's time is), settable on ``orchestrator-kit serve`` and on
``serve_in_thread(limits=...)``:

==================  =========================================================================
``header_timeout``  seconds for a request's head (request line and headers) to arrive, counted
                    from the connection or from the first byte after an idle keep-alive; then
                    ``408`` and the connection is closed (a half-sent request line is held no
                    longer)
``body_timeout``    seconds for a whole request body to arrive once its head has; then ``408``
                    and close. Also bounds how long a client may take to read a large answer.
``keep_alive``      seconds an idle keep-alive connection is kept open (uvicorn's own timer)
``max_connections`` open connections at once; one more is answered ``503`` and closed
``max_body``        bytes of an emulated request's body; more is ``413`` in the route's dialect
``control_max_body`` bytes of a ``/_mock/`` request's body; more is ``413``
==================  =========================================================================

The guards live in the uvicorn protocol (``GuardedProtocol``, mixed into h11's and httptools'
protocol alike) and in the app (body reads): each connection carries a deadline, a float a
request sets for nothing, and one task per server (:func:`sweep`) closes those past theirs.
The protocol also hands each connection's transport to the app for the ``drop`` fault.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

from ..core.request import MAX_BODY_BYTES

__all__ = [
    "STATE_GUARD",
    "STATE_TRANSPORT",
    "ConnectionGuard",
    "ServeLimits",
    "guarded_protocol",
    "sweep",
]

#: Where the connection's asyncio transport is found in ``scope["state"]``.
STATE_TRANSPORT = "uipath_mock.transport"
#: Where the connection's :class:`ConnectionGuard` is found in ``scope["state"]``.
STATE_GUARD = "uipath_mock.guard"


def _raw_answer(status: bytes, error: str, message: str, extra: bytes = b"") -> bytes:
    """A whole HTTP/1.1 answer written straight to the transport (no request cycle exists)."""
    body = json.dumps({"error": error, "message": f"uipath-mock: {message}"}).encode("ascii")
    head = (
        b"HTTP/1.1 "
        + status
        + b"\r\ncontent-type: application/json\r\n"
        + extra
        + b"connection: close\r\ncontent-length: "
        + str(len(body)).encode("ascii")
        + b"\r\n\r\n"
    )
    return head + body


_REQUEST_TIMEOUT = _raw_answer(
    b"408 Request Timeout", "request_timeout", "the request's head did not arrive in time"
)
_BODY_TIMEOUT = _raw_answer(
    b"408 Request Timeout", "request_timeout", "the request's body did not arrive in time"
)
_TOO_MANY = _raw_answer(
    b"503 Service Unavailable",
    "too_many_connections",
    "too many open connections; close one or retry later",
    b"retry-after: 1\r\n",
)


@dataclass(frozen=True)
class ServeLimits:
    """The served mode's limits; every one is checked when built (a ``ValueError`` names it)."""

    header_timeout: float = 10.0
    body_timeout: float = 20.0
    keep_alive: float = 5.0
    max_connections: int = 256
    max_body: int = MAX_BODY_BYTES
    control_max_body: int = 65_536

    def __post_init__(self) -> None:
        for spec in fields(self):
            value: Any = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{spec.name} must be a number")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{spec.name} must be a positive number, not {value}")
        if self.max_connections != int(self.max_connections):
            raise ValueError("max_connections must be a whole number")


class ConnectionGuard:
    """One connection's deadline: by when what it waits for (a head, a body) must be in.

    The protocol starts the head's deadline when the connection opens and when a byte arrives
    while no request is in the app; the app moves it to the body's deadline when it is called
    (the head is in) and lifts it once the body is in. Setting a deadline is one float (a
    request pays nothing more); :func:`sweep` closes the connections whose deadline passed,
    with the answer due (408).
    """

    __slots__ = ("_loop", "answer", "busy", "due", "limits", "transport")

    def __init__(
        self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop, limits: ServeLimits
    ) -> None:
        self.transport = transport
        self.limits = limits
        self.busy = False
        self._loop = loop
        #: The loop time by which the awaited bytes must be in (None: nothing awaited).
        self.due: float | None = None
        self.answer = b""

    def expect_head(self) -> None:
        if self.due is None and not self.busy:
            self.due = self._loop.time() + self.limits.header_timeout
            self.answer = _REQUEST_TIMEOUT

    def request_started(self) -> None:
        """The head is in: the head's deadline becomes the body's."""
        self.busy = True
        self.deadline(self.limits.body_timeout)

    def deadline(self, seconds: float, *, answer: bool = True) -> None:
        """Close the connection unless :meth:`cancel` is called within ``seconds``: the app
        reading a body (``answer``: with a 408 first) or writing a large answer to a client
        that has stopped reading (no answer: one is already on its way)."""
        self.due = self._loop.time() + seconds
        self.answer = _BODY_TIMEOUT if answer else b""

    def request_done(self) -> None:
        """The answer is written (or the request abandoned): nothing is awaited until the
        next byte arrives."""
        self.busy = False
        self.due = None

    def cancel(self) -> None:
        self.due = None

    def expire_if_due(self, now: float) -> None:
        if self.due is not None and now >= self.due:
            self.due = None
            close(self.transport, self.answer)


def sweep_interval(limits: ServeLimits) -> float:
    """How often :func:`sweep` looks: a quarter of the shortest deadline, at most 1 s."""
    return max(0.01, min(1.0, limits.header_timeout / 4, limits.body_timeout / 4))


async def sweep(connections: Collection[Any], limits: ServeLimits) -> None:
    """Close, forever, the connections of a server whose deadline has passed (a task)."""
    loop = asyncio.get_running_loop()
    interval = sweep_interval(limits)
    while True:
        await asyncio.sleep(interval)
        now = loop.time()
        for connection in list(connections):
            guard: ConnectionGuard | None = getattr(connection, "_guard", None)
            if guard is not None:
                guard.expire_if_due(now)


def close(transport: asyncio.Transport, answer: bytes = b"") -> None:
    """Write ``answer`` (if the connection is still open) and close the connection."""
    if transport.is_closing():
        return
    if answer:
        transport.write(answer)
    transport.close()


def guarded_protocol(base: type[Any], limits: ServeLimits) -> type[Any]:
    """uvicorn's protocol class ``base`` with the connection cap and the header timer."""

    class GuardedProtocol(base):  # type: ignore[misc]
        _guard: ConnectionGuard | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            guard = ConnectionGuard(transport, self.loop, limits)
            self._guard = guard
            # app_state is copied into every request's scope["state"]; this copy is per
            # connection, so the app finds this connection's transport and guard there.
            state: dict[str, Any] = self.app_state  # type: ignore[has-type]
            self.app_state = {**state, STATE_TRANSPORT: transport, STATE_GUARD: guard}
            if len(self.connections) > limits.max_connections:
                close(transport, _TOO_MANY)
                return
            guard.expect_head()

        def data_received(self, data: bytes) -> None:
            if self._guard is not None:
                self._guard.expect_head()
            super().data_received(data)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._guard is not None:
                self._guard.cancel()
            super().connection_lost(exc)

    # The head's deadline also covers a connection over the cap (closed at once) and one that
    # never sends a byte: both are swept like any other.

    GuardedProtocol.__name__ = GuardedProtocol.__qualname__ = f"Guarded{base.__name__}"
    return GuardedProtocol

"""How the suite reaches a client: a Python factory in process, or a command over JSON lines.

A :class:`Plug` builds one :class:`Driver` per client instance. Rules never see the difference
except through ``Plug.in_process`` (a factory shares the world's clock, sleep and transport; a
command runs against the world served on loopback, on its own clock).

The command protocol is documented in ``conformance/PROTOCOL.md``.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import logging
import os
import queue
import shlex
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ._env import ClientAdapter, ClientEnv, NotSupported
from ._outcome import ClientStopped, format_exception
from ._output import MAX_LINE, OutputTail, TailStream, capture_fds, pump
from ._procs import kill_group, new_group

if TYPE_CHECKING:
    from mock_orchestrator import MockCloud


__all__ = [
    "CRASHES",
    "HELLO_TIMEOUT",
    "PROTOCOL_VERSION",
    "Answer",
    "CommandPlug",
    "Driver",
    "Plug",
    "PythonPlug",
    "load_factory",
]

PROTOCOL_VERSION = 1
#: Real seconds a command has to answer ``hello`` (a hung client costs this once per run).
HELLO_TIMEOUT = 15.0
#: Real seconds ``close`` waits for a command to exit before its group is killed.
CLOSE_TIMEOUT = 5.0
#: The longest real time a rule waits for one operation (``http-timeout-set``'s stalled poll).
LONGEST_OPERATION = 60.0
#: How long a command's served world holds a stalled answer before closing the connection:
#: longer than any operation's wait. A client without a read timeout then hangs until the rule
#: gives up on it; with the served default (30 s) the mock's hang-up rescued it, and a client
#: that does not retry a dropped connection ended its operation with an error, as if it had
#: timed out (Python's ``requests`` without ``timeout=`` passed ``http-timeout-set`` so).
SERVED_STALL_CAP = 2 * LONGEST_OPERATION
_VALUE_FIELD = {"start_job": "job_key", "get_job_state": "state"}
#: Python's programming errors: raised by a client that crashed, never a deliberate answer.
CRASHES: tuple[type[BaseException], ...] = (
    AttributeError,
    NameError,
    TypeError,
    KeyError,
    IndexError,
    ImportError,
    AssertionError,
    RecursionError,
    ZeroDivisionError,
    MemoryError,
)


@dataclass(frozen=True)
class Answer:
    """How one operation ended, as the driver saw it."""

    ok: bool
    value: Any = None
    #: The client's error message (what a user would be shown).
    error: str | None = None
    #: The full failure text (type, message, traceback, repr): searched for secrets.
    text: str = ""
    #: No answer within the time allowed.
    hung: bool = False
    #: The process exited (a command) -- nothing more will be answered.
    gone: bool = False
    #: An in-process client raised one of Python's programming errors (:data:`CRASHES`).
    crashed: bool = False


class Driver(Protocol):
    """One running client instance, as the harness calls it."""

    def call(self, op: str, kwargs: dict[str, Any], timeout: float) -> Answer: ...

    def call_many(
        self, op: str, kwargs: dict[str, Any], count: int, timeout: float
    ) -> list[Answer]: ...

    def describe(self) -> str:
        """The client's object descriptions (``repr``/``str``) and the like, for the secrets
        rule: what a user would see printing the client. Empty for a command."""
        ...

    def close(self) -> None: ...


class Plug(Protocol):
    """A way to build clients: ``open(env, world) -> Driver``."""

    #: True when the client runs in this process on the world's clock and transport.
    in_process: bool
    #: How reports name the client (``module:factory`` or the command line).
    label: str
    #: Set once a command client stopped (exited, never greeted, went mute): why. Every rule
    #: still to run is then an ``error`` without being tried.
    stopped: str | None

    def open(self, env: ClientEnv, world: object) -> Driver: ...

    def serve(self, cloud: MockCloud) -> AbstractContextManager[str]: ...

    def capture(self, tail: OutputTail) -> AbstractContextManager[None]: ...

    def abort(self) -> None:
        """Kill every client still running, at once (an interrupted run)."""
        ...


# -- Python factories -----------------------------------------------------------------------


def load_factory(spec: str) -> Callable[[ClientEnv], ClientAdapter]:
    """``"package.module:factory"`` -> the factory callable (a clear error otherwise)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"--client wants MODULE:FACTORY, got {spec!r}")
    module = importlib.import_module(module_name)
    factory = module
    for part in attr.split("."):
        factory = getattr(factory, part)
    if not callable(factory):
        raise TypeError(f"{spec} is not callable")
    return factory


class PythonPlug:
    """A Python client: ``factory(env) -> ClientAdapter``, driven in threads of this process."""

    in_process = True
    stopped: str | None = None

    def __init__(self, factory: Callable[[ClientEnv], ClientAdapter], label: str | None = None):
        self.factory = factory
        self.label = label or f"{factory.__module__}:{getattr(factory, '__qualname__', factory)}"

    @classmethod
    def from_spec(cls, spec: str) -> PythonPlug:
        return cls(load_factory(spec), spec)

    def open(self, env: ClientEnv, world: object) -> Driver:
        return PythonDriver(self.factory(env))

    def serve(self, cloud: MockCloud) -> AbstractContextManager[str]:
        raise RuntimeError("an in-process client is never served")

    def abort(self) -> None:
        """Threads cannot be killed; an interrupted run simply stops waiting for them."""

    @contextmanager
    def capture(self, tail: OutputTail) -> Iterator[None]:
        """Everything the client writes: log records at DEBUG (every logger), ``sys.stdout``
        and ``sys.stderr``, and file descriptors 1 and 2 themselves."""
        handler = _TailHandler(tail)
        loggers = [logging.getLogger()] + [
            lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
        ]
        saved = [(lg, lg.level) for lg in loggers]
        attached = [lg for lg in loggers if lg is loggers[0] or not lg.propagate]
        for lg in loggers:
            lg.setLevel(logging.DEBUG)
        for lg in attached:
            lg.addHandler(handler)
        out, err = TailStream(tail, "stdout"), TailStream(tail, "stderr")
        try:
            with (
                capture_fds(tail),
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(err),
            ):
                yield
        finally:
            out.flush()
            err.flush()
            for lg in attached:
                lg.removeHandler(handler)
            for lg, level in saved:
                lg.setLevel(level)


class _TailHandler(logging.Handler):
    """Every log record, formatted with its exception, into the tail (searched as it comes)."""

    def __init__(self, tail: OutputTail) -> None:
        super().__init__(logging.DEBUG)
        self.tail = tail
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a client's bad log call must not break the suite
            text = f"{record.name} {record.levelname} {record.msg!r} {record.args!r}"
        self.tail.add_text("log", text)


class PythonDriver:
    """Calls a ClientAdapter in a guard thread, so a hung client cannot hang the suite."""

    def __init__(self, adapter: ClientAdapter) -> None:
        self.adapter = adapter

    def _invoke(self, op: str, kwargs: dict[str, Any]) -> Any:
        if op == "start_job":
            return self.adapter.start_job(
                kwargs["process"], kwargs["folder"], kwargs.get("input_arguments")
            )
        if op == "get_job_state":
            return self.adapter.get_job_state(kwargs["job_key"], kwargs["folder"])
        raise ValueError(f"unknown operation {op!r}")

    def call(self, op: str, kwargs: dict[str, Any], timeout: float) -> Answer:
        return self.call_many(op, kwargs, 1, timeout)[0]

    def call_many(
        self, op: str, kwargs: dict[str, Any], count: int, timeout: float
    ) -> list[Answer]:
        barrier = threading.Barrier(count)
        boxes: list[dict[str, Any]] = [{} for _ in range(count)]

        def work(box: dict[str, Any]) -> None:
            try:
                if count > 1:
                    barrier.wait(timeout)
                box["value"] = self._invoke(op, kwargs)
            except BaseException as exc:  # the client's answer, whatever it is
                box["exc"] = exc

        threads = [
            threading.Thread(target=work, args=(box,), daemon=True, name=f"conformance-{op}")
            for box in boxes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            # A join with a bound, not a sleep: a client that never returns is a verdict.
            thread.join(timeout)
        results: list[Answer] = []
        for thread, box in zip(threads, boxes, strict=False):
            if thread.is_alive():
                msg = f"{op} did not return within {timeout:g} s of real time"
                results.append(Answer(False, error=msg, text=msg, hung=True))
            elif "exc" in box:
                exc = box["exc"]
                if isinstance(exc, NotSupported):
                    raise exc
                text = format_exception(exc) + f"\n{exc!r}"
                results.append(
                    Answer(
                        False,
                        error=f"{type(exc).__name__}: {exc}",
                        text=text,
                        crashed=isinstance(exc, CRASHES),
                    )
                )
            else:
                results.append(Answer(True, box.get("value")))
        return results

    def describe(self) -> str:
        """``repr``/``str`` of the adapter and of the objects its public attributes hold."""
        return "\n".join(describe_objects(self.adapter))

    def close(self) -> None:
        self.adapter.close()


_PLAIN = (str, bytes, bytearray, int, float, bool, type(None), dict, list, tuple, set, frozenset)


def describe_objects(root: object, depth: int = 2) -> list[str]:
    """``repr`` and ``str`` of ``root`` and of the objects under its public attributes.

    Holding a token in a string attribute is a client's job, so plain values (strings,
    numbers, containers) are not shown; an *object* whose ``repr`` spells its token is a leak
    waiting for the first ``print(client)`` or traceback with locals.
    """
    seen: set[int] = set()
    out: list[str] = []

    def visit(obj: object, level: int) -> None:
        if id(obj) in seen or isinstance(obj, _PLAIN) or (callable(obj) and level > 0):
            return
        seen.add(id(obj))
        for render in (repr, str):
            try:
                out.append(render(obj))
            except Exception as exc:  # a broken __repr__ is not a leak
                out.append(f"<{render.__name__} raised {type(exc).__name__}>")
        if level >= depth:
            return
        try:
            attributes = vars(obj)
        except TypeError:
            return
        for name, value in list(attributes.items()):
            if not name.startswith("_"):
                visit(value, level + 1)

    visit(root, 0)
    return out


# -- commands over JSON lines ---------------------------------------------------------------


class CommandPlug:
    """A client in any language, run as a command against the world served on loopback."""

    in_process = False

    def __init__(
        self,
        command: str | Sequence[str],
        *,
        cwd: str | None = None,
        start_timeout: float = HELLO_TIMEOUT,
    ) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("--client-cmd is empty")
        self.label = command if isinstance(command, str) else shlex.join(command)
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.stopped: str | None = None
        # Captures are per thread: checks run at once, each in a thread of its own, and a
        # check reads the output of the clients it opened, never another check's.
        self._captures = threading.local()
        self._live: set[CommandDriver] = set()
        self._lock = threading.Lock()
        self._aborted = False

    def open(self, env: ClientEnv, world: object) -> Driver:
        if self._aborted:  # the run was interrupted: no new client after the kill
            raise ClientStopped("the run was interrupted")
        tail = OutputTail()
        captures = self._tails()
        if captures:  # only while a rule reads the clients' output
            tail.mirror = captures[-1]
        return CommandDriver(
            self.argv,
            env,
            cwd=self.cwd,
            start_timeout=self.start_timeout,
            tail=tail,
            registry=self,
        )

    def serve(self, cloud: MockCloud) -> AbstractContextManager[str]:
        return cloud.serve(stall_cap=SERVED_STALL_CAP)

    def _tails(self) -> list[OutputTail]:
        tails: list[OutputTail] | None = getattr(self._captures, "tails", None)
        if tails is None:
            tails = self._captures.tails = []
        return tails

    @contextmanager
    def capture(self, tail: OutputTail) -> Iterator[None]:
        """Mirror the output of every client this thread opens meanwhile (stderr, stray
        stdout) into ``tail``, as it streams."""
        tails = self._tails()
        tails.append(tail)
        try:
            yield
        finally:
            tails.remove(tail)

    def track(self, driver: CommandDriver, live: bool) -> None:
        with self._lock:
            if live:
                self._live.add(driver)
            else:
                self._live.discard(driver)
            late = live and self._aborted
        if late:  # started while the run was being interrupted
            driver.kill()

    def abort(self) -> None:
        with self._lock:
            self._aborted = True
            drivers = list(self._live)
        for driver in drivers:
            driver.kill()


class CommandDriver:
    """One client process. Requests carry an ``id``; answers may come in any order.

    Fail fast: the process is stopped, and :class:`ClientStopped` raised, the moment it exits
    before answering ``hello``, writes anything but a JSON answer as its first line, or does not
    answer ``hello`` within ``start_timeout`` real seconds. Its last lines are quoted.
    """

    def __init__(
        self,
        argv: list[str],
        env: ClientEnv,
        *,
        cwd: str | None = None,
        start_timeout: float = HELLO_TIMEOUT,
        tail: OutputTail | None = None,
        registry: CommandPlug | None = None,
    ) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("UIPATH_")}
        environ.update(env.environ())
        # Rule-specific hints (env.extra) travel as UIPATH_<NAME>, e.g. UIPATH_TIMEOUT=2.
        environ.update({f"UIPATH_{k.upper()}": str(v) for k, v in env.extra.items()})
        self.tail = tail or OutputTail()
        self.registry = registry
        self._pending: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._eof = False
        self._greeted = False
        self._wedged = False
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environ,
                cwd=cwd,
                **new_group(),
            )
        except OSError as exc:
            raise ClientStopped(f"cannot start the client command {argv[0]!r}: {exc}") from exc
        if registry is not None:
            registry.track(self, True)
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True, name="conformance-stdout"),
            threading.Thread(
                target=pump,
                args=(self.proc.stderr, self.tail, "stderr"),
                daemon=True,
                name="conformance-stderr",
            ),
        ]
        for reader in self._readers:
            reader.start()
        hello = self._request(
            {
                "op": "hello",
                "protocol": PROTOCOL_VERSION,
                "profile": env.profile,
                "credential": env.credential,
            },
            start_timeout,
        )
        # Any JSON answer means the client is up (one that does not know "hello" may say
        # so); not_supported makes the rule not applicable; anything else stops the client.
        if "ok" in hello and not hello.get("not_supported"):
            self._greeted = True
            return
        reason = self._reason(hello, "hello")
        if "ok" in hello:
            self.close()
            raise NotSupported(reason)
        self.kill()
        raise ClientStopped(reason)

    # -- the pipes ------------------------------------------------------------------------

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        stream = self.proc.stdout
        piece_of_long_line = False
        while True:
            chunk = stream.readline(MAX_LINE)
            if not chunk:
                break
            complete = chunk.endswith(b"\n")
            text = chunk.decode("utf-8", "replace").rstrip("\r\n")
            if not piece_of_long_line and complete and self._deliver(text):
                continue
            if not self._greeted and not piece_of_long_line and text.strip():
                # The first line must answer hello: anything else is not the protocol.
                self._to_oldest({"_garbage": text})
            self.tail.add("stdout", text, continues=not complete)
            piece_of_long_line = not complete
        with self._lock:
            self._eof = True
            for waiting in self._pending.values():
                waiting.put({"_gone": True})
            self._pending.clear()

    def _deliver(self, text: str) -> bool:
        """Hand a JSON answer to the request waiting for it; False if ``text`` is not one."""
        try:
            message = json.loads(text)
        except ValueError:
            return False
        if not isinstance(message, dict) or "ok" not in message:
            return False
        with self._lock:
            ident = message.get("id")
            if not isinstance(ident, int) or ident not in self._pending:
                # A client that does not echo ids answers in order: the oldest waits.
                ident = next(iter(self._pending), None)
            waiting = self._pending.pop(ident, None) if ident is not None else None
        if waiting is None:
            return False
        waiting.put(message)
        return True

    def _to_oldest(self, message: dict[str, Any]) -> None:
        with self._lock:
            ident = next(iter(self._pending), None)
            waiting = self._pending.pop(ident, None) if ident is not None else None
        if waiting is not None:
            waiting.put(message)

    def _send(self, message: dict[str, Any]) -> queue.Queue[dict[str, Any]]:
        waiting: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            ident = next(self._ids)
            if self._eof:
                waiting.put({"_gone": True})
                return waiting
            self._pending[ident] = waiting
            try:
                assert self.proc.stdin is not None
                line = json.dumps({"id": ident, **message}) + "\n"
                self.proc.stdin.write(line.encode("utf-8"))
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                self._pending.pop(ident, None)
                waiting.put({"_gone": True})
        return waiting

    def _request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        return self._wait(self._send(message), timeout)

    def _wait(self, waiting: queue.Queue[dict[str, Any]], timeout: float) -> dict[str, Any]:
        try:
            return waiting.get(timeout=timeout)
        except queue.Empty:
            self._wedged = True
            return {"_hung": timeout}

    def _reason(self, answer: dict[str, Any], op: str) -> str:
        if answer.get("_gone"):
            try:  # stdout closed: the process is ending; wait a moment for its status
                code: int | None = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            for reader in self._readers:  # its last words may still be in the stderr pipe
                if reader is not threading.current_thread():
                    reader.join(timeout=2)
            why = f"the client exited (code {code}) during {op}"
        elif answer.get("_hung") is not None:
            why = f"the client gave no answer to {op} within {answer['_hung']:g} s of real time"
        elif answer.get("_garbage") is not None:
            why = f"the client wrote {answer['_garbage'][:200]!r} instead of answering {op}"
        else:
            return str(answer.get("error") or f"{op} failed without an error message")
        last = self.tail.last(5)
        return why + ("; its last lines: " + " | ".join(last) if last else "; it wrote nothing")

    def _result(self, op: str, answer: dict[str, Any]) -> Answer:
        if answer.get("ok"):
            return Answer(True, answer.get(_VALUE_FIELD.get(op, "value")))
        if answer.get("not_supported"):
            raise NotSupported(self._reason(answer, op))
        reason = self._reason(answer, op)
        return Answer(
            False,
            error=reason,
            text=reason,
            hung=answer.get("_hung") is not None,
            gone=bool(answer.get("_gone")),
        )

    # -- Driver ---------------------------------------------------------------------------

    def call(self, op: str, kwargs: dict[str, Any], timeout: float) -> Answer:
        return self._result(op, self._request({"op": op, **kwargs}, timeout))

    def call_many(
        self, op: str, kwargs: dict[str, Any], count: int, timeout: float
    ) -> list[Answer]:
        # Pipelined: every request is written before any answer is read.
        waits = [self._send({"op": op, **kwargs}) for _ in range(count)]
        return [self._result(op, self._wait(w, timeout)) for w in waits]

    def describe(self) -> str:
        return ""

    def kill(self) -> None:
        """End the client and everything it started, now."""
        kill_group(self.proc)
        self._finish()

    def close(self) -> None:
        if self.proc.poll() is None and not self._wedged and not self._eof:
            self._send({"op": "close"})
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=CLOSE_TIMEOUT)
        # Whatever it left behind (helpers in its group) goes too.
        kill_group(self.proc)
        self._finish()

    def _finish(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        for reader in self._readers:  # the group is dead: its pipes are at their end
            if reader is not threading.current_thread():
                reader.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if self.registry is not None:
            self.registry.track(self, False)

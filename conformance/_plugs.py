"""How the suite reaches a client: a Python factory in process, or a command over JSON lines.

A :class:`Plug` builds one :class:`Driver` per client instance. Rules never see the difference
except through ``Plug.in_process`` (a factory shares the world's clock, sleep and transport; a
command runs against the world served on loopback, on its own clock).

The command protocol is documented in ``conformance/PROTOCOL.md``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
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
from typing import TYPE_CHECKING, Any, Protocol

from ._env import ClientAdapter, ClientEnv, NotSupported
from ._outcome import format_exception

if TYPE_CHECKING:
    from mock_orchestrator import MockCloud


__all__ = [
    "PROTOCOL_VERSION",
    "CommandPlug",
    "Driver",
    "Plug",
    "PythonPlug",
    "load_factory",
]

PROTOCOL_VERSION = 1
#: (ok, value, error message, full error text, hung)
CallResult = tuple[bool, Any, "str | None", str, bool]
_VALUE_FIELD = {"start_job": "job_key", "get_job_state": "state"}


class Driver(Protocol):
    """One running client instance, as the harness calls it."""

    def call(self, op: str, kwargs: dict[str, Any], timeout: float) -> CallResult: ...

    def call_many(
        self, op: str, kwargs: dict[str, Any], count: int, timeout: float
    ) -> list[CallResult]: ...

    def close(self) -> None: ...


class Plug(Protocol):
    """A way to build clients: ``open(env, world) -> Driver``."""

    #: True when the client runs in this process on the world's clock and transport.
    in_process: bool
    #: How reports name the client (``module:factory`` or the command line).
    label: str

    def open(self, env: ClientEnv, world: object) -> Driver: ...

    def serve(self, cloud: MockCloud) -> AbstractContextManager[str]: ...

    def capture(self, sink: list[str]) -> AbstractContextManager[None]: ...


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

    @contextmanager
    def capture(self, sink: list[str]) -> Iterator[None]:
        handler = _SinkHandler(sink)
        loggers = [logging.getLogger()] + [
            lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
        ]
        saved = [(lg, lg.level) for lg in loggers]
        attached = [lg for lg in loggers if lg is loggers[0] or not lg.propagate]
        for lg in loggers:
            lg.setLevel(logging.DEBUG)
        for lg in attached:
            lg.addHandler(handler)
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                yield
        finally:
            for lg in attached:
                lg.removeHandler(handler)
            for lg, level in saved:
                lg.setLevel(level)
            sink.extend(out.getvalue().splitlines())
            sink.extend(err.getvalue().splitlines())


class _SinkHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.append(self.format(record))
        except Exception:  # a client's bad log call must not break the suite
            self.sink.append(f"{record.name} {record.levelname} {record.msg!r} {record.args!r}")


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

    def call(self, op: str, kwargs: dict[str, Any], timeout: float) -> CallResult:
        return self.call_many(op, kwargs, 1, timeout)[0]

    def call_many(
        self, op: str, kwargs: dict[str, Any], count: int, timeout: float
    ) -> list[CallResult]:
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
        results: list[CallResult] = []
        for thread, box in zip(threads, boxes, strict=False):
            if thread.is_alive():
                msg = f"{op} did not return within {timeout:g} s of real time"
                results.append((False, None, msg, msg, True))
            elif "exc" in box:
                exc = box["exc"]
                if isinstance(exc, NotSupported):
                    raise exc
                text = format_exception(exc) + f"\n{exc!r}"
                results.append((False, None, f"{type(exc).__name__}: {exc}", text, False))
            else:
                results.append((True, box.get("value"), None, "", False))
        return results

    def close(self) -> None:
        self.adapter.close()


# -- commands over JSON lines ---------------------------------------------------------------


class CommandPlug:
    """A client in any language, run as a command against the world served on loopback."""

    in_process = False

    def __init__(
        self, command: str | Sequence[str], *, cwd: str | None = None, start_timeout: float = 20.0
    ) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("--client-cmd is empty")
        self.label = command if isinstance(command, str) else shlex.join(command)
        self.cwd = cwd
        self.start_timeout = start_timeout
        self._capturing = 0
        self._drivers: list[CommandDriver] = []

    def open(self, env: ClientEnv, world: object) -> Driver:
        driver = CommandDriver(self.argv, env, cwd=self.cwd, start_timeout=self.start_timeout)
        if self._capturing:  # only while a rule reads the clients' output
            self._drivers.append(driver)
        return driver

    def serve(self, cloud: MockCloud) -> AbstractContextManager[str]:
        return cloud.serve()

    @contextmanager
    def capture(self, sink: list[str]) -> Iterator[None]:
        before = len(self._drivers)
        self._capturing += 1
        try:
            yield
        finally:
            self._capturing -= 1
            for driver in self._drivers[before:]:
                driver.close()
                sink.extend(driver.stderr)
                sink.extend(driver.noise)
            del self._drivers[before:]


class CommandDriver:
    """One client process. Requests carry an ``id``; answers may come in any order."""

    def __init__(
        self,
        argv: list[str],
        env: ClientEnv,
        *,
        cwd: str | None = None,
        start_timeout: float = 20.0,
    ) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("UIPATH_")}
        environ.update(env.environ())
        # Rule-specific hints (env.extra) travel as UIPATH_<NAME>, e.g. UIPATH_TIMEOUT=2.
        environ.update({f"UIPATH_{k.upper()}": str(v) for k, v in env.extra.items()})
        self.stderr: list[str] = []
        self.noise: list[str] = []
        self._pending: dict[int, queue.Queue[dict[str, Any] | None]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._eof = False
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environ,
                cwd=cwd,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as exc:
            raise RuntimeError(f"cannot start the client command {argv[0]!r}: {exc}") from exc
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
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
        # Any answer means the client is up (one that does not know "hello" may say so);
        # only not_supported, or no answer at all, stops here.
        if hello is None or hello.get("_hung") or hello.get("not_supported"):
            reason = self._reason(hello, "hello")
            self.close()
            if hello is not None and hello.get("not_supported"):
                raise NotSupported(reason)
            raise RuntimeError(f"the client command did not start: {reason}")

    # -- the pipes ------------------------------------------------------------------------

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            text = line.rstrip("\n")
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if isinstance(message, dict) and "ok" in message:
                with self._lock:
                    ident = message.get("id")
                    if not isinstance(ident, int):
                        # A client that does not echo ids answers in order: the oldest waits.
                        ident = next(iter(self._pending), None)
                    waiting = self._pending.pop(ident, None) if ident is not None else None
                if waiting is not None:
                    waiting.put(message)
                    continue
            if text.strip():
                self.noise.append(text)
        with self._lock:
            self._eof = True
            for waiting in self._pending.values():
                waiting.put(None)
            self._pending.clear()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def _send(self, message: dict[str, Any]) -> queue.Queue[dict[str, Any] | None]:
        waiting: queue.Queue[dict[str, Any] | None] = queue.Queue()
        with self._lock:
            ident = next(self._ids)
            self._pending[ident] = waiting
            if self._eof:
                waiting.put(None)
                return waiting
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"id": ident, **message}) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                waiting.put(None)
        return waiting

    def _request(self, message: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        return self._wait(self._send(message), timeout)

    def _wait(
        self, waiting: queue.Queue[dict[str, Any] | None], timeout: float
    ) -> dict[str, Any] | None:
        try:
            return waiting.get(timeout=timeout)
        except queue.Empty:
            return {
                "ok": False,
                "error": f"no answer within {timeout:g} s of real time",
                "_hung": True,
            }

    def _reason(self, answer: dict[str, Any] | None, op: str) -> str:
        if answer is None:
            try:  # stdout closed: the process is ending; wait a moment for its status
                code: int | None = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            tail = " | ".join(self.stderr[-5:])
            return f"the client exited (code {code}) during {op}" + (f": {tail}" if tail else "")
        return str(answer.get("error") or f"{op} failed without an error message")

    def _result(self, op: str, answer: dict[str, Any] | None) -> CallResult:
        if answer is not None and answer.get("ok"):
            return True, answer.get(_VALUE_FIELD.get(op, "value")), None, "", False
        if answer is not None and answer.get("not_supported"):
            raise NotSupported(self._reason(answer, op))
        reason = self._reason(answer, op)
        return False, None, reason, reason, bool(answer and answer.get("_hung"))

    # -- Driver ---------------------------------------------------------------------------

    def call(self, op: str, kwargs: dict[str, Any], timeout: float) -> CallResult:
        return self._result(op, self._request({"op": op, **kwargs}, timeout))

    def call_many(
        self, op: str, kwargs: dict[str, Any], count: int, timeout: float
    ) -> list[CallResult]:
        # Pipelined: every request is written before any answer is read.
        waits = [self._send({"op": op, **kwargs}) for _ in range(count)]
        return [self._result(op, self._wait(w, timeout)) for w in waits]

    def close(self) -> None:
        if self.proc.poll() is None:
            self._send({"op": "close"})
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for reader in self._readers:
            reader.join(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

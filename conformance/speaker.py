"""A Python client factory as a command client: ``python -m conformance.speaker MOD:FACTORY``.

The same client, judged out of process: it reads its configuration from the ``UIPATH_*``
environment (as any command client does), keeps the real clock, talks HTTP to the served mock,
and answers the suite's JSON lines (``conformance/PROTOCOL.md``) on threads, so that pipelined
requests run at once, as the protocol allows::

    orchestrator-kit check --client-cmd "python -m conformance.speaker mypkg.testing:make_client"

Logs go to stderr at DEBUG (where the suite looks for leaked secrets, as it would in a real
deployment run with ``--verbose``); stdout carries answers only.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mock_orchestrator import SystemClock

from ._env import ClientAdapter, ClientEnv, NotSupported
from ._plugs import load_factory

__all__ = ["env_from_environ", "main", "speak"]


def env_from_environ(environ: Mapping[str, str] | None = None) -> ClientEnv:
    """The :class:`ClientEnv` a command client is configured with, read back from ``UIPATH_*``.

    The seams are the real ones: the system clock, a real sleep, no transport (real HTTP).
    """
    e = os.environ if environ is None else environ
    clock = SystemClock()
    extra: dict[str, Any] = {"timeout": float(e["UIPATH_TIMEOUT"])} if "UIPATH_TIMEOUT" in e else {}
    return ClientEnv(
        profile=e["UIPATH_PROFILE"],  # type: ignore[arg-type]
        credential=e["UIPATH_CREDENTIAL"],  # type: ignore[arg-type]
        url=e["UIPATH_URL"],
        organization=e["UIPATH_ORGANIZATION"],
        tenant=e["UIPATH_TENANT"],
        folder=e["UIPATH_FOLDER_PATH"],
        identity_url=e.get("UIPATH_IDENTITY_URL"),
        legacy_token_url=e.get("UIPATH_LEGACY_TOKEN_URL"),
        client_id=e.get("UIPATH_CLIENT_ID"),
        client_secret=e.get("UIPATH_CLIENT_SECRET"),
        scopes=e.get("UIPATH_SCOPE"),
        refresh_token=e.get("UIPATH_REFRESH_TOKEN"),
        user_key=e.get("UIPATH_USER_KEY"),
        username=e.get("UIPATH_USERNAME"),
        password=e.get("UIPATH_PASSWORD"),
        token_store=e.get("UIPATH_TOKEN_STORE"),
        tenant_display_name=e.get("UIPATH_TENANT_DISPLAY_NAME"),
        clock=clock.time,
        sleep=clock.sleep,
        extra=extra,
    )


def speak(factory: Callable[[ClientEnv], ClientAdapter]) -> None:
    """Answer the protocol on stdin/stdout until ``close`` or the end of stdin."""
    lock = threading.Lock()
    client: ClientAdapter | None = None

    def answer(message: dict[str, Any]) -> None:
        with lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    def serve(request: dict[str, Any]) -> None:
        ident, op = request.get("id"), request.get("op")
        try:
            assert client is not None
            if op == "start_job":
                key = client.start_job(
                    request["process"], request["folder"], request.get("input_arguments")
                )
                answer({"id": ident, "ok": True, "job_key": key})
            elif op == "get_job_state":
                state = client.get_job_state(request["job_key"], request["folder"])
                answer({"id": ident, "ok": True, "state": state})
            else:
                answer({"id": ident, "ok": False, "error": f"unknown op {op}"})
        except NotSupported as exc:
            answer({"id": ident, "ok": False, "not_supported": True, "error": str(exc)})
        except Exception as exc:  # the client's answer: what a user would be shown
            answer({"id": ident, "ok": False, "error": f"{type(exc).__name__}: {exc}"})

    for line in sys.stdin:
        request = json.loads(line)
        if request.get("op") == "hello":
            try:
                client = factory(env_from_environ())
                answer({"id": request.get("id"), "ok": True})
            except NotSupported as exc:
                answer(
                    {"id": request.get("id"), "ok": False, "not_supported": True, "error": str(exc)}
                )
            except Exception as exc:  # a refusal of its own: the client is up, and said no
                answer(
                    {"id": request.get("id"), "ok": False, "error": f"{type(exc).__name__}: {exc}"}
                )
        elif request.get("op") == "close":
            answer({"id": request.get("id"), "ok": True})
            break
        elif client is None:
            answer({"id": request.get("id"), "ok": False, "error": "no client: hello failed"})
        else:
            threading.Thread(target=serve, args=(request,), daemon=True).start()
    if client is not None:
        client.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m conformance.speaker MODULE:FACTORY\n")
        return 2
    try:
        factory = load_factory(args[0])
    except (ValueError, ImportError, AttributeError, TypeError) as exc:
        sys.stderr.write(f"conformance.speaker: {exc}\n")
        return 2
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    speak(factory)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

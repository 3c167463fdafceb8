"""A command client for the protocol tests: MiniClient (or a broken one) behind JSON lines.

``python -m tests.conformance.cmd_client [ClassName]`` reads the UIPATH_* environment, answers
requests on threads (so pipelined requests run concurrently, as the protocol allows), and
writes answers as they finish. Its clock is the real one: it runs against the served mock.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from typing import Any

from conformance import ClientEnv, NotSupported
from mock_orchestrator.core.clock import SystemClock

from . import broken_clients


def _env() -> ClientEnv:
    e = os.environ
    clock = SystemClock()
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
        clock=clock.time,
        sleep=clock.sleep,
        extra={"timeout": float(e["UIPATH_TIMEOUT"])} if "UIPATH_TIMEOUT" in e else {},
    )


def main() -> None:
    # A command client owns its logging; this one logs everything to stderr (what a client
    # run with --verbose would do), where the suite looks for leaked secrets.
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    cls = getattr(broken_clients, sys.argv[1] if len(sys.argv) > 1 else "MiniClient")
    lock = threading.Lock()
    client: Any = None

    def answer(message: dict[str, Any]) -> None:
        with lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    def serve(request: dict[str, Any]) -> None:
        ident, op = request.get("id"), request.get("op")
        try:
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
        except Exception as exc:
            answer({"id": ident, "ok": False, "error": f"{type(exc).__name__}: {exc}"})

    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "hello":
            try:
                client = cls(_env())
                answer({"id": request["id"], "ok": True})
            except NotSupported as exc:
                answer({"id": request["id"], "ok": False, "not_supported": True, "error": str(exc)})
        elif request["op"] == "close":
            answer({"id": request["id"], "ok": True})
            break
        else:
            threading.Thread(target=serve, args=(request,), daemon=True).start()
    if client is not None:
        client.close()


if __name__ == "__main__":
    main()

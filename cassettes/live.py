"""``tox -e live``: the reference client's flows against your tenant, through ``record``.

Reads your ``UIPATH_*`` variables (as the reference client does), starts the recording proxy
in front of your tenant's hosts, and runs each flow your credentials allow, one cassette per
flow, in ``--cassette-dir``:

* ``client_credentials`` (``UIPATH_CLIENT_ID`` + ``UIPATH_CLIENT_SECRET``): a token, then the
  process list (read-only);
* ``refresh_token`` (``UIPATH_REFRESH_TOKEN``): a refresh (the token rotates), the process list;
* ``user_key`` (``UIPATH_USER_KEY``, legacy cloud): a refresh, the process list;
* ``password`` (``UIPATH_USERNAME`` + ``UIPATH_PASSWORD``, on-prem only: on the cloud the client
  refuses the errorCode 1000 trap before sending anything): a login, the process list;
* ``start_job`` (``UIPATH_LIVE_PROCESS`` and one of the above; it starts a real job, so it is
  opt-in): StartJobs, then polls the job to its end.

``UIPATH_LIVE_LOGOUT=1`` ends the refresh-token flow with a logout, which revokes that refresh
token on your tenant (you will need a new one): opt-in too. Nothing else is written to your
tenant. Then ``tox -e live`` runs ``audit-cassettes`` and ``compare`` on the cassettes.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from client_under_test import (
    OrchestratorClient,
    UiPathClientError,
    identity_token_url,
    legacy_token_url,
    orchestrator_base,
)

from .recorder import RecordingProxy, serve

__all__ = ["main", "plan", "proxied_environment"]

Action = Callable[[OrchestratorClient], object]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_cloud(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "uipath.com" or host.endswith(".uipath.com")


def routes_for(env: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """The main upstream (``UIPATH_URL``'s origin) and a route for every other origin the
    client talks to (``cloud.uipath.com`` identity for a platform URL, ``account.uipath.com``
    for a User Key)."""
    url = env["UIPATH_URL"]
    main = _origin(url)
    routes: list[tuple[str, str]] = []
    for target in (
        identity_token_url(url, env.get("UIPATH_IDENTITY_URL")),
        legacy_token_url(url, env.get("UIPATH_LEGACY_TOKEN_URL")),
    ):
        if _origin(target) != main:
            first = "/" + urlsplit(target).path.strip("/").split("/")[0] + "/"
            routes.append((first, _origin(target)))
    return main, routes


def proxied_environment(env: Mapping[str, str], proxy_origin: str) -> dict[str, str]:
    """The client's variables with every URL it derives moved onto the proxy."""
    url = env["UIPATH_URL"]

    def moved(target: str) -> str:
        return proxy_origin + urlsplit(target).path

    out = dict(env)
    out["UIPATH_URL"] = moved(url)
    out["UIPATH_ORCHESTRATOR_URL"] = moved(
        orchestrator_base(url, env.get("UIPATH_ORCHESTRATOR_URL"))
    )
    identity = identity_token_url(url, env.get("UIPATH_IDENTITY_URL"))
    out["UIPATH_IDENTITY_URL"] = moved(identity).removesuffix("/connect/token")
    out["UIPATH_LEGACY_TOKEN_URL"] = moved(
        legacy_token_url(url, env.get("UIPATH_LEGACY_TOKEN_URL"))
    )
    return out


_CREDENTIALS = {
    "client_credentials": ("UIPATH_CLIENT_ID", "UIPATH_CLIENT_SECRET"),
    "refresh_token": ("UIPATH_REFRESH_TOKEN",),
    "user_key": ("UIPATH_USER_KEY",),
    "password": ("UIPATH_USERNAME", "UIPATH_PASSWORD"),
}
_ALL_CREDENTIALS = {name for names in _CREDENTIALS.values() for name in names}


def plan(env: Mapping[str, str]) -> list[tuple[str, dict[str, str], list[Action]]]:
    """Which flows to run: ``(cassette name, the client's variables, actions)``."""
    base = {k: v for k, v in env.items() if k.startswith("UIPATH_") and k not in _ALL_CREDENTIALS}
    process = env.get("UIPATH_LIVE_PROCESS", "")
    flows = []
    for name, needed in _CREDENTIALS.items():
        if not all(env.get(n) for n in needed):
            continue
        if name == "password" and _is_cloud(env["UIPATH_URL"]):
            continue  # the errorCode 1000 trap: the client refuses it, nothing to record
        actions: list[Action] = [lambda c: c.list_processes()]
        if name == "refresh_token" and env.get("UIPATH_LIVE_LOGOUT") == "1":
            actions.append(lambda c: c.logout())
        flows.append((name, {**base, **{n: env[n] for n in needed}}, actions))
    if process and flows:
        name, variables, _ = flows[0]
        flows.append(
            ("start_job", variables, [lambda c: c.wait_for_job(c.start_job(process), timeout=600)])
        )
    return flows


def _switch(proxy: RecordingProxy, name: str) -> None:
    answer = httpx.post(f"{proxy.origin}/_record/cassette", json={"name": name}, timeout=10)
    answer.raise_for_status()


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    **seams: Any,
) -> int:
    """Record every flow ``plan`` picks; ``seams`` (``sleep``, ``clock``) are for tests."""
    parser = argparse.ArgumentParser(
        prog="python -m cassettes.live",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--cassette-dir", type=Path, default=Path("live-cassettes"))
    args = parser.parse_args(argv)
    env = dict(os.environ if environ is None else environ)
    if not env.get("UIPATH_URL"):
        parser.error("set UIPATH_URL (e.g. https://cloud.uipath.com/ORG/TENANT)")
    flows = plan(env)
    if not flows:
        parser.error("no credential in UIPATH_* (see the README, 'Record your tenant')")
    upstream, routes = routes_for(env)
    failed = 0
    with (
        tempfile.TemporaryDirectory() as scratch,
        serve(upstream, args.cassette_dir, name=flows[0][0], routes=routes) as proxy,
    ):
        for name, variables, actions in flows:
            _switch(proxy, name)
            proxied = proxied_environment(variables, proxy.origin)
            proxied["UIPATH_TOKEN_STORE"] = str(Path(scratch) / f"{name}.json")
            try:
                with OrchestratorClient.from_env(proxied, **seams) as client:
                    for action in actions:
                        action(client)
                print(f"{name}: recorded into {proxy.writer.path}")
            except UiPathClientError as error:
                failed += 1
                print(f"{name}: {type(error).__name__}: {error} (recorded as far as it went)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

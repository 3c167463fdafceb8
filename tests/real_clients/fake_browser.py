"""A scripted browser for ``uipath auth``: ``BROWSER=<wrapper> uipath auth``.

Usage: ``fake_browser.py REPORT_PATH AUTHORIZE_URL``. Python's ``webbrowser`` waits for a
``BROWSER`` command to exit, and the CLI starts its local page server only after that, so the
first invocation re-launches itself in the background and returns at once.

The background run does what a browser does with the CLI's login flow:

1. opens the authorize URL (the mock signs the default user in and redirects);
2. follows the redirect to the CLI's local page and reads the values the CLI wrote into its
   ``index.html`` (state, code verifier, redirect URI, client id, domain);
3. replays the page's JavaScript exactly: the code exchange ``fetch`` to
   ``{domain}/identity_/connect/token`` (form-encoded, with the page's ``Origin``, and the
   response unreadable unless CORS allows that origin, as in a browser), then ``POST /log``
   and ``POST /set_token`` with ``X-Auth-State``.

It writes what it saw to REPORT_PATH as JSON for the test to check.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

_VALUES = {
    "state": r'const state = "([^"]*)"',
    "code_verifier": r'const codeVerifier = "([^"]*)"',
    "redirect_uri": r"formData\.append\('redirect_uri', '([^']*)'\)",
    "client_id": r"formData\.append\('client_id', '([^']*)'\)",
    "domain": r"const domainOrUrl = '([^']*)'",
}


def _get_page(client: httpx.Client, url: str) -> httpx.Response:
    # The CLI opens its server just after the browser command returns: retry the connection
    # a bounded number of times (another process's socket; no clock is being waited out).
    for _ in range(200):
        try:
            return client.get(url)
        except httpx.ConnectError:
            threading.Event().wait(0.05)
    raise RuntimeError(f"the CLI's page never came up at {url}")


def browse(authorize_url: str, report: dict[str, Any]) -> None:
    report["authorize_url"] = authorize_url
    with httpx.Client(trust_env=False, timeout=30, follow_redirects=False) as client:
        authorize = client.get(authorize_url)
        report["authorize_status"] = authorize.status_code
        location = authorize.headers["location"]
        report["location"] = location
        page = _get_page(client, location)
        report["page_status"] = page.status_code
        values = {k: re.search(p, page.text).group(1) for k, p in _VALUES.items()}  # type: ignore[union-attr]
        report["page"] = values
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        if params.get("state") != values["state"]:
            raise RuntimeError("Invalid state parameter")
        base_url = values["redirect_uri"].replace("/oidc/login", "")
        parts = urlsplit(base_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        domain = values["domain"]
        token_url = (
            f"{domain}/identity_/connect/token"
            if domain.startswith("http")
            else f"https://{domain}.uipath.com/identity_/connect/token"
        )
        logs: list[dict[str, Any]] = [{"message": "Authentication started", "params": params}]
        token = client.post(
            token_url,
            data={
                "grant_type": "authorization_code",
                "code": params["code"],
                "redirect_uri": values["redirect_uri"],
                "client_id": values["client_id"],
                "code_verifier": values["code_verifier"],
            },
            headers={"Origin": origin},
        )
        report["token_status"] = token.status_code
        report["allow_origin"] = token.headers.get("access-control-allow-origin")
        if token.headers.get("access-control-allow-origin") not in (origin, "*"):
            raise RuntimeError("TypeError: Failed to fetch (blocked by CORS policy)")
        if not token.is_success:
            raise RuntimeError(f"Token request failed: {token.status_code} - {token.text}")
        state_header = {"X-Auth-State": values["state"]}
        report["log_status"] = client.post(
            f"{base_url}/log", headers=state_header, content=json.dumps(logs)
        ).status_code
        report["set_token_status"] = client.post(
            f"{base_url}/set_token", headers=state_header, content=token.text
        ).status_code


def _give_up(report: dict[str, Any]) -> None:
    """Unlike the real page (which leaves the CLI waiting forever), hand the CLI an empty token
    so that it stops with "Authentication failed" and the test fails fast."""
    page = report.get("page")
    if not page:
        return
    base_url = page["redirect_uri"].replace("/oidc/login", "")
    with httpx.Client(trust_env=False, timeout=10) as client:
        client.post(f"{base_url}/set_token", headers={"X-Auth-State": page["state"]}, content=b"{}")


def main() -> int:
    report_path, url = sys.argv[1], sys.argv[2]
    if os.environ.get("FAKE_BROWSER_CHILD") != "1":
        with open(report_path + ".log", "w") as log:
            subprocess.Popen(
                [sys.executable, __file__, report_path, url],
                env={**os.environ, "FAKE_BROWSER_CHILD": "1"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        return 0
    report: dict[str, Any] = {}
    try:
        browse(url, report)
    except Exception as exc:  # the test reads the report; a browser shows it on the page
        report["error"] = f"{type(exc).__name__}: {exc}"
    with open(report_path, "w") as out:
        json.dump(report, out)
    if "error" in report:
        _give_up(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Start one UiPath Orchestrator job, then exit: a job starter for cron. Standard library only.

Configured by UiPath's own environment variables (conformance/PROTOCOL.md lists them):

    UIPATH_URL            https://cloud.uipath.com/{org}/{tenant}  (on prem: https://host)
    UIPATH_CREDENTIAL     client_credentials | refresh_token | user_key | password
    UIPATH_CLIENT_ID, UIPATH_CLIENT_SECRET, UIPATH_SCOPE   (client_credentials)
    UIPATH_CLIENT_ID, UIPATH_REFRESH_TOKEN                  (refresh_token, identity server)
    UIPATH_CLIENT_ID, UIPATH_USER_KEY                       (user_key, legacy cloud)
    UIPATH_USERNAME, UIPATH_PASSWORD, UIPATH_TENANT         (password: on prem only)
    UIPATH_IDENTITY_URL, UIPATH_LEGACY_TOKEN_URL            (where tokens come from)
    UIPATH_PROCESS, UIPATH_FOLDER_PATH                      (what to start, and where)
    UIPATH_TOKEN_STORE    a file for the rotated refresh token (kept between runs)

What makes it survive month two with nobody logging in again:

* A rotating refresh token is used once. The new one is written to the token store (atomically,
  0600) *before* anything else happens, and the next run starts from the store, never from the
  configured token again (that one was consumed on day one).
* It never sends a password to the cloud (UiPath answers errorCode 1000 there): only on prem.
* Every run gets a fresh access token, so no run ever meets an expired one; an access token is
  sent to Orchestrator, never the id_token.
* StartJobs carries a unique ``Reference``. If its answer is lost (a dropped connection, a
  5xx), the job is looked up by that reference before trying again, so it never starts twice.
* A 429 is retried after its ``Retry-After``; every request has a timeout.
* Nothing secret is printed: errors name what failed, never a token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

TIMEOUT = float(os.environ.get("UIPATH_TIMEOUT", "20"))
ATTEMPTS = 3


class Failed(Exception):
    """Why this run could not start its job (printed as one line, then exit 1)."""


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        raise Failed(f"{name} is not set")
    return value


# -- HTTP ------------------------------------------------------------------------------------


def call(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str]
) -> tuple[int, dict]:
    """One request; (status, JSON body). Waits out a 429's Retry-After and tries again."""
    for attempt in range(ATTEMPTS):
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            payload = _json(error.read())
            if error.code == 429 and attempt + 1 < ATTEMPTS:
                time.sleep(min(float(error.headers.get("Retry-After") or 1), 30))
                continue
            return error.code, payload
    raise Failed(f"{method} {urllib.parse.urlsplit(url).path}: still rate-limited")


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}  # an HTML login page, say: never a token
    return value if isinstance(value, dict) else {"value": value}


def form(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return urllib.parse.urlencode(fields).encode(), {
        "Content-Type": "application/x-www-form-urlencoded"
    }


def as_json(data: dict) -> tuple[bytes, dict[str, str]]:
    return json.dumps(data).encode(), {"Content-Type": "application/json"}


def token_request(url: str, body: bytes, headers: dict[str, str]) -> dict:
    """POST to a token endpoint; retried on 5xx and lost connections (nothing was issued)."""
    for attempt in range(ATTEMPTS):
        try:
            status, answer = call("POST", url, body=body, headers=headers)
        except (urllib.error.URLError, OSError) as error:
            if attempt + 1 == ATTEMPTS:
                raise Failed(f"token endpoint unreachable: {type(error).__name__}") from None
            time.sleep(attempt + 1)
            continue
        if status >= 500 and attempt + 1 < ATTEMPTS:
            time.sleep(attempt + 1)
            continue
        if status != 200 or not isinstance(answer.get("access_token") or answer.get("result"), str):
            reason = answer.get("error") or answer.get("message") or f"HTTP {status}"
            raise Failed(f"no token: {reason}")
        return answer
    raise Failed("no token")


# -- the token store -------------------------------------------------------------------------


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def load_refresh_token(configured: str) -> str:
    """The newest refresh token: the store's, if it continues the configured one."""
    path = os.environ.get("UIPATH_TOKEN_STORE")
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
        if stored.get("configured") == _fingerprint(configured) and stored.get("refresh_token"):
            return str(stored["refresh_token"])
    return configured


def save_refresh_token(configured: str, newest: str) -> None:
    path = os.environ.get("UIPATH_TOKEN_STORE")
    if not path:
        raise Failed("UIPATH_TOKEN_STORE is not set: a rotated refresh token would be lost")
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".token-store-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"configured": _fingerprint(configured), "refresh_token": newest}, handle)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)  # atomic: a crash leaves the old store or the new, never half


# -- getting an access token -------------------------------------------------------------------


def access_token() -> str:
    credential = env("UIPATH_CREDENTIAL")
    if credential == "client_credentials":
        body, headers = form(
            {
                "grant_type": "client_credentials",
                "client_id": env("UIPATH_CLIENT_ID"),
                "client_secret": env("UIPATH_CLIENT_SECRET"),
                "scope": os.environ.get("UIPATH_SCOPE") or "OR.Jobs OR.Execution OR.Folders",
            }
        )
        return token_request(env("UIPATH_IDENTITY_URL") + "/connect/token", body, headers)[
            "access_token"
        ]
    if credential == "refresh_token":
        configured = env("UIPATH_REFRESH_TOKEN")
        body, headers = form(
            {
                "grant_type": "refresh_token",
                "client_id": env("UIPATH_CLIENT_ID"),
                "refresh_token": load_refresh_token(configured),
            }
        )
        answer = token_request(env("UIPATH_IDENTITY_URL") + "/connect/token", body, headers)
        if answer.get("refresh_token"):  # rotated: the one just sent is spent
            save_refresh_token(configured, answer["refresh_token"])
        return answer["access_token"]
    if credential == "user_key":  # the legacy cloud: the User Key never rotates
        body, headers = as_json(
            {
                "grant_type": "refresh_token",
                "client_id": env("UIPATH_CLIENT_ID"),
                "refresh_token": env("UIPATH_USER_KEY"),
            }
        )
        return token_request(env("UIPATH_LEGACY_TOKEN_URL"), body, headers)["access_token"]
    if credential == "password":
        if os.environ.get("UIPATH_PROFILE", "onprem") != "onprem":
            raise Failed("a password login only works on prem; configure an external application")
        body, headers = as_json(
            {
                "tenancyName": env("UIPATH_TENANT", "Default"),
                "usernameOrEmailAddress": env("UIPATH_USERNAME"),
                "password": env("UIPATH_PASSWORD"),
            }
        )
        return token_request(env("UIPATH_URL") + "/api/Account/Authenticate", body, headers)[
            "result"
        ]
    raise Failed(f"unknown UIPATH_CREDENTIAL {credential!r}")


# -- starting the job --------------------------------------------------------------------------


def orchestrator_url() -> str:
    base = env("UIPATH_URL").rstrip("/")
    on_prem = os.environ.get("UIPATH_PROFILE") == "onprem"
    return base if on_prem else base + "/orchestrator_"


def start_job(token: str) -> str:
    process, folder = env("UIPATH_PROCESS"), env("UIPATH_FOLDER_PATH", "Shared")
    headers = {
        "Authorization": f"Bearer {token}",
        # Base64 of UTF-16LE: works for any folder name ("Finance/Équipe" cannot go as plain text).
        "X-UIPATH-FolderPath-Encoded": base64.b64encode(folder.encode("utf-16-le")).decode(),
        "Content-Type": "application/json",
    }
    reference = f"cron-{uuid.uuid4()}"
    body = json.dumps(
        {"startInfo": {"ReleaseName": process, "JobsCount": 1, "Reference": reference}}
    ).encode()
    url = orchestrator_url() + "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs"
    for attempt in range(ATTEMPTS):
        try:
            status, answer = call("POST", url, body=body, headers=headers)
        except (urllib.error.URLError, OSError):
            status, answer = 0, {}
        if status == 201 and answer.get("value"):
            return str(answer["value"][0]["Key"])
        if status and status < 500:
            raise Failed(f"StartJobs refused: HTTP {status} {answer.get('message', '')}".strip())
        # No answer, or a 5xx: the job may have started anyway. Look before trying again.
        found = find_by_reference(reference, headers)
        if found:
            return found
        time.sleep(attempt + 1)
    raise Failed("StartJobs failed; no job was started")


def find_by_reference(reference: str, headers: dict[str, str]) -> str | None:
    query = urllib.parse.urlencode({"$filter": f"Reference eq '{reference}'", "$top": "1"})
    try:
        status, answer = call("GET", f"{orchestrator_url()}/odata/Jobs?{query}", headers=headers)
    except (urllib.error.URLError, OSError):
        return None
    jobs = answer.get("value") if status == 200 else None
    return str(jobs[0]["Key"]) if jobs else None


def main() -> int:
    try:
        key = start_job(access_token())
    except Failed as why:
        print(f"start_job: {why}", file=sys.stderr)
        return 1
    process, folder = os.environ.get("UIPATH_PROCESS"), os.environ.get("UIPATH_FOLDER_PATH")
    print(f"started job {key}: {process} in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

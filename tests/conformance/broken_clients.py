"""Deliberately broken clients: the proof that each rule of the suite can fail.

:class:`MiniClient` is a small, correct UiPath client (httpx, about 250 lines) that passes every
rule on every profile. Each subclass below breaks exactly one habit -- never refreshing, looping
on 401, reusing a consumed refresh token, logging its token... -- and the tests assert which
rules then fail (``BROKEN`` maps each to the rule it is built to fail).

These are test fixtures, not examples to copy; the reference client is ``client_under_test``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import sys
import threading
import unicodedata
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from conformance import ClientEnv, NotSupported

log = logging.getLogger("tests.conformance.mini_client")
#: A stream bound at import, as a module that keeps ``_ERR = sys.stderr`` would: swapping
#: ``sys.stderr`` later does not reach it; only capturing file descriptor 2 does.
_BOUND_AT_IMPORT = sys.__stderr__


class TokenError(Exception):
    """The token endpoint did not give a token."""


class ReauthenticationRequired(TokenError):
    """invalid_grant: the credential is dead; a human must provide a new one."""


class ApiError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: {response.text[:200]}"
        )
        self.status_code = response.status_code


def _jwt_claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]
    except (IndexError, ValueError):
        return {}


class MiniClient:
    """A correct client in miniature. Class attributes are the habits subclasses break."""

    timeout: float | None = 30.0
    follow_redirects = False
    max_tries = 4
    max_replays_on_401 = 1
    retry_5xx = True
    retry_dropped = True
    retry_post = False
    persist = True
    single_flight = True
    proactive = True
    poll_by_list = False
    invalid_grant_retries = 0

    def __init__(self, env: ClientEnv) -> None:
        if env.credential == "password" and env.profile != "onprem":
            self.refuse_cloud_password(env)
        self.env = env
        # A correct client takes the timeout it is configured with (UIPATH_TIMEOUT as a
        # command); NoTimeout keeps its None whatever it is told.
        timeout = self.timeout if self.timeout is None else env.extra.get("timeout", self.timeout)
        self.http = httpx.Client(
            transport=env.transport,
            timeout=timeout,
            follow_redirects=self.follow_redirects,
            headers={"Accept": "application/json"},
        )
        self.clock, self.sleep = env.clock, env.sleep
        self.lock: Any = threading.Lock() if self.single_flight else contextlib.nullcontext()
        self.access: str | None = None
        self.fetched_at = 0.0
        self.expires_at = 0.0
        self.margin = 60.0
        self.refresh_token = env.refresh_token or env.user_key
        self.dead: TokenError | None = None
        self.job_ids: dict[str, int] = {}
        self.load_store()
        base = env.url.rstrip("/")
        self.orchestrator = base + "/orchestrator_" if env.profile == "identity" else base

    def refuse_cloud_password(self, env: ClientEnv) -> None:
        raise NotSupported("username/password does not work on the cloud (errorCode 1000)")

    # -- token store ----------------------------------------------------------------------

    def load_store(self) -> None:
        path = self.env.token_store
        if self.persist and path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.refresh_token = json.load(f).get("refresh_token") or self.refresh_token

    def save_store(self) -> None:
        path = self.env.token_store
        if self.persist and path and self.refresh_token:
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump({"refresh_token": self.refresh_token}, f)
            os.replace(path + ".tmp", path)

    # -- tokens ---------------------------------------------------------------------------

    def token(self, stale: str | None = None) -> str:
        with self.lock:
            if self.dead is not None:
                raise self.dead
            fresh = self.access is not None and self.access != stale
            if fresh and (self.clock() < self.expires_at - (self.margin if self.proactive else 0)):
                return self.access  # type: ignore[return-value]
            if stale is not None and self.access != stale and self.access is not None:
                return self.access
            return self.fetch_token()

    def fetch_token(self) -> str:
        env = self.env
        tries = 1 + self.invalid_grant_retries
        for attempt in range(tries):
            try:
                body = self.token_response(self.token_request(env))
                break
            except ReauthenticationRequired as exc:
                if attempt == tries - 1:
                    self.dead = exc
                    raise
        self.access = self.bearer_from(body)
        lifetime = self.lifetime_of(body)
        self.fetched_at = self.clock()
        self.expires_at = self.fetched_at + lifetime
        # The reference client's margin, never more than half the lifetime.
        self.margin = min(max(60.0, lifetime / 10), lifetime / 2)
        self.keep_refresh_token(body)
        log.debug("got a token for %s, valid %.0f s", env.credential, lifetime)
        return self.access

    def lifetime_of(self, body: dict[str, Any]) -> float:
        """``expires_in`` (seconds), else the JWT's ``exp - iat``, else 30 minutes."""
        claims = _jwt_claims(body["access_token"])
        return float(body.get("expires_in") or claims.get("exp", 0) - claims.get("iat", 0) or 1800)

    def bearer_from(self, body: dict[str, Any]) -> str:
        return str(body["access_token"])

    def keep_refresh_token(self, body: dict[str, Any]) -> None:
        if body.get("refresh_token"):
            self.refresh_token = body["refresh_token"]
            self.save_store()

    def token_request(self, env: ClientEnv) -> httpx.Response:
        cred = env.credential
        if cred == "user_key":
            return self.http.post(
                env.legacy_token_url or "",
                json={
                    "grant_type": "refresh_token",
                    "client_id": env.client_id,
                    "refresh_token": self.refresh_token,
                },
            )
        if cred == "password":
            return self.http.post(
                env.url.rstrip("/") + "/api/Account/Authenticate",
                json={
                    "tenancyName": env.tenant,
                    "usernameOrEmailAddress": env.username,
                    "password": env.password,
                },
            )
        form = {"grant_type": cred, "client_id": env.client_id or ""}
        if cred == "client_credentials":
            form.update(client_secret=env.client_secret or "", scope=env.scopes or "")
        else:
            form["refresh_token"] = self.refresh_token or ""
        return self.http.post(f"{env.identity_url}/connect/token", data=form)

    def token_response(self, response: httpx.Response) -> dict[str, Any]:
        kind = response.headers.get("content-type", "")
        if response.status_code != 200 or "json" not in kind:
            try:
                error = response.json().get("error")
            except ValueError:
                error = None
            if error == "invalid_grant":
                raise ReauthenticationRequired(
                    "the refresh token was refused (invalid_grant); log in again to get a new one"
                )
            raise TokenError(f"the token endpoint answered {response.status_code} {kind}")
        body = response.json()
        if "result" in body and "access_token" not in body:
            body = {"access_token": body["result"]}
        return body  # type: ignore[no-any-return]

    # -- Orchestrator ---------------------------------------------------------------------

    def folder_headers(self, folder: str) -> dict[str, str]:
        encoded = base64.b64encode(folder.encode("utf-16-le")).decode("ascii")
        return {"X-UIPATH-FolderPath-Encoded": encoded}

    def extra_headers(self) -> dict[str, str]:
        return {}

    def wait_for(self, response: httpx.Response, attempt: int) -> float:
        value = response.headers.get("retry-after")
        if value:
            if value.strip().isdigit():
                return float(value)
            with contextlib.suppress(TypeError, ValueError):
                return max(0.0, parsedate_to_datetime(value).timestamp() - self.clock())
        return 0.5 * 2**attempt

    def send(self, method: str, path: str, folder: str, **kwargs: Any) -> httpx.Response:
        idempotent = method == "GET"
        stale: str | None = None
        replays = 0
        attempt = 0
        while True:
            token = self.token(stale)
            headers = {
                "Authorization": f"Bearer {token}",
                **self.folder_headers(folder),
                **self.extra_headers(),
            }
            try:
                response = self.http.request(
                    method, self.orchestrator + path, headers=headers, **kwargs
                )
            except httpx.TransportError:
                attempt += 1
                retry = self.retry_dropped and (idempotent or self.retry_post)
                if retry and attempt < self.max_tries:
                    self.sleep(0.5 * 2**attempt)
                    continue
                raise
            status = response.status_code
            if status == 401 and replays < self.max_replays_on_401:
                replays += 1
                stale = token
                continue
            retryable = status == 429 or (
                status in (502, 503, 504) and self.retry_5xx and (idempotent or self.retry_post)
            )
            attempt += 1
            if retryable and attempt < self.max_tries:
                self.sleep(self.wait_for(response, attempt))
                continue
            if status >= 400:
                raise ApiError(response)
            return response

    def start_job(
        self, process: str, folder: str, input_arguments: dict[str, Any] | None = None
    ) -> str:
        releases = self.send(
            "GET", "/odata/Releases", folder, params={"$filter": f"Name eq '{process}'"}
        ).json()["value"]
        if not releases:
            raise LookupError(f"no process {process!r} in {folder!r}")
        info = {
            "ReleaseKey": releases[0]["Key"],
            "Strategy": "ModernJobsCount",
            "JobsCount": 1,
            "InputArguments": self.arguments(input_arguments or {}),
        }
        job = self.send(
            "POST",
            "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
            folder,
            json={"startInfo": info},
        ).json()["value"][0]
        self.job_ids[job["Key"]] = job["Id"]
        log.debug("started job %s in %s", job["Key"], folder)
        return str(job["Key"])

    def arguments(self, values: dict[str, Any]) -> Any:
        return json.dumps(values)

    def get_job_state(self, job_key: str, folder: str) -> str:
        if self.poll_by_list:
            found = self.send(
                "GET", "/odata/Jobs", folder, params={"$filter": f"Key eq {job_key}"}
            ).json()["value"]
            return str(found[0]["State"])
        job_id = self.job_ids.get(job_key)
        path = (
            f"/odata/Jobs({job_id})"
            if job_id is not None
            else f"/odata/Jobs/UiPath.Server.Configuration.OData.GetByKey(identifier={job_key})"
        )
        return str(self.send("GET", path, folder).json()["State"])

    def close(self) -> None:
        self.http.close()


# -- the broken ones --------------------------------------------------------------------------


class OpensBrowserLogin(MiniClient):
    """Sends its user to the interactive authorize page before using its credential."""

    def fetch_token(self) -> str:
        env = self.env
        page = (
            f"{env.identity_url}/connect/authorize"
            if env.identity_url
            else (env.legacy_token_url or "").replace("/oauth/token", "/authorize")
        )
        self.http.get(
            page,
            params={
                "response_type": "code",
                "client_id": env.client_id or "",
                "redirect_uri": "http://localhost:8104/oidc/login",
                "scope": "openid offline_access",
            },
        )
        return super().fetch_token()


class NeverRefreshes(MiniClient):
    """Keeps its first token forever, and a 401 is just an error."""

    max_replays_on_401 = 0

    def token(self, stale: str | None = None) -> str:
        with self.lock:
            return self.access or self.fetch_token()


class ReactiveOnly(MiniClient):
    """Refreshes at the exact expiry instead of a margin before it."""

    proactive = False


class LoopsOn401(MiniClient):
    """Refreshes and replays on every 401, up to 20 times."""

    max_replays_on_401 = 20


class ReusesConsumedRefreshToken(MiniClient):
    """Always presents the configured refresh token, ignoring the rotated one."""

    def keep_refresh_token(self, body: dict[str, Any]) -> None:
        pass


class DropsKeptRefreshToken(MiniClient):
    """Takes whatever the refresh response says, even no refresh_token at all."""

    def keep_refresh_token(self, body: dict[str, Any]) -> None:
        self.refresh_token = body.get("refresh_token")
        self.save_store()


class NoPersistence(MiniClient):
    """Rotates in memory only: a restart starts from the consumed configured token."""

    persist = False


class HammersInvalidGrant(MiniClient):
    """Retries a refused refresh five more times."""

    invalid_grant_retries = 5


class NoSingleFlight(MiniClient):
    """No lock around the refresh: concurrent callers each refresh."""

    single_flight = False


class LogsItsToken(MiniClient):
    """Logs the bearer token at DEBUG ("for troubleshooting")."""

    def fetch_token(self) -> str:
        token = super().fetch_token()
        log.debug("using token %s", token)
        return token


class PasswordGrantOnPrem(MiniClient):
    """On prem, tries the OAuth password grant at /identity instead of /api/Account/Authenticate."""

    def token_request(self, env: ClientEnv) -> httpx.Response:
        if env.credential != "password":
            return super().token_request(env)
        return self.http.post(
            env.url.rstrip("/") + "/identity/connect/token",
            data={
                "grant_type": "password",
                "client_id": "orchestrator",
                "username": env.username or "",
                "password": env.password or "",
            },
        )


class PasswordOnCloud(MiniClient):
    """Sends username/password to /api/Account/Authenticate on the cloud too."""

    def refuse_cloud_password(self, env: ClientEnv) -> None:
        pass


class IdTokenToOrchestrator(MiniClient):
    """Sends the id_token (when there is one) as the bearer to Orchestrator."""

    def bearer_from(self, body: dict[str, Any]) -> str:
        return str(body.get("id_token") or body["access_token"])


class AcceptsHtmlToken(MiniClient):
    """Follows redirects, and takes a non-JSON token answer's text for the token."""

    follow_redirects = True

    def token_response(self, response: httpx.Response) -> dict[str, Any]:
        if "json" not in response.headers.get("content-type", ""):
            return {"access_token": response.text.strip()[:80] or "token", "expires_in": 3600}
        return super().token_response(response)


class TakesHtmlForToken(AcceptsHtmlToken):
    """Does not follow the redirect, but takes whatever text the token endpoint answered (the
    302's body, the HTML page) for a token, and sends it to Orchestrator."""

    follow_redirects = False


class DisplayNameTenant(MiniClient):
    """Sends X-UIPATH-TenantName with the tenant's display name."""

    def extra_headers(self) -> dict[str, str]:
        name = self.env.tenant_display_name
        return {"X-UIPATH-TenantName": name} if name and self.env.profile != "onprem" else {}


class NoFolderHeaderForUnicode(MiniClient):
    """Leaves the folder header out when the path is not ASCII ("it would not encode")."""

    def folder_headers(self, folder: str) -> dict[str, str]:
        return {"X-UIPATH-FolderPath": folder} if folder.isascii() else {}


class InputArgumentsAsObject(MiniClient):
    """Sends InputArguments as a JSON object instead of a JSON string."""

    def arguments(self, values: dict[str, Any]) -> Any:
        return values if values else "{}"


class PollsWithLists(MiniClient):
    """Polls a job with GET /odata/Jobs?$filter=Key eq ... (a rate-limited list)."""

    poll_by_list = True


class ResendsStartJobs(MiniClient):
    """Retries a StartJobs that failed with a 5xx or a dropped connection."""

    retry_post = True


class IgnoresRetryAfter(MiniClient):
    """Retries a 429 after its own 0.5 s backoff, whatever Retry-After says."""

    def wait_for(self, response: httpx.Response, attempt: int) -> float:
        return 0.5


class FixedSecondBackoff(MiniClient):
    """Sleeps one second after any 429 or 5xx, whatever Retry-After says: as a command it
    meets a Retry-After of 1 by chance, never one of 2."""

    def wait_for(self, response: httpx.Response, attempt: int) -> float:
        return 1.0


class No5xxRetry(MiniClient):
    """Treats 502/503/504 on a GET as final."""

    retry_5xx = False


class NoTimeout(MiniClient):
    """httpx.Client(timeout=None): a stalled server hangs it forever."""

    timeout = None


class NoTimeoutNoRetry(NoTimeout):
    """No read timeout, and a dropped connection ends the operation: as a command it waits on
    a stalled answer until the server hangs up, then fails as if it had timed out (Python's
    ``requests`` without ``timeout=``)."""

    retry_dropped = False


# -- issue 9: the holes, and the checks no test could kill -----------------------------------


class LogsClientSecret(MiniClient):
    """Logs its client credentials at DEBUG when it asks for a token ("for troubleshooting")."""

    def token_request(self, env: ClientEnv) -> httpx.Response:
        if env.credential == "client_credentials":
            log.debug("token request for %s with secret %s", env.client_id, env.client_secret)
        return super().token_request(env)


class SecretInTokenQuery(MiniClient):
    """Sends the client secret in the token URL's query string as well as in the form."""

    def token_request(self, env: ClientEnv) -> httpx.Response:
        if env.credential != "client_credentials":
            return super().token_request(env)
        form = {
            "grant_type": "client_credentials",
            "client_id": env.client_id or "",
            "client_secret": env.client_secret or "",
            "scope": env.scopes or "",
        }
        return self.http.post(
            f"{env.identity_url}/connect/token",
            params={"client_id": env.client_id or "", "client_secret": env.client_secret or ""},
            data=form,
        )


class WritesTokenToFd2(MiniClient):
    """Writes its token straight to file descriptor 2 (as a C library or a debug print would)."""

    def fetch_token(self) -> str:
        token = super().fetch_token()
        os.write(2, f"debug: bearer {token}\n".encode())
        return token


class WritesToStreamBoundAtImport(MiniClient):
    """Writes its refresh token to a stream it bound at import time (the real stderr)."""

    def keep_refresh_token(self, body: dict[str, Any]) -> None:
        super().keep_refresh_token(body)
        if _BOUND_AT_IMPORT is not None and self.refresh_token:
            _BOUND_AT_IMPORT.write(f"kept refresh token {self.refresh_token}\n")
            _BOUND_AT_IMPORT.flush()


class ReprShowsToken(MiniClient):
    """A ``repr`` that shows its state, the access token included."""

    def __repr__(self) -> str:
        return f"ReprShowsToken(url={self.env.url!r}, access={self.access!r})"


class PasswordGrantOnCloud(MiniClient):
    """On the cloud, sends username/password to the OAuth token endpoint (grant_type=password)
    instead of refusing: not /api/Account/Authenticate, but the password all the same."""

    def refuse_cloud_password(self, env: ClientEnv) -> None:
        pass

    def token_request(self, env: ClientEnv) -> httpx.Response:
        if env.credential != "password" or env.profile == "onprem":
            return super().token_request(env)
        url = f"{env.identity_url}/connect/token" if env.identity_url else env.legacy_token_url
        return self.http.post(
            url or "",
            data={
                "grant_type": "password",
                "client_id": env.client_id or "UiPath",
                "username": env.username or "",
                "password": env.password or "",
            },
        )


class RefusesAfterSending(MiniClient):
    """Asks Orchestrator for its status (a request) before it refuses a password on the cloud."""

    def refuse_cloud_password(self, env: ClientEnv) -> None:
        with httpx.Client(transport=env.transport, timeout=5) as http:
            http.get(env.url.rstrip("/") + "/orchestrator_/api/status")
        super().refuse_cloud_password(env)


class RawNonAsciiFolderPath(MiniClient):
    """Sends a non-ASCII folder path as raw UTF-8 bytes in X-UIPATH-FolderPath."""

    def folder_headers(self, folder: str) -> dict[str, str]:
        if folder.isascii():
            return super().folder_headers(folder)
        return {"X-UIPATH-FolderPath": folder.encode("utf-8")}  # type: ignore[dict-item]


class AsciiFoldsFolderPath(MiniClient):
    """Strips the accents off a folder path to fit a plain header ("Faturacao"): Orchestrator
    knows no such folder (errorCode 1100)."""

    def folder_headers(self, folder: str) -> dict[str, str]:
        if folder.isascii():
            return super().folder_headers(folder)
        folded = unicodedata.normalize("NFKD", folder).encode("ascii", "ignore").decode()
        return {"X-UIPATH-FolderPath": folded}


class RefreshesEveryFewSeconds(MiniClient):
    """Refreshes whenever its token is older than five seconds, whatever its lifetime."""

    def token(self, stale: str | None = None) -> str:
        with self.lock:
            if self.access is not None and self.clock() - self.fetched_at > 5:
                self.access = None
        return super().token(stale)


class ExpiresInMilliseconds(MiniClient):
    """Reads ``expires_in`` as milliseconds: a 3600 s token looks like it lives 3.6 s."""

    def lifetime_of(self, body: dict[str, Any]) -> float:
        return super().lifetime_of(body) / 1000


class RefreshesOnEveryStart(MiniClient):
    """Fetches a new token for every start_job ("to be safe"), whatever the one it holds."""

    def start_job(
        self, process: str, folder: str, input_arguments: dict[str, Any] | None = None
    ) -> str:
        with self.lock:
            if self.access is not None:
                self.fetch_token()
        return super().start_job(process, folder, input_arguments)


class Chatty(MiniClient):
    """Writes megabytes to stderr as it starts: 20,000 lines of noise, then one 2 MB line with
    its client secret in the middle (a command client only: the suite must stay bounded)."""

    def __init__(self, env: ClientEnv) -> None:
        super().__init__(env)
        noise = "x" * 100
        for index in range(20_000):
            sys.stderr.write(f"{index} {noise}\n")
        if env.client_secret:
            half = "y" * 1_000_000
            sys.stderr.write(f"{half} secret={env.client_secret} {half}\n")
        sys.stderr.flush()


# -- clients that never work: no rule may pass by their silence ------------------------------


class SaysNoToEverything(MiniClient):
    """Answers every operation with an error of its own, without sending a request. The only
    thing it ever gets right is refusing a password on the cloud."""

    def refuse_cloud_password(self, env: ClientEnv) -> None:
        pass

    def start_job(
        self, process: str, folder: str, input_arguments: dict[str, Any] | None = None
    ) -> str:
        raise ValueError("this client does nothing")

    def get_job_state(self, job_key: str, folder: str) -> str:
        raise ValueError("this client does nothing")


class CrashesOnEveryCall(SaysNoToEverything):
    """A programming error on every operation (``AttributeError``): judged ``error``, never a
    refusal."""

    def start_job(
        self, process: str, folder: str, input_arguments: dict[str, Any] | None = None
    ) -> str:
        return str(self.no_such_attribute)  # type: ignore[attr-defined]

    def get_job_state(self, job_key: str, folder: str) -> str:
        return str(self.no_such_attribute)  # type: ignore[attr-defined]


class ExitsOnPoll(MiniClient):
    """Works until it is asked for a job's state, then dies on the spot (exit status 7): as a
    command, the client stops in the first check that polls, and every later check is not run."""

    def get_job_state(self, job_key: str, folder: str) -> str:
        os._exit(7)


#: Each broken client and the rule it is built to fail.
BROKEN: dict[type[MiniClient], str] = {
    OpensBrowserLogin: "token-acquire-unattended",
    NeverRefreshes: "token-refresh-after-expiry",
    ReactiveOnly: "token-refresh-proactive",
    LoopsOn401: "token-retry-once-on-401",
    ReusesConsumedRefreshToken: "token-rotation-followed",
    DropsKeptRefreshToken: "token-rotation-absent-keeps-old",
    NoPersistence: "token-rotation-persisted",
    HammersInvalidGrant: "token-invalid-grant-terminal",
    NoSingleFlight: "token-single-flight",
    LogsItsToken: "token-secrets-not-logged",
    PasswordOnCloud: "login-no-password-on-cloud",
    PasswordGrantOnPrem: "login-password-on-prem",
    IdTokenToOrchestrator: "token-access-not-id",
    AcceptsHtmlToken: "token-html-is-failure",
    TakesHtmlForToken: "token-html-is-failure",
    DisplayNameTenant: "tenant-logical-name",
    NoFolderHeaderForUnicode: "folder-context-sent",
    InputArgumentsAsObject: "jobs-start-by-release",
    PollsWithLists: "jobs-poll-by-id",
    ResendsStartJobs: "jobs-start-not-duplicated",
    IgnoresRetryAfter: "http-429-retry-after",
    FixedSecondBackoff: "http-429-retry-after",
    No5xxRetry: "http-5xx-idempotent-retry",
    NoTimeout: "http-timeout-set",
    NoTimeoutNoRetry: "http-timeout-set",
    LogsClientSecret: "token-secrets-not-logged",
    SecretInTokenQuery: "token-secrets-not-logged",
    WritesTokenToFd2: "token-secrets-not-logged",
    WritesToStreamBoundAtImport: "token-secrets-not-logged",
    ReprShowsToken: "token-secrets-not-logged",
    PasswordGrantOnCloud: "login-no-password-on-cloud",
    RefusesAfterSending: "login-no-password-on-cloud",
    RawNonAsciiFolderPath: "folder-context-sent",
    AsciiFoldsFolderPath: "folder-context-sent",
    RefreshesEveryFewSeconds: "token-refresh-economy",
    ExpiresInMilliseconds: "token-refresh-economy",
    RefreshesOnEveryStart: "token-refresh-economy",
}

#: Which check of its rule each broken client trips: a fragment of the failure message, so
#: that deleting any one check inside a rule turns a test red.
CHECKS: dict[type[MiniClient], str] = {
    OpensBrowserLogin: "interactive authorize endpoint",
    NeverRefreshes: "token lifetime passed, start_job failed",
    ReactiveOnly: "waited for the exact expiry",
    LoopsOn401: "a second 401 must end the operation",
    ReusesConsumedRefreshToken: "consumed",
    DropsKeptRefreshToken: "did not present the User Key",
    NoPersistence: "was not persisted to the token store",
    HammersInvalidGrant: "invalid_grant is terminal",
    NoSingleFlight: "8 concurrent operations at expiry caused",
    LogsItsToken: "an access token in log: ",
    PasswordOnCloud: "carried the password",
    PasswordGrantOnPrem: "start_job with a username/password login failed",
    IdTokenToOrchestrator: "carried the id_token instead of the access token",
    AcceptsHtmlToken: "followed the token endpoint's redirect",
    TakesHtmlForToken: "for a token and sent it to Orchestrator",
    DisplayNameTenant: "by its display name",
    NoFolderHeaderForUnicode: "carried no folder header",
    InputArgumentsAsObject: "InputArguments must be a JSON string",
    PollsWithLists: "filtered list",
    ResendsStartJobs: "StartJobs was sent again",
    IgnoresRetryAfter: "after a 429 that said Retry-After",
    FixedSecondBackoff: "after a 429 that said Retry-After",
    No5xxRetry: "was not retried",
    NoTimeout: "had no read timeout",
    NoTimeoutNoRetry: "had no read timeout",
    LogsClientSecret: "the client secret in log: ",
    SecretInTokenQuery: "the client secret in a request line: POST ",
    WritesTokenToFd2: "an access token in fd2: debug: bearer ***(",
    WritesToStreamBoundAtImport: " in fd2: kept refresh token ***(",
    ReprShowsToken: "an access token in an object's repr/str: ReprShowsToken(",
    PasswordGrantOnCloud: "carried the password (first: POST ",
    RefusesAfterSending: "sent requests while refusing",
    RawNonAsciiFolderPath: "went as raw bytes in X-UIPATH-FolderPath",
    AsciiFoldsFolderPath: "refused the folder context (errorCode 1100/1101)",
    RefreshesEveryFewSeconds: "a refresh storm",
    ExpiresInMilliseconds: "a refresh storm",
    RefreshesOnEveryStart: "a refresh storm",
}


def factory(cls: type[MiniClient]) -> Any:
    """``factory(env) -> ClientAdapter`` for one of the clients above."""

    def make(env: ClientEnv) -> MiniClient:
        return cls(env)

    make.__qualname__ = f"factory({cls.__name__})"
    return make


#: ``tests.conformance.broken_clients:make_mini`` for the CLI and the plugin's --uipath-client.
make_mini = factory(MiniClient)
make_never_refreshes = factory(NeverRefreshes)
make_reactive_only = factory(ReactiveOnly)
make_logs_its_token = factory(LogsItsToken)
factory_accepts_html = factory(AcceptsHtmlToken)


def factory_cloud_only(env: ClientEnv) -> MiniClient:
    """A client for the cloud profiles only: on prem it says NotSupported (not applicable)."""
    if env.profile == "onprem":
        raise NotSupported("this client serves the cloud only")
    return MiniClient(env)

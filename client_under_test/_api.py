"""The Orchestrator API, written once as generators of effects (see ``_sansio``).

Each public operation of the sync and async clients is one generator here. Wire facts cite
docs/wire.md (§) with their confidence tags.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._errors import (
    AuthenticationError,
    JobWaitTimeout,
    OrchestratorAPIError,
    UnexpectedResponse,
)
from ._http import parsed_url
from ._sansio import RetryPolicy, Sleep, Steps, delay_for, is_retryable, send_with_retry
from ._tokenauth import TokenAuth

__all__ = ["TERMINAL_STATES", "Api", "Folder", "FolderRef", "Job", "Process", "folder_headers"]

log = logging.getLogger("client_under_test")

#: A folder by path (str), id (int, X-UIPATH-OrganizationUnitId) or key (uuid.UUID).
FolderRef = str | int | uuid.UUID | None

#: States after which a job never changes again [I] §6.10.
TERMINAL_STATES = frozenset({"Successful", "Faulted", "Stopped"})


@dataclass(frozen=True)
class Folder:
    id: int
    key: str
    fully_qualified_name: str
    display_name: str
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class Process:
    """A release (what the UI calls a process): ``key`` is what StartJobs takes."""

    id: int
    key: str
    name: str
    process_key: str
    process_version: str | None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class Job:
    id: int
    key: str
    state: str
    info: str | None = None
    output_arguments: str | None = None
    reference: str | None = None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        """A job from Orchestrator's JSON; :class:`UnexpectedResponse` when it is no job."""
        data = _entity(data, "job")
        return cls(
            id=_entity_id(data, "job"),
            key=str(data.get("Key")),
            state=str(data.get("State")),
            info=data.get("Info"),
            output_arguments=data.get("OutputArguments"),
            reference=data.get("Reference"),
            raw=data,
        )


def folder_headers(folder: FolderRef) -> dict[str, str]:
    """The folder header for ``folder`` [V] §5.2; a non-ASCII path goes Base64(UTF-16LE)."""
    if folder is None:
        return {}
    if isinstance(folder, bool):
        raise TypeError("folder must be a path, an id or a uuid.UUID key")
    if isinstance(folder, int):
        return {"X-UIPATH-OrganizationUnitId": str(folder)}
    if isinstance(folder, uuid.UUID):
        return {"X-UIPATH-FolderKey": str(folder)}
    if folder.isascii():
        return {"X-UIPATH-FolderPath": folder}
    encoded = base64.b64encode(folder.encode("utf-16-le")).decode("ascii")
    return {"X-UIPATH-FolderPath-Encoded": encoded}


def odata_quote(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


class Api:
    """State shared by the operations (base URL, auth, retry policy) and the operations."""

    def __init__(
        self,
        base_url: str,
        auth: TokenAuth,
        *,
        clock: Callable[[], float],
        retry: RetryPolicy,
        timeout: httpx.Timeout,
        folder: FolderRef = None,
        url: str | None = None,
        poll_initial: float = 5.0,
        poll_factor: float = 2.0,
        poll_max: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = (url or base_url).rstrip("/")
        self.auth = auth
        self.clock = clock
        self.retry = retry
        self.timeout = timeout
        self.folder = folder
        self.poll_initial = poll_initial
        self.poll_factor = poll_factor
        self.poll_max = poll_max
        self._release_keys: dict[tuple[str, str], str] = {}

    # -- plumbing ---------------------------------------------------------------------------

    def url_for(self, path: str) -> httpx.URL:
        """``path`` under the base URL, parsed once (see ``_http.parsed_url``)."""
        return parsed_url(f"{self.base_url}/{path}")

    def build(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        folder: FolderRef = None,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> httpx.Request:
        headers = {"Accept": "application/json", **folder_headers(folder)}
        kwargs: dict[str, Any] = {}
        if json_body is not None:
            kwargs["json"] = json_body
        request = httpx.Request(method, url, params=params, headers=headers, **kwargs)
        request.extensions["timeout"] = self.timeout.as_dict()
        return request

    def call(
        self,
        method: str,
        path: str,
        *,
        folder: FolderRef = None,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        expect: tuple[int, ...] = (200,),
        auth: httpx.Auth | None = None,
        absolute: bool = False,
    ) -> Steps[Any]:
        """Send with retries (GETs idempotent) and return the JSON body, or raise."""
        url = path if absolute else self.url_for(path)
        request = self.build(method, url, folder=folder, params=params, json_body=json_body)
        response = yield from send_with_retry(
            request, self.retry, self.clock, idempotent=method == "GET", auth=auth
        )
        return self.parse(response, expect)

    def parse(self, response: httpx.Response, expect: tuple[int, ...]) -> Any:
        request = response.request
        status = response.status_code
        log.debug("%s %s -> %s", request.method, request.url.path, status)
        if 300 <= status < 400:
            raise UnexpectedResponse(
                f"{request.method} {request.url.path} was redirected ({status}) to "
                f"{response.headers.get('location', '?')}: a login page, not the API. Check "
                "UIPATH_URL and the credential.",
                status_code=status,
            )
        if status == 401:
            why = (
                "Orchestrator refused a freshly refreshed token"
                if self.auth.refreshable
                else "Orchestrator refused the token, which cannot be refreshed (make a new one)"
            )
            raise AuthenticationError(
                f"{request.method} {request.url.path}: 401 {_message(response) or ''}".rstrip()
                + f". {why}: check that the credential may use this tenant (UIPATH_URL's "
                "organization and tenant, by logical name) and its scopes."
            )
        if status == 204 or (status in expect and not response.content):
            return None
        ctype = response.headers.get("content-type", "").lower()
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = _NOT_JSON
        if status in expect:
            if body is _NOT_JSON or "html" in ctype:
                kind = "an HTML page" if "html" in ctype else "a body that is not JSON"
                raise UnexpectedResponse(
                    f"{request.method} {request.url.path} answered {status} with {kind} "
                    "(a login page or a proxy?)",
                    status_code=status,
                )
            return body
        if "html" in ctype:
            raise UnexpectedResponse(
                f"{request.method} {request.url.path} answered {status} with an HTML page "
                "(a login page or a proxy?)",
                status_code=status,
            )
        envelope = body if isinstance(body, dict) else {}
        code = envelope.get("errorCode")
        raise OrchestratorAPIError(
            status,
            str(envelope.get("message") or response.reason_phrase or "no message"),
            error_code=code if isinstance(code, int) else None,
            trace_id=envelope.get("traceId"),
            method=request.method,
            path=request.url.path,
        )

    def new_reference(self) -> str:
        # From the policy's (seedable) random source, so tests are reproducible.
        return str(uuid.UUID(int=self.retry.rng.getrandbits(128), version=4))

    # -- folders and processes ---------------------------------------------------------------

    def get_folder(self, folder: FolderRef) -> Steps[Folder]:
        """A folder by path, id or key (``GET odata/Folders?$filter=...`` [V] §6.2)."""
        folder = self.folder if folder is None else folder
        if isinstance(folder, int) and not isinstance(folder, bool):
            flt = f"Id eq {folder}"
        elif isinstance(folder, uuid.UUID):
            flt = f"Key eq {folder}"
        elif isinstance(folder, str):
            flt = f"FullyQualifiedName eq {odata_quote(folder)}"
        else:
            raise TypeError("get_folder needs a folder path, id or uuid.UUID key")
        body = yield from self.call("GET", "odata/Folders", params={"$filter": flt})
        found = _values(body, "odata/Folders")
        if not found:
            raise OrchestratorAPIError(
                404,
                f"Folder {folder!r} does not exist or is not visible to this credential.",
                error_code=1100,
                method="GET",
                path="odata/Folders",
            )
        data = _entity(found[0], "folder")
        return Folder(
            id=_entity_id(data, "folder"),
            key=str(data.get("Key")),
            fully_qualified_name=str(data.get("FullyQualifiedName")),
            display_name=str(data.get("DisplayName")),
            raw=data,
        )

    def list_processes(
        self, folder: FolderRef = None, name: str | None = None
    ) -> Steps[list[Process]]:
        """Releases in a folder (``GET odata/Releases`` [V] §6.1), optionally by name."""
        params = {"$filter": f"Name eq {odata_quote(name)}"} if name else None
        body = yield from self.call(
            "GET", "odata/Releases", folder=self._folder(folder), params=params
        )
        return [_process(item) for item in _values(body, "odata/Releases")]

    def release_key(self, process: str, folder: FolderRef = None) -> Steps[str]:
        """The release key of ``process`` (by Name, then ProcessKey), cached per folder."""
        folder = self._folder(folder)
        cache_key = (process, repr(folder))
        cached = self._release_keys.get(cache_key)
        if cached is not None:
            return cached
        found = yield from self.list_processes(folder, process)
        if not found:
            body = yield from self.call(
                "GET",
                "odata/Releases",
                folder=folder,
                params={"$filter": f"ProcessKey eq {odata_quote(process)}"},
            )
            found = [_process(item) for item in _values(body, "odata/Releases")]
        if not found:
            raise OrchestratorAPIError(
                404,
                f"No process named {process!r} in folder {folder!r}.",
                error_code=1002,
                method="GET",
                path="odata/Releases",
            )
        self._release_keys[cache_key] = found[0].key
        return found[0].key

    def _folder(self, folder: FolderRef) -> FolderRef:
        return self.folder if folder is None else folder

    # -- jobs ------------------------------------------------------------------------------

    def start_job(
        self,
        process: str,
        folder: FolderRef = None,
        input_arguments: dict[str, Any] | None = None,
        *,
        reference: str | None = None,
    ) -> Steps[Job]:
        """Start one job of ``process``; never blindly retried (``Reference``, then a check).

        StartJobs is not idempotent: after a timeout or a 5xx the job may exist. Each attempt
        carries the same ``Reference``; before a retry the client asks
        ``GET odata/Jobs?$filter=Reference eq '<ref>'`` and returns the job if it was created.
        """
        folder = self._folder(folder)
        key = yield from self.release_key(process, folder)
        reference = reference or self.new_reference()
        body = {
            "startInfo": {
                "ReleaseKey": key,
                "Strategy": "ModernJobsCount",
                "JobsCount": 1,
                # [V] §11.11: a JSON *string*, not an object.
                "InputArguments": json.dumps(input_arguments or {}, separators=(",", ":")),
                "Reference": reference,
            }
        }
        url = self.url_for("odata/Jobs/UiPath.Server.Configuration.OData.StartJobs")
        attempt = 0
        while True:
            attempt += 1
            request = self.build("POST", url, folder=folder, json_body=body)
            response: httpx.Response | None = None
            error: httpx.TransportError | None = None
            try:
                response = yield from send_with_retry(
                    request, _ONE_ATTEMPT, self.clock, idempotent=False
                )
            except httpx.TransportError as exc:
                error = exc
            if response is not None and not is_retryable(response, None, idempotent=True):
                result = self.parse(response, (201, 200))  # [V] 201 Created §6.6
                started = _values(result, "StartJobs")
                if not started:
                    raise UnexpectedResponse(
                        f"StartJobs answered {response.status_code} with no job in 'value': "
                        "the job may or may not have started; look in Orchestrator's Jobs "
                        f"(Reference {reference}) before starting it again",
                        status_code=response.status_code,
                    )
                job = Job.from_json(started[0])
                log.debug("started job %s (id %s) of %s", job.key, job.id, process)
                return job
            delay = delay_for(self.retry, attempt, response, self.clock())
            give_up = attempt >= self.retry.max_attempts or delay is None
            what = type(error).__name__ if error is not None else f"HTTP {response.status_code}"  # type: ignore[union-attr]
            log.debug(
                "StartJobs: %s; checking reference %s %s",
                what,
                reference,
                "before giving up" if give_up else "before a retry",
            )
            if not give_up:
                yield Sleep(delay or 0.0)
            # The job may exist even though the answer was an error or never came.
            existing = yield from self.find_jobs_by_reference(reference, folder)
            if existing:
                log.debug("StartJobs had created job %s: not starting another", existing[0].key)
                return existing[0]
            if give_up:
                if error is not None:
                    raise error
                assert response is not None
                self.parse(response, (201, 200))  # raises the API error

    def find_jobs_by_reference(self, reference: str, folder: FolderRef = None) -> Steps[list[Job]]:
        body = yield from self.call(
            "GET",
            "odata/Jobs",
            folder=self._folder(folder),
            params={"$filter": f"Reference eq {odata_quote(reference)}"},
        )
        return [Job.from_json(item) for item in _values(body, "odata/Jobs")]

    def get_job(self, job_id: int, folder: FolderRef = None) -> Steps[Job]:
        """``GET odata/Jobs({id})``: a single entity, not a rate-limited list [D] §9."""
        body = yield from self.call(
            "GET", f"odata/Jobs({int(job_id)})", folder=self._folder(folder)
        )
        return Job.from_json(body)

    def get_job_by_key(self, key: str, folder: FolderRef = None) -> Steps[Job]:
        """``GET odata/Jobs/...GetByKey(identifier=<guid>)`` [V] §6.5."""
        path = f"odata/Jobs/UiPath.Server.Configuration.OData.GetByKey(identifier={key})"
        body = yield from self.call("GET", path, folder=self._folder(folder))
        return Job.from_json(body)

    def wait_for_job(
        self, job: Job | int, folder: FolderRef = None, timeout: float | None = None
    ) -> Steps[Job]:
        """Poll ``Jobs({id})`` with growing pauses until the job finishes (or ``timeout``).

        Given a :class:`Job`, the client takes its state as the first reading: a finished job
        is returned as it is (a terminal state never changes [I] §6.10), an unfinished one is
        first polled one pause later, since asking again at once (right after ``start_job``,
        the usual case) would only hear the same answer. Given an id, it asks at once.
        """
        job_id = job.id if isinstance(job, Job) else int(job)
        started = self.clock()
        pause = self.poll_initial
        current = job if isinstance(job, Job) else (yield from self.get_job(job_id, folder))
        while not current.finished:
            waited = self.clock() - started
            if timeout is not None and waited + pause > timeout:
                raise JobWaitTimeout(job_id, current.state, waited)
            yield Sleep(pause)
            pause = min(self.poll_max, pause * self.poll_factor)
            current = yield from self.get_job(job_id, folder)
        return current

    def stop_job(
        self, job_id: int, folder: FolderRef = None, strategy: str = "SoftStop"
    ) -> Steps[None]:
        """``POST odata/Jobs/...StopJobs`` ``{"jobIds": [id], "strategy": ...}`` [V] §6.7."""
        yield from self.call(
            "POST",
            "odata/Jobs/UiPath.Server.Configuration.OData.StopJobs",
            folder=self._folder(folder),
            json_body={"jobIds": [int(job_id)], "strategy": strategy},
            expect=(200, 204),
        )

    # -- queues ----------------------------------------------------------------------------

    def add_queue_item(
        self,
        queue: str,
        specific_content: dict[str, Any],
        folder: FolderRef = None,
        *,
        reference: str | None = None,
        priority: str = "Normal",
    ) -> Steps[dict[str, Any]]:
        """``POST odata/Queues/UiPathODataSvc.AddQueueItem`` ``{"itemData": ...}`` [V] §6.8."""
        item: dict[str, Any] = {
            "Name": queue,
            "Priority": priority,
            "SpecificContent": specific_content,
        }
        if reference:
            item["Reference"] = reference
        body = yield from self.call(
            "POST",
            "odata/Queues/UiPathODataSvc.AddQueueItem",
            folder=self._folder(folder),
            json_body={"itemData": item},
            expect=(201, 200),
        )
        return body  # type: ignore[no-any-return]


_NOT_JSON = object()

#: StartJobs gets exactly one send per attempt; the loop around it decides about retries.
_ONE_ATTEMPT = RetryPolicy(max_attempts=1)


_CHECK_URL = "check that UIPATH_URL reaches Orchestrator itself, not a proxy or another service"


def _values(body: Any, what: str) -> list[Any]:
    """The ``value`` list of an OData answer; :class:`UnexpectedResponse` for any other shape."""
    if body is None:
        return []
    values = body.get("value") if isinstance(body, dict) else None
    if values is None and isinstance(body, dict):
        return []
    if not isinstance(values, list):
        raise UnexpectedResponse(
            f"{what} answered JSON without a 'value' list (not Orchestrator's OData shape; a "
            "proxy, or the wrong URL?)"
        )
    return values


def _entity(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise UnexpectedResponse(
            f"Orchestrator answered a {what} that is not a JSON object ({type(data).__name__}); "
            f"{_CHECK_URL}"
        )
    return data


def _entity_id(data: dict[str, Any], what: str) -> int:
    """An entity's numeric ``Id`` (a number, or digits in a string, as some proxies send it)."""
    value = data.get("Id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise UnexpectedResponse(
        f"Orchestrator answered a {what} whose Id is not a number: {shown}; {_CHECK_URL}"
    )


def _process(item: dict[str, Any]) -> Process:
    item = _entity(item, "release")
    if "Key" not in item:
        raise UnexpectedResponse(f"Orchestrator answered a release without a Key; {_CHECK_URL}")
    return Process(
        id=_entity_id(item, "release"),
        key=str(item["Key"]),
        name=str(item.get("Name")),
        process_key=str(item.get("ProcessKey")),
        process_version=item.get("ProcessVersion"),
        raw=item,
    )


def _message(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("message") if isinstance(body, dict) else None

"""Reference cassettes: exchanges assembled from payloads recorded from the real service.

No exchange in them was recorded by this kit (nobody here has a UiPath tenant). Each one
pairs a request and a response that UiPath's docs, its Postman collections, or its users
published (``fixtures.payloads``, all [V]), and says so interaction by interaction in the
cassette's ``provenance``. Where the source left something out (the status of a redirect,
a Content-Type), the cassette fills it in and tags that part [I].

They go through the same scrubbing as a vcrpy recording, so a reference file looks exactly
like a recorded one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
from vcr import VCR
from vcr.request import Request

from fixtures.payloads import Payload, payload

from ._config import register_matchers, vcr_config
from ._files import cassette_path, write_cassette
from ._world import World

__all__ = ["REFERENCES", "REFERENCE_MODULE", "Reference", "build_reference_cassettes"]

#: Reference cassettes live in ``cassettes/<REFERENCE_MODULE>/`` (the replay test module).
REFERENCE_MODULE = "test_reference"
_JSON_ASSUMED = "[I] Content-Type not recorded; application/json assumed"


@dataclass(frozen=True)
class Step:
    """One interaction: the request sent and the response the payloads say came back."""

    method: str
    url: str
    request_body: Any
    request_source: str
    response: Payload | None
    response_source: str
    status: int
    status_source: str = "[V] recorded with the body"
    request_headers: Mapping[str, str] = field(default_factory=dict)
    response_headers: Mapping[str, str] = field(default_factory=dict)
    form: bool = False


@dataclass(frozen=True)
class Reference:
    """A reference cassette: the scenario it replays for, its world, its steps."""

    scenario: str
    world: World
    steps: tuple[Step, ...]
    note: str = ""


def _cite(name: str) -> str:
    item = payload(name)
    return f"{name}: {item.provenance}"


def _step(
    request: str | None,
    response: str,
    *,
    url: str,
    method: str = "POST",
    body: Any = None,
    request_source: str | None = None,
    status: int | None = None,
    status_source: str | None = None,
    headers: Mapping[str, str] | None = None,
    form: bool = False,
) -> Step:
    answer = payload(response)
    sent = payload(request).json() if request is not None and body is None else body
    return Step(
        method=method,
        url=url,
        request_body=sent,
        request_source=request_source or (_cite(request) if request else "[I] assembled"),
        response=answer,
        response_source=_cite(response),
        status=status if status is not None else int(answer.status or 0),
        status_source=status_source or "[V] recorded with the body",
        request_headers=headers or {},
        form=form,
    )


_LEGACY = World(
    organization="Demo",
    tenant="DemoDefaultzous50676",
    user_key="<user_key>",
    code_verifier="<code_verifier>",
    code_challenge="[Code Challenge]",
    state="47441df4d0f0a89da08d43b6dfdc4be2",
    nonce="b0f368cbc59c6b99ccc8e9b66a30b4a6",
    orchestrator_url="https://platform.uipath.com",
)
_F341681_SCOPE = payload("identity.client_credentials.response").json()["scope"]
_IDENTITY = World(
    client_id="YOUR_CLIENT_ID", client_secret="<client_secret>", cc_scope=_F341681_SCOPE
)
_ROPC_WORLD = World(
    onprem_origin="https://orchestrator.example.com",
    tenant="{account_tenant_name}",
    username="{account_username}",
    password="<password>",
    client_id="YOUR_CLIENT_ID",
    client_secret="<client_secret>",
    cc_scope=_F341681_SCOPE,
)
_TRAP_WORLD = World(
    cloud_origin="https://platform.uipath.com",
    tenant="Documentation",
    username="{account_username}",
    password="<password>",
)
_ACCOUNT = "https://account.uipath.com"
_PLATFORM = "https://platform.uipath.com"
_ROPC_BODY = payload("ropc.request").json()


def _refresh_step() -> Step:
    return _step(
        "legacy.token.refresh.request",
        "legacy.token.refresh.response",
        url=f"{_ACCOUNT}/oauth/token",
        headers={"X-UIPATH-TenantName": _LEGACY.tenant},
    )


def _cc_body(world: World, scope: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": world.client_id,
        "client_secret": world.client_secret,
        "scope": scope,
    }


_CC_SOURCE = "[V] F358769 (form fields), with the scope of F341681's answer, docs/wire.md §4.2"

REFERENCES: tuple[Reference, ...] = (
    Reference("legacy_refresh", _LEGACY, (_refresh_step(),)),
    Reference(
        "legacy_code_exchange",
        _LEGACY,
        (
            _step(
                "legacy.authorize.request",
                "legacy.authorize.redirect",
                method="GET",
                url=payload("legacy.authorize.request").url or "",
                status=302,
                status_source="[I] the redirect's status was not recorded; 302 assumed",
            ),
            _step(
                "legacy.token.authorization_code.request",
                "legacy.token.authorization_code.response",
                url=f"{_ACCOUNT}/oauth/token",
            ),
        ),
    ),
    Reference(
        "legacy_tenant_lookup",
        _LEGACY,
        (
            _refresh_step(),
            _step(
                None,
                "legacy.accounts_for_user.response",
                method="GET",
                url=f"{_PLATFORM}/cloudrpa/api/getAccountsForUser",
                request_source="[V] JOGET: GET with Authorization: Bearer <id_token>",
                headers={"Authorization": "Bearer <id_token>"},
            ),
            _step(
                None,
                "legacy.service_instances.response",
                method="GET",
                url=f"{_PLATFORM}/cloudrpa/api/account/Demo/getAllServiceInstances",
                request_source="[V] JOGET: GET with Authorization: Bearer <id_token>",
                headers={"Authorization": "Bearer <id_token>"},
            ),
        ),
    ),
    Reference(
        "cloud_login_trap",
        _TRAP_WORLD,
        (
            _step(
                None,
                "ropc.cloud_trap",
                url=f"{_PLATFORM}/api/account/authenticate",
                body={**_ROPC_BODY, "TenancyName": "Documentation"},
                request_source="[I] DOC-ROPC's body with the docs' sample tenancy the users "
                "sent (docs/wire.md §11.3); the forum posts do not show the request",
                headers={"Authorization": "Bearer <id_token>"},
            ),
        ),
        note="Users also sent their id_token as a bearer; the answer is the same.",
    ),
    Reference(
        "onprem_password_login",
        _ROPC_WORLD,
        (
            _step(
                "ropc.request",
                "ropc.success",
                url="https://orchestrator.example.com/api/Account/Authenticate",
            ),
        ),
    ),
    Reference(
        "onprem_bad_password",
        _ROPC_WORLD,
        (
            _step(
                "ropc.request",
                "ropc.onprem_bad_credentials",
                url="https://orchestrator.example.com/api/Account/Authenticate",
                request_source="[I] DOC-ROPC's body; F24921 does not show the request",
            ),
        ),
    ),
    Reference(
        "identity_client_credentials",
        _IDENTITY,
        (
            _step(
                None,
                "identity.client_credentials.response",
                url="https://cloud.uipath.com/identity_/connect/token",
                form=True,
                body=_cc_body(_IDENTITY, _F341681_SCOPE),
                request_source=_CC_SOURCE,
            ),
        ),
    ),
    Reference(
        "identity_offline_access_refused",
        _IDENTITY,
        (
            _step(
                None,
                "identity.invalid_scope",
                url="https://cloud.uipath.com/identity_/connect/token",
                form=True,
                body=_cc_body(_IDENTITY, _F341681_SCOPE + " offline_access"),
                request_source="[V] F341681: client credentials asking for offline_access",
            ),
        ),
    ),
    Reference(
        "onprem_identity_wrong_path",
        _ROPC_WORLD,
        (
            _step(
                None,
                "identity.onprem_unsupported_api_version",
                url="https://orchestrator.example.com/identity_/connect/token",
                form=True,
                body=_cc_body(_ROPC_WORLD, _F341681_SCOPE),
                request_source="[I] a client-credentials form; CLI136 shows the URL only",
            ),
        ),
        note="The host is example.com here; the recorded message keeps UiPath's masked host.",
    ),
)


_MODERN = World(
    orchestrator_url="https://cloud.uipath.com/org/tenant/orchestrator_",
    client_id="YOUR_CLIENT_ID",
    client_secret="<client_secret>",
    cc_scope=_F341681_SCOPE,
    folder_id=515116,
    process="Add a pet to pet store by queue item",
)
_TOKEN_NOTE = (
    "[V] F341681's client-credentials answer, standing in for the token the "
    "recorded call used (its source does not show it)"
)


def _token_step(world: World, scope: str | None = None) -> Step:
    step = _step(
        None,
        "identity.client_credentials.response",
        url=world.identity_url + "/connect/token",
        form=True,
        body=_cc_body(world, scope or world.cc_scope),
        request_source=_CC_SOURCE,
    )
    return replace(step, response_source=_TOKEN_NOTE + "; " + step.response_source)


def _get(world: World, path: str, params: Mapping[str, str] | None = None) -> str:
    return str(httpx.URL(world.orchestrator_url + path, params=params))


_BEARER = {"Authorization": "Bearer <access_token>"}
_START_JOBS = "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs"
_FOLDERS_WORLD = replace(
    _MODERN, orchestrator_url="https://cloud.uipath.com/org/tenat/orchestrator_"
)
_JOGET_WORLD = replace(
    _MODERN,
    orchestrator_url="https://platform.uipath.com",
    release_key="b27c7363-459c-4520-bae5-660d4a1d3813",
    tenant="DemoDefaultzous50676",
)
_QUEUE_WORLD = replace(
    _MODERN,
    orchestrator_url="https://cloud.uipath.com/tuhinssam/tuhinssam",
    queue="TestQueue",
    folder_id=69133,
)
_JOBS_WORLD = replace(_MODERN, jobs_filter="Robot/Id eq 749")
_ERROR_REQUEST = "[I] a request that gets this answer; the source shows the answer only"

ORCHESTRATOR_REFERENCES: tuple[Reference, ...] = (
    Reference(
        "orchestrator_releases",
        _MODERN,
        (
            _token_step(_MODERN),
            _step(
                None,
                "orchestrator.releases.modern",
                method="GET",
                url=_get(_MODERN, "/odata/Releases", {"$filter": f"Name eq '{_MODERN.process}'"}),
                request_source='[V] CHILKAT "Get Releases by Name"',
                headers=_BEARER,
            ),
        ),
        note="The Releases answer was cut by its source after FeedId.",
    ),
    Reference(
        "orchestrator_folders",
        _FOLDERS_WORLD,
        (
            _token_step(_FOLDERS_WORLD),
            _step(
                None,
                "orchestrator.folders.modern",
                method="GET",
                url=_get(_FOLDERS_WORLD, "/odata/Folders"),
                request_source="[V] QODEX \"Get Folders\" (the URL's 'tenat' is the source's)",
                headers=_BEARER,
            ),
        ),
    ),
    Reference(
        "orchestrator_start_job",
        _JOGET_WORLD,
        (
            _token_step(_JOGET_WORLD),
            _step(
                "orchestrator.start_jobs.request_all",
                "orchestrator.start_jobs.response_2019",
                url=_JOGET_WORLD.orchestrator_url + _START_JOBS,
                status_source="[D] 201 per the swagger (UICLI); Joget shows the body only",
                headers={**_BEARER, "X-UIPATH-TenantName": _JOGET_WORLD.tenant},
            ),
        ),
        note="The 2019 call started a classic-folder job (Strategy All); the scenario sends "
        "the modern body. Bodies of non-token calls are not matched.",
    ),
    Reference(
        "orchestrator_jobs_list",
        _JOBS_WORLD,
        (
            _token_step(_JOBS_WORLD),
            _step(
                None,
                "orchestrator.jobs.list",
                method="GET",
                url=_get(
                    _JOBS_WORLD, "/odata/Jobs", {"$top": "3", "$filter": _JOBS_WORLD.jobs_filter}
                ),
                request_source="[V] DOC-JOBS (its {organizationName}/{tenantName} filled in)",
                headers=_BEARER,
            ),
        ),
        note="The docs cut the list after two items and the second item's tail.",
    ),
    Reference(
        "orchestrator_add_queue_item",
        _QUEUE_WORLD,
        (
            _token_step(_QUEUE_WORLD),
            _step(
                "orchestrator.add_queue_item.request",
                "orchestrator.add_queue_item.response",
                url=_QUEUE_WORLD.orchestrator_url + "/odata/Queues/UiPathODataSvc.AddQueueItem",
                headers=_BEARER,
            ),
        ),
    ),
    Reference(
        "orchestrator_auth_errors",
        _MODERN,
        (
            _step(
                None,
                "orchestrator.abp_401",
                method="GET",
                url=_get(_MODERN, "/odata/Releases"),
                request_source=_ERROR_REQUEST + " (F186985 sent a token for another path)",
            ),
            _token_step(_MODERN, "OR.Robots.Read"),
            _step(
                None,
                "orchestrator.abp_403",
                method="GET",
                url=_get(_MODERN, "/odata/Releases"),
                request_source=_ERROR_REQUEST + " (CLI110: a token without the permission)",
                # The token of the call before (OR.Robots.Read only): compare replays it.
                headers={"Authorization": "Bearer <previous_access_token>"},
            ),
        ),
    ),
    Reference(
        "orchestrator_folder_errors",
        _MODERN,
        (
            _token_step(_MODERN),
            _step(
                None,
                "orchestrator.error_1101",
                url=_MODERN.orchestrator_url + _START_JOBS,
                body=payload("orchestrator.start_jobs.request_modern").json(),
                request_source="[V] LC174: StartJobs without a folder header",
                headers=_BEARER,
            ),
            _step(
                None,
                "orchestrator.error_1100",
                url=_MODERN.orchestrator_url + _START_JOBS,
                body=payload("orchestrator.start_jobs.request_modern").json(),
                request_source=_ERROR_REQUEST + " (F400163: a folder id that no longer exists)",
                headers={**_BEARER, "X-UIPATH-FolderPath": "No Such/Folder"},
            ),
            _step(
                None,
                "orchestrator.error_1002",
                method="GET",
                url=_get(_MODERN, "/odata/Jobs(987654321)"),
                request_source=_ERROR_REQUEST + " (the recorded body is for a QueueItem)",
                headers=_BEARER,
            ),
        ),
    ),
    Reference(
        "orchestrator_take_limit",
        _MODERN,
        (
            _token_step(_MODERN),
            _step(
                None,
                "orchestrator.error_1009",
                method="GET",
                url=_get(
                    _MODERN,
                    "/api/FoldersNavigation/GetFoldersForCurrentUser",
                    {"searchText": "", "skip": "0", "take": "1000"},
                ),
                request_source="[I] UIPY's skip/take folder lookup (docs/wire.md §5.1) asking "
                "for 1000; ORCH's recording shows the answer only",
                headers=_BEARER,
            ),
        ),
    ),
    Reference(
        "orchestrator_status_version",
        _MODERN,
        (
            _step(
                None,
                "orchestrator.status_version.response",
                method="GET",
                url="https://cloud.uipath.com/orchestrator_/api/status/version",
                request_source="[V] UIPY: anonymous, at the host root",
            ),
        ),
    ),
)

#: Every reference cassette the kit ships.
ALL_REFERENCES: tuple[Reference, ...] = REFERENCES + ORCHESTRATOR_REFERENCES


def _interaction(step: Step, before_request: Any, before_response: Any) -> dict[str, Any]:
    headers = dict(step.request_headers)
    body: bytes | None
    if step.request_body is None:
        body = None
    elif step.form:
        from urllib.parse import urlencode

        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(step.request_body).encode("ascii")
    else:
        headers["Content-Type"] = "application/json"
        body = json.dumps(step.request_body).encode("utf-8")
    request = before_request(Request(step.method, step.url, body, headers))
    answer = step.response
    response_headers: dict[str, list[str]] = {k: [v] for k, v in step.response_headers.items()}
    if answer is not None:
        response_headers.update({k: [v] for k, v in answer.headers.items()})
    content = b""
    if answer is not None and answer.body is not None:
        content = answer.text().encode("utf-8")
        response_headers["Content-Type"] = [answer.content_type or "application/json"]
    response = before_response(
        {
            "status": {"code": step.status, "message": HTTPStatus(step.status).phrase},
            "headers": response_headers,
            "body": {"string": content},
        }
    )
    as_dict = request._to_dict()
    raw = as_dict["body"]
    as_dict["body"] = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    response["body"]["string"] = response["body"]["string"].decode("utf-8")
    return {"request": as_dict, "response": response}


def build_reference_cassettes(root: Path | None = None) -> list[Path]:
    """Write every reference cassette; returns their paths."""
    vcr = VCR()
    register_matchers(vcr)
    written = []
    for ref in ALL_REFERENCES:
        merged = vcr.get_merged_config(**vcr_config())  # placeholders numbered per cassette
        interactions = [
            _interaction(s, merged["before_record_request"], merged["before_record_response"])
            for s in ref.steps
        ]
        provenance = {
            "kind": "reference",
            "scenario": ref.scenario,
            "summary": "Assembled from payloads recorded from the real UiPath service and "
            "published; not recorded by this kit. Tokens are placeholders, then redacted.",
            "built_by": "python -m cassettes.record --reference",
            "world": ref.world.to_mapping(),
            "interactions": [
                {
                    "request": s.request_source,
                    "response": s.response_source,
                    "status": s.status_source,
                    "content_type": _JSON_ASSUMED
                    if s.response and s.response.body is not None
                    else "none",
                }
                for s in ref.steps
            ],
        }
        if ref.note:
            provenance["note"] = ref.note
        path = cassette_path(REFERENCE_MODULE, f"test_{ref.scenario}", root)
        header = (
            f"Reference cassette for the scenario {ref.scenario!r}.\n"
            "Every body in it was recorded from the real UiPath service by someone else "
            "and\npublished; see `provenance` for each source and its confidence tag.\n"
            "Generated by `python -m cassettes.record --reference`; do not edit by hand."
        )
        written.append(write_cassette(path, interactions, provenance, header=header))
    return written

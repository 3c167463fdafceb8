"""Malformed requests at every Orchestrator route: never a 500, every error in the dialect.

Hypothesis throws random headers (folder, tenant, auth, content type), bodies and query
strings at each route of ``ORCHESTRATOR_ROUTES``; the world must answer each in UiPath's own
dialect (the compact ``{message, errorCode, traceId}`` or the ABP envelope) and never record an
internal error.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.urls import ORCHESTRATOR_ROUTES

from ._orch_helpers import app_token

_GROUP = re.compile(r"\(\?P<(\w+)>(?:\[[^\]]*\]|[^()\[\]])*\)")
_SAFE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_header_text = st.text(_SAFE, max_size=30)
_any_text = st.text(max_size=40)
# JSON strings may hold any code point, lone surrogates too (json.dumps escapes them).
_json_text = st.text(st.characters(exclude_categories=()), max_size=40)


def _concrete(path_regex: str, values: dict[str, str]) -> str:
    """A request path for a route regex, its groups filled with ``values``."""
    path = _GROUP.sub(lambda m: values.get(m.group(1), "1"), path_regex)
    return path.replace("\\", "")


ROUTES = [(r.method, r.path, r.label) for r in ORCHESTRATOR_ROUTES]

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_json_text, inner, max_size=3),
    max_leaves=6,
)


def _either(*choices: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(choices) | _json_values


def _shaped(required: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly every field present (reaching deep validation), sometimes any subset."""
    full = st.fixed_dictionaries(required)
    return st.one_of(full, full, full, st.fixed_dictionaries({}, optional=required))


# One body shape per action, so most examples reach the handler's own parsing.
_ACTION_BODIES: dict[str, st.SearchStrategy[Any]] = {
    "start_jobs": _shaped(
        {
            "startInfo": _shaped(
                {
                    "ReleaseName": _either("InvoiceProcessing", "InvoiceProcessing", "", "x"),
                    "Strategy": _either("All", "ModernJobsCount", "Specific", "JobsCount", "x"),
                    "JobsCount": st.integers(-5, 2000) | _json_values,
                    "InputArguments": _either("{}", '{"a":1}', "[]", "", "x" * 10001),
                    "RobotIds": _json_values,
                    "Reference": _either("ref", "r" * 129),
                    "Source": _either("Manual", "AgentService", "x"),
                    "JobPriority": _either("High", "x"),
                    "SpecificPriorityValue": _either(1, 100, 0, 101),
                }
            )
            | _json_values,
        }
    ),
    "stop_jobs": _shaped(
        {
            "jobIds": st.lists(st.integers(), max_size=3) | _json_values,
            "strategy": _either("SoftStop", "Kill", "1", 2, 1, "3", True),
        }
    ),
    "stop_job": _shaped({"strategy": _either("SoftStop", "Kill", "1", 2, 1, "3", True)}),
    "add_queue_item": _shaped(
        {
            "itemData": _shaped(
                {
                    "Name": _either("InvoiceQueue", "InvoiceQueue", "Nope"),
                    "Priority": _either("High", "low", "x"),
                    "SpecificContent": _json_values,
                    "DueDate": _either("2026-01-01T00:00:00Z", "2026-13-01", "x"),
                    "Reference": _json_values,
                }
            )
            | _json_values,
        }
    ),
    "robot_asset": _shaped(
        {
            "assetName": _either("ApiEndpoint", "x"),
            "robotKey": _json_values,
        }
    ),
    "restart_job": _shaped({"jobId": _either(1, 10169582, -1, "1", 2**64)}),
    "start_transaction": _shaped(
        {
            "transactionData": _shaped(
                {
                    "Name": _either("InvoiceQueue", "InvoiceQueue", "Nope"),
                    "SpecificContent": _json_values,
                    "Reference": _either("r", "r" * 129),
                    "ReferenceFilteringOption": _either("Equals", "StartsWith", "x"),
                    "DeferDate": _either("2026-01-01T00:00:00Z", "x"),
                }
            )
            | _json_values,
        }
    ),
    "set_transaction_progress": _shaped({"progress": _either("half", "")}),
    "set_transaction_result": _shaped(
        {
            "transactionResult": _shaped(
                {
                    "IsSuccessful": _either(True, False),
                    "ProcessingException": _shaped(
                        {
                            "Type": _either("ApplicationException", "BusinessException", "x"),
                            "Reason": _json_values,
                        }
                    )
                    | _json_values,
                    "Output": _json_values,
                }
            )
            | _json_values,
        }
    ),
    "bulk_add_queue_items": _shaped(
        {
            "queueName": _either("InvoiceQueue", "Nope"),
            "commitType": _either("AllOrNothing", "StopOnFirstFailure", "ProcessAllIndependently"),
            "queueItems": st.lists(_json_values, max_size=3) | _json_values,
        }
    ),
}


def _bodies(handler: str) -> st.SearchStrategy[bytes | None]:
    shaped = _ACTION_BODIES.get(handler.split(".")[-1], _json_values)
    encoded = shaped.map(lambda v: json.dumps(v).encode())
    return st.one_of(encoded, encoded, encoded, st.none(), st.binary(max_size=40))


_numbers_ish = st.sampled_from(["10", "-1", "--5", "²", "٣", "1e3", " 7 ", "99999999999999"])
_paging = st.fixed_dictionaries(
    {},
    optional={
        "take": _numbers_ish,
        "skip": _numbers_ish,
        "$top": _numbers_ish,
        "$skip": _numbers_ish,
    },
)
_query = _paging | st.dictionaries(
    st.sampled_from(
        [
            "$filter",
            "$top",
            "$skip",
            "$count",
            "$select",
            "$orderby",
            "$expand",
            "$bogus",
            "searchText",
            "skip",
            "take",
            "%24top",
        ]
    )
    | _header_text,
    st.sampled_from(
        [
            "State eq 'Pending'",
            "Id eq 1L",
            "Key in ('a','b')",
            "10",
            "-1",
            "true",
            "Id,Key",
            "Id desc",
            "((",
            "'",
            "1001",
            "--5",
            "²",
            "٣",
        ]
    )
    | _any_text,
    max_size=4,
)
# Header values travel as bytes: any UTF-8 text (a real client may send "²" or "Équipe").
# Surrogates ("Cs") cannot be encoded as UTF-8 at all, so no client can send them.
_utf8_header = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\x00"), max_size=20
)
_random_headers = st.dictionaries(
    st.sampled_from(
        [
            "X-UIPATH-OrganizationUnitId",
            "x-uipath-folderkey",
            "X-UIPATH-FolderPath",
            "X-UIPATH-FolderPath-Encoded",
            "X-UIPATH-TenantName",
            "X-UIPATH-JobKey",
        ]
    ),
    st.sampled_from(["Shared", "515116", "yQBxAHUAaQBwAGUA", "", "0", "²", "٣"])
    | _header_text
    | _utf8_header,
    max_size=3,
)
_folder_headers = st.one_of(
    _utf8_header.map(lambda v: {"X-UIPATH-OrganizationUnitId": v}),
    _numbers_ish.map(lambda v: {"X-UIPATH-OrganizationUnitId": v}),
    st.just({"X-UIPATH-FolderPath": "Shared"}),
    st.just({"X-UIPATH-FolderPath": "Shared"}),
    st.just({"x-uipath-organizationunitid": "515116"}),
    _random_headers.map(lambda h: {"X-UIPATH-FolderPath": "Shared", **h}),
    _random_headers,
)


def _assert_dialect(response: httpx.Response) -> None:
    assert response.status_code != 500, response.text
    if response.status_code < 400:
        return
    if response.status_code == 404 and not response.content:
        return  # the core's answer to a path no route matches
    body: Any = response.json()
    assert isinstance(body, dict), response.text
    if "__abp" in body:
        assert body["errorCode"] == 0
        assert body["error"]["message"] == body["message"]
        assert response.status_code in (401, 403)
    else:
        assert set(body) == {"message", "errorCode", "traceId"}, body
        assert isinstance(body["errorCode"], int)
        assert body["message"]


def _fresh_world() -> tuple[MockCloud, str]:
    """A new world per example: nothing one example does can change what the next one sees.
    Built in the test body, not a fixture, so its token never appears in a failure report."""
    cloud = MockCloud(seed=11, rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        token = app_token(cloud, client)
    return cloud, token


@pytest.mark.parametrize(
    ("method", "path_regex", "handler"),
    ROUTES,
    ids=[f"{m}-{h.split('.')[-1]}" for m, _, h in ROUTES],
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path_values=st.dictionaries(
        st.sampled_from(["id", "identifier", "key"]),
        st.text(
            st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/?#()%"),
            max_size=20,
        ),
    ),
    query=_query,
    headers=_folder_headers,
    auth=st.sampled_from(["valid", "valid", "valid", "none", "garbage", "basic"]),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json",
            "text/json",
            "text/plain",
            None,
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
        ]
    ),
    data=st.data(),
)
def test_no_500_and_every_error_in_dialect(
    method: str,
    path_regex: str,
    handler: str,
    path_values: dict[str, str],
    query: dict[str, str],
    headers: dict[str, str],
    auth: str,
    content_type: str | None,
    data: st.DataObject,
) -> None:
    body = data.draw(_bodies(handler), label="body")
    cloud, token = _fresh_world()
    all_headers = dict(headers)
    if auth == "valid":
        all_headers["Authorization"] = f"Bearer {token}"
    elif auth == "garbage":
        all_headers["Authorization"] = "Bearer not.a.token"
    elif auth == "basic":
        all_headers["Authorization"] = "Basic dXNlcjpwYXNz"
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    url = cloud.defaults.url + "/orchestrator_" + _concrete(path_regex, path_values)
    raw_headers = [(k.encode(), v.encode("utf-8")) for k, v in all_headers.items()]
    request = httpx.Request(
        method, url, params=query, headers=raw_headers, content=body if method == "POST" else None
    )
    seen = len(cloud.internal_errors)
    response = cloud.handle(request)
    assert len(cloud.internal_errors) == seen, cloud.internal_errors[-1]
    _assert_dialect(response)

"""Queue transactions: StartTransaction, SetTransactionProgress, SetTransactionResult and
BulkAddQueueItems -- the item lifecycle, the statuses and bodies, and every error envelope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.core.request import MAX_BODY_BYTES
from mock_orchestrator.orchestrator.exceptions import TransactionNotInProgress

from ._orch_helpers import Orch, app_token, assert_compact_error

START = "/odata/Queues/UiPathODataSvc.StartTransaction"
ADD = "/odata/Queues/UiPathODataSvc.AddQueueItem"
BULK = "/odata/Queues/UiPathODataSvc.BulkAddQueueItems"
QUEUE = "InvoiceQueue"

#: [V] the recorded QueueItemDto (AddQueueItem 201, docs/wire.md §6.8), minus the context.
QUEUE_ITEM_FIELDS = {
    "QueueDefinitionId",
    "OutputData",
    "AnalyticsData",
    "Status",
    "ReviewStatus",
    "ReviewerUserId",
    "Key",
    "Reference",
    "ProcessingExceptionType",
    "DueDate",
    "RiskSlaDate",
    "Priority",
    "DeferDate",
    "StartProcessing",
    "EndProcessing",
    "SecondsInPreviousAttempts",
    "AncestorId",
    "RetryNumber",
    "SpecificData",
    "CreationTime",
    "Progress",
    "RowVersion",
    "OrganizationUnitId",
    "OrganizationUnitFullyQualifiedName",
    "Id",
    "ProcessingException",
    "SpecificContent",
    "Output",
    "Analytics",
}


def progress_path(item_id: int | str) -> str:
    return f"/odata/QueueItems({item_id})/UiPathODataSvc.SetTransactionProgress"


def result_path(item_id: int | str) -> str:
    return f"/odata/Queues({item_id})/UiPathODataSvc.SetTransactionResult"


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client)


def add(orch: Orch, queue: str = QUEUE, **item: Any) -> dict[str, Any]:
    body = {"itemData": {"Name": queue, "SpecificContent": {"n": 1}, **item}}
    response = orch.post(ADD, body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def take(orch: Orch, queue: str = QUEUE, **data: Any) -> httpx.Response:
    return orch.post(START, {"transactionData": {"Name": queue, **data}})


def item(orch: Orch, item_id: int) -> dict[str, Any]:
    rows = orch.get("/odata/QueueItems", **{"$filter": f"Id eq {item_id}"}).json()["value"]
    assert len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


def items(orch: Orch) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = orch.get("/odata/QueueItems", **{"$orderby": "Id"}).json()[
        "value"
    ]
    return value


# -- the lifecycle -------------------------------------------------------------------------


def test_start_transaction_takes_the_next_new_item(orch: Orch) -> None:
    first = add(orch)
    response = take(orch, RobotIdentifier="5f0c7f2a-0000-4000-8000-000000000001")
    assert response.status_code == 200  # [V] swagger: 200 QueueItemDto
    body = response.json()
    assert body["@odata.context"].endswith("/odata/$metadata#QueueItems/$entity")
    assert set(body) - {"@odata.context"} == QUEUE_ITEM_FIELDS
    assert body["Id"] == first["Id"]
    assert body["Status"] == "InProgress"
    assert body["StartProcessing"] is not None
    assert body["EndProcessing"] is None
    assert body["RowVersion"] != first["RowVersion"]
    assert item(orch, first["Id"])["Status"] == "InProgress"


def test_an_empty_queue_answers_204_with_no_body(orch: Orch) -> None:
    response = take(orch)
    assert response.status_code == 204
    assert response.content == b""
    add(orch)
    assert take(orch).status_code == 200
    assert take(orch).status_code == 204  # the only item is taken: nothing left to hand out


def test_specific_content_adds_an_item_and_takes_it_at_once(orch: Orch) -> None:
    response = take(
        orch,
        SpecificContent={"Invoice": "A-7", "Total@odata.type": "#Int64", "Total": 7},
        Reference="A-7",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["Status"] == "InProgress"
    assert body["SpecificContent"] == {"Invoice": "A-7", "Total": 7}
    assert body["Reference"] == "A-7"
    assert [i["Id"] for i in items(orch)] == [body["Id"]]


def test_items_are_handed_out_by_priority_then_due_date_then_age(orch: Orch) -> None:
    low = add(orch, Priority="Low")
    normal_late = add(orch, Priority="Normal", DueDate="2027-01-01T00:00:00Z")
    normal_soon = add(orch, Priority="Normal", DueDate="2026-06-01T00:00:00Z")
    normal = add(orch, Priority="Normal")
    high = add(orch, Priority="High")
    order = [take(orch).json()["Id"] for _ in range(5)]
    assert order == [high["Id"], normal_soon["Id"], normal_late["Id"], normal["Id"], low["Id"]]


def test_deferred_items_wait_for_their_date(orch: Orch) -> None:
    now = orch.cloud.clock.now()
    later = now.replace(year=now.year + 1).isoformat()
    deferred = add(orch, DeferDate=later)
    assert take(orch).status_code == 204
    orch.cloud.clock.advance(days=400)
    orch.token = app_token(orch.cloud, orch.client)  # the old token expired meanwhile
    assert take(orch).json()["Id"] == deferred["Id"]


def test_reference_filters_what_start_transaction_takes(orch: Orch) -> None:
    add(orch, Reference="INV-1")
    wanted = add(orch, Reference="PO-2")
    assert take(orch, Reference="po-2").json()["Id"] == wanted["Id"]
    assert take(orch, Reference="PO", ReferenceFilteringOption="StartsWith").status_code == 204
    other = take(orch, Reference="INV", ReferenceFilteringOption="StartsWith")
    assert other.json()["Reference"] == "INV-1"


def test_progress_then_success(orch: Orch) -> None:
    taken = take(orch, SpecificContent={"a": 1}).json()
    progress = orch.post(progress_path(taken["Id"]), {"progress": "half way"})
    assert progress.status_code == 200  # [V] swagger: 200, no content
    assert progress.content == b""
    assert item(orch, taken["Id"])["Progress"] == "half way"
    orch.cloud.clock.advance(seconds=42)
    done = orch.post(
        result_path(taken["Id"]),
        {
            "transactionResult": {
                "IsSuccessful": True,
                "Output": {"Total": 12.5},
                "Analytics": {"Pages": 3},
            }
        },
    )
    assert done.status_code == 200
    assert done.content == b""
    final = item(orch, taken["Id"])
    assert final["Status"] == "Successful"
    assert final["Output"] == {"Total": 12.5}
    assert final["OutputData"] == '{"DynamicProperties":{"Total":12.5}}'
    assert final["Analytics"] == {"Pages": 3}
    assert final["EndProcessing"] is not None
    assert final["EndProcessing"] > final["StartProcessing"]
    assert final["ProcessingException"] is None


def test_business_exception_fails_the_item_without_retry(orch: Orch) -> None:
    orch.backend.add_queue("Retrying", max_retries=2)
    taken = take(orch, "Retrying", SpecificContent={"a": 1}).json()
    failed = orch.post(
        result_path(taken["Id"]),
        {
            "transactionResult": {
                "IsSuccessful": False,
                "ProcessingException": {
                    "Reason": "Invoice total is negative",
                    "Details": "-4",
                    "Type": "BusinessException",
                },
            }
        },
    )
    assert failed.status_code == 200
    final = item(orch, taken["Id"])
    assert final["Status"] == "Failed"
    assert final["ProcessingExceptionType"] == "BusinessException"
    assert final["ProcessingException"]["Reason"] == "Invoice total is negative"
    assert [i["Id"] for i in items(orch)] == [taken["Id"]]  # no retry queued
    assert take(orch, "Retrying").status_code == 204


def test_application_exceptions_are_retried_up_to_the_queue_limit(orch: Orch) -> None:
    queue = orch.backend.add_queue("Retrying", max_retries=2)
    original = take(orch, queue.name, SpecificContent={"doc": 9}, Reference="R-9").json()
    failure = {
        "transactionResult": {
            "IsSuccessful": False,
            "ProcessingException": {"Reason": "timeout", "Type": "ApplicationException"},
        }
    }
    attempt = original
    for retry in (1, 2):
        orch.cloud.clock.advance(seconds=10)
        assert orch.post(result_path(attempt["Id"]), failure).status_code == 200
        assert item(orch, attempt["Id"])["Status"] == "Retried"
        attempt = take(orch, queue.name).json()
        assert attempt["RetryNumber"] == retry
        assert attempt["AncestorId"] == original["Id"]
        assert attempt["SpecificContent"] == {"doc": 9}
        assert attempt["Reference"] == "R-9"
        assert attempt["SecondsInPreviousAttempts"] == 10 * retry
    assert orch.post(result_path(attempt["Id"]), failure).status_code == 200
    assert item(orch, attempt["Id"])["Status"] == "Failed"  # retries spent
    assert take(orch, queue.name).status_code == 204


def test_a_failure_without_an_exception_counts_as_an_application_exception(orch: Orch) -> None:
    orch.backend.add_queue("Retrying", max_retries=1)
    taken = take(orch, "Retrying", SpecificContent={"a": 1}).json()
    orch.post(result_path(taken["Id"]), {"transactionResult": {"IsSuccessful": False}})
    final = item(orch, taken["Id"])
    assert final["Status"] == "Retried"
    assert final["ProcessingExceptionType"] == "ApplicationException"


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["New", "Successful"])
def test_progress_and_result_need_an_item_in_progress(orch: Orch, status: str) -> None:
    created = add(orch)
    if status == "Successful":
        take(orch)
        orch.post(result_path(created["Id"]), {"transactionResult": {"IsSuccessful": True}})
    for path, body in (
        (progress_path(created["Id"]), {"progress": "x"}),
        (result_path(created["Id"]), {"transactionResult": {"IsSuccessful": True}}),
    ):
        error = assert_compact_error(orch.post(path, body), 409, 0)
        assert f"status is {status}" in error["message"]
    assert item(orch, created["Id"])["Status"] == status  # nothing changed


def test_the_not_in_progress_answer_can_be_flipped(
    orch: Orch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TransactionNotInProgress, "status", 400)
    monkeypatch.setattr(TransactionNotInProgress, "error_code", 1009)
    created = add(orch)
    assert_compact_error(orch.post(progress_path(created["Id"]), {"progress": "x"}), 400, 1009)


def test_unknown_items_and_queues_are_404_1002(orch: Orch) -> None:
    missing = orch.post(progress_path(999), {"progress": "x"})
    assert assert_compact_error(missing, 404, 1002)["message"] == "QueueItem does not exist."
    assert_compact_error(
        orch.post(result_path(999), {"transactionResult": {"IsSuccessful": True}}), 404, 1002
    )
    assert_compact_error(take(orch, "NoSuchQueue"), 404, 1002)
    bulk = orch.post(
        BULK, {"queueName": "NoSuchQueue", "commitType": "AllOrNothing", "queueItems": []}
    )
    assert_compact_error(bulk, 404, 1002)


def test_items_of_another_folder_are_not_found(orch: Orch) -> None:
    orch.backend.add_folder("Finance")
    orch.backend.add_queue("Bills", folder="Finance")
    assert_compact_error(take(orch, "Bills", SpecificContent={"a": 1}), 404, 1002)  # not Shared's
    body = {"transactionData": {"Name": "Bills", "SpecificContent": {"a": 1}}}
    finance = orch.post(START, body, folder="Finance")
    assert finance.status_code == 200
    elsewhere = orch.post(progress_path(finance.json()["Id"]), {"progress": "x"})
    assert_compact_error(elsewhere, 404, 1002)  # asked from Shared


@pytest.mark.parametrize("key", ["abc", "1.5", "-1", "99999999999999999999"])
def test_malformed_keys_are_400_1000(orch: Orch, key: str) -> None:
    assert_compact_error(orch.post(progress_path(key), {"progress": "x"}), 400, 1000)
    result = orch.post(result_path(key), {"transactionResult": {"IsSuccessful": True}})
    assert_compact_error(result, 400, 1000)


def test_folder_headers_are_required(orch: Orch) -> None:
    no_folder = {"Authorization": f"Bearer {orch.token}"}
    for path, body in (
        (START, {"transactionData": {"Name": QUEUE}}),
        (progress_path(1), {"progress": "x"}),
        (result_path(1), {"transactionResult": {"IsSuccessful": True}}),
        (BULK, {"queueName": QUEUE, "commitType": "AllOrNothing"}),
    ):
        assert_compact_error(orch.post(path, body, headers=no_folder), 400, 1101)
        assert_compact_error(orch.post(path, body, folder="Nowhere"), 400, 1100)


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (START, [], 400, 1000),
        (START, {}, 400, 1000),
        (START, {"transactionData": "x"}, 400, 1000),
        (START, {"transactionData": {}}, 400, 1009),
        (START, {"transactionData": {"Name": 7}}, 400, 1009),
        (START, {"transactionData": {"Name": QUEUE, "SpecificContent": [1]}}, 400, 1009),
        (
            START,
            {"transactionData": {"Name": QUEUE, "ReferenceFilteringOption": "Like"}},
            400,
            1009,
        ),
        (
            START,
            {"transactionData": {"Name": QUEUE, "Reference": "r" * 129, "SpecificContent": {}}},
            400,
            1009,
        ),
        (progress_path(1), {"progress": 5}, 400, 1009),
        (progress_path(1), ["x"], 400, 1000),
        (result_path(1), {}, 400, 1000),
        (result_path(1), {"transactionResult": {}}, 400, 1009),
        (result_path(1), {"transactionResult": {"IsSuccessful": "yes"}}, 400, 1009),
        (
            result_path(1),
            {"transactionResult": {"IsSuccessful": False, "ProcessingException": "boom"}},
            400,
            1009,
        ),
        (
            result_path(1),
            {"transactionResult": {"IsSuccessful": False, "ProcessingException": {"Type": "Oops"}}},
            400,
            1009,
        ),
        (result_path(1), {"transactionResult": {"IsSuccessful": True, "Output": [1]}}, 400, 1009),
        (BULK, {"commitType": "AllOrNothing"}, 400, 1009),
        (BULK, {"queueName": QUEUE}, 400, 1009),
        (BULK, {"queueName": QUEUE, "commitType": "Sometimes"}, 400, 1009),
        (BULK, {"queueName": QUEUE, "commitType": "AllOrNothing", "queueItems": {}}, 400, 1009),
        (BULK, "text", 400, 1000),
    ],
)
def test_bad_bodies_get_the_compact_dialect(
    orch: Orch, path: str, body: Any, status: int, code: int
) -> None:
    # item 1 does not exist: the body is refused before any lookup
    assert_compact_error(orch.post(path, body), status, code)


@pytest.mark.parametrize("path", [START, progress_path(1), result_path(1), BULK])
def test_malformed_json_huge_bodies_and_wrong_media_types(orch: Orch, path: str) -> None:
    headers = {**orch.headers(), "Content-Type": "application/json"}
    url = orch.base + path
    broken = orch.client.post(url, content=b'{"transactionData": {', headers=headers)
    assert_compact_error(broken, 400, 1000)
    empty = orch.client.post(url, content=b"", headers=headers)
    assert_compact_error(empty, 400, 1000)
    huge = orch.client.post(url, content=b" " * (MAX_BODY_BYTES + 1), headers=headers)
    assert_compact_error(huge, 413, 1000)
    text = orch.client.post(url, content=b"{}", headers={**headers, "Content-Type": "text/plain"})
    assert_compact_error(text, 400, 1000)


# -- BulkAddQueueItems -------------------------------------------------------------------


def test_bulk_add_adds_new_items(orch: Orch) -> None:
    # [V] the SDK's body: queueName, commitType, queueItems without Name (docs/clients.md)
    response = orch.post(
        BULK,
        {
            "queueName": QUEUE,
            "commitType": "AllOrNothing",
            "queueItems": [
                {"Priority": "High", "SpecificContent": {"n": 1}, "Reference": "b-1"},
                {"SpecificContent": {"n": 2}},
            ],
        },
    )
    assert response.status_code == 200  # [V] swagger: 200 BulkOperationResponseDto
    body = response.json()
    assert body["@odata.context"].endswith("BulkOperationResponseDtoOfFailedQueueItemDto")
    # [V] swagger field names: lower-case on the response, PascalCase on each failed item
    assert {k: v for k, v in body.items() if k != "@odata.context"} == {
        "success": True,
        "message": None,
        "failedItems": [],
    }
    listed = items(orch)
    assert [(i["Status"], i["Priority"], i["SpecificContent"]) for i in listed] == [
        ("New", "High", {"n": 1}),
        ("New", "Normal", {"n": 2}),
    ]
    assert take(orch).json()["Reference"] == "b-1"


BAD_BATCH = [
    {"SpecificContent": {"n": 0}},
    {"Priority": "Urgent"},
    {"SpecificContent": {"n": 2}},
    "not an object",
    {"SpecificContent": {"n": 4}},
]


@pytest.mark.parametrize(
    ("commit", "added", "failed_ordinals"),
    [
        ("AllOrNothing", [], [1, 3]),
        ("StopOnFirstFailure", [0], [1]),
        ("ProcessAllIndependently", [0, 2, 4], [1, 3]),
    ],
)
def test_bulk_commit_types(
    orch: Orch, commit: str, added: list[int], failed_ordinals: list[int]
) -> None:
    body = orch.post(
        BULK, {"queueName": QUEUE, "commitType": commit, "queueItems": BAD_BATCH}
    ).json()
    assert body["success"] is False
    assert isinstance(body["message"], str)
    assert [f["Ordinal"] for f in body["failedItems"]] == failed_ordinals
    for failed in body["failedItems"]:
        assert set(failed) == {"Ordinal", "ErrorCode", "ErrorMessage"}
        assert failed["ErrorCode"] == "InvalidArgument"
    assert [i["SpecificContent"]["n"] for i in items(orch)] == added


def test_bulk_honours_unique_references(orch: Orch) -> None:
    orch.backend.add_queue("Unique", enforce_unique_reference=True)
    add(orch, "Unique", Reference="dup")
    body = orch.post(
        BULK,
        {
            "queueName": "Unique",
            "commitType": "ProcessAllIndependently",
            "queueItems": [{"Reference": "dup"}, {"Reference": "new"}, {"Reference": "new"}],
        },
    ).json()
    assert [(f["Ordinal"], f["ErrorCode"]) for f in body["failedItems"]] == [
        (0, "DuplicateReference"),
        (2, "DuplicateReference"),
    ]
    assert sorted(i["Reference"] for i in items(orch)) == ["dup", "new"]


# -- who may call ------------------------------------------------------------------------


def test_queue_scopes_open_the_transaction_calls(cloud: MockCloud, client: httpx.Client) -> None:
    reader = Orch(cloud, client, app_token(cloud, client, scope="OR.Queues.Read"))
    assert take(reader).status_code == 403  # [V] swagger: OR.Queues or OR.Queues.Write
    writer = Orch(cloud, client, app_token(cloud, client, scope="OR.Queues.Write"))
    assert take(writer, SpecificContent={}).status_code == 200


# -- properties over the input space -----------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_result_bodies = (
    st.fixed_dictionaries(
        {},
        optional={
            "transactionResult": st.fixed_dictionaries(
                {},
                optional={
                    "IsSuccessful": st.booleans() | _json,
                    "ProcessingException": st.fixed_dictionaries(
                        {},
                        optional={
                            "Type": st.sampled_from(
                                ["ApplicationException", "businessexception", "x"]
                            )
                            | _json,
                            "Reason": _json,
                        },
                    )
                    | _json,
                    "Output": st.dictionaries(st.text(max_size=5), _json, max_size=2) | _json,
                    "Progress": _json,
                },
            )
            | _json
        },
    )
    | _json
)


@settings(max_examples=60)
@given(body=_result_bodies)
def test_any_result_body_is_a_200_or_a_dialect_error_and_never_half_applied(body: Any) -> None:
    cloud = MockCloud(seed=3, rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        orch = Orch(cloud, client)
        taken = take(orch, SpecificContent={"a": 1}).json()
        response = orch.post(result_path(taken["Id"]), body)
        after = item(orch, taken["Id"])
    assert not cloud.internal_errors
    if response.status_code == 200:
        assert after["Status"] in ("Successful", "Failed", "Retried")
    else:
        assert_compact_error(response, 400, response.json()["errorCode"])
        assert response.json()["errorCode"] in (1000, 1009)
        assert after["Status"] == "InProgress"  # a refused result changes nothing


@settings(max_examples=40)
@given(
    queue_items=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "Priority": st.sampled_from(["High", "low", "Normal", "Urgent"]),
                "Reference": st.text(max_size=3) | _json,
                "SpecificContent": st.dictionaries(st.text(max_size=4), _json, max_size=2) | _json,
            },
        )
        | _json,
        max_size=8,
    ),
    commit=st.sampled_from(["AllOrNothing", "StopOnFirstFailure", "ProcessAllIndependently"]),
)
def test_bulk_adds_exactly_the_items_it_does_not_report_failed(
    queue_items: list[Any], commit: str
) -> None:
    cloud = MockCloud(seed=4, rate_limit_per_minute=None)
    with httpx.Client(transport=cloud.transport()) as client:
        orch = Orch(cloud, client)
        response = orch.post(
            BULK, {"queueName": QUEUE, "commitType": commit, "queueItems": queue_items}
        )
        stored = items(orch)
    assert response.status_code == 200, response.text
    failed = [f["Ordinal"] for f in response.json()["failedItems"]]
    assert response.json()["success"] is (not failed)
    if commit == "AllOrNothing":
        expected = [] if failed else list(range(len(queue_items)))
    elif commit == "StopOnFirstFailure":
        expected = list(range(failed[0] if failed else len(queue_items)))
    else:
        expected = [i for i in range(len(queue_items)) if i not in failed]
    assert len(stored) == len(expected)
    assert all(i["Status"] == "New" for i in stored)


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_json_numbers_are_refused_not_echoed(orch: Orch, constant: bytes) -> None:
    taken = take(orch, SpecificContent={"a": 1}).json()
    raw = b'{"transactionResult": {"IsSuccessful": true, "Output": {"x": ' + constant + b"}}}"
    headers = {**orch.headers(), "Content-Type": "application/json"}
    response = orch.client.post(orch.base + result_path(taken["Id"]), content=raw, headers=headers)
    assert_compact_error(response, 400, 1000)
    assert item(orch, taken["Id"])["Status"] == "InProgress"

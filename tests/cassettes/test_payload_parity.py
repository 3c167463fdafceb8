"""Values the recordings pin down beyond shape, checked on the URL shapes they came from.

The scenarios run on the modern URL shape; these follow the older shapes of the recordings
(the legacy platform with ``X-UIPATH-TenantName``, the 2020 cloud path without
``orchestrator_``, on-prem).
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from fixtures.payloads import payload
from mock_orchestrator import MockCloud

pytestmark = pytest.mark.block_network


def _legacy() -> tuple[httpx.Client, dict[str, str], MockCloud]:
    cloud = MockCloud(profile="legacy")
    d = cloud.defaults
    client = httpx.Client(transport=cloud.transport())
    token = client.post(
        str(d.legacy_token_url),
        json={
            "grant_type": "refresh_token",
            "client_id": d.legacy_client_id,
            "refresh_token": d.user_key,
        },
    ).json()["access_token"]
    return (
        client,
        {"Authorization": f"Bearer {token}", "X-UIPATH-OrganizationUnitId": str(d.folder_id)},
        cloud,
    )


def _identity() -> tuple[httpx.Client, dict[str, str], MockCloud]:
    cloud = MockCloud()
    d = cloud.defaults
    client = httpx.Client(transport=cloud.transport())
    token = client.post(
        f"{d.identity_url}/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": d.client_id,
            "client_secret": d.client_secret,
            "scope": d.scopes,
        },
    ).json()["access_token"]
    return (
        client,
        {"Authorization": f"Bearer {token}", "X-UIPATH-OrganizationUnitId": str(d.folder_id)},
        cloud,
    )


def test_legacy_platform_tenant_header_shape_keeps_joget_context() -> None:
    client, headers, cloud = _legacy()
    answer = client.get(
        "https://platform.uipath.com/odata/Releases",
        headers={**headers, "X-UIPATH-TenantName": cloud.defaults.tenant},
    )
    assert answer.status_code == 200
    recorded = payload("orchestrator.releases.legacy_cloud").json()
    assert answer.json()["@odata.context"] == recorded["@odata.context"]


def test_legacy_platform_refuses_the_display_name() -> None:
    # [V] the header takes the service instance *logical* name (docs/wire.md §5.2, §11.8).
    client, headers, cloud = _legacy()
    answer = client.get(
        "https://platform.uipath.com/odata/Releases",
        headers={**headers, "X-UIPATH-TenantName": cloud.defaults.tenant_display_name},
    )
    assert answer.status_code == 401
    assert answer.json() == payload("orchestrator.abp_401").json()


def test_queue_item_specific_data_is_written_as_recorded() -> None:
    client, headers, cloud = _identity()
    d = cloud.defaults
    request = payload("orchestrator.add_queue_item.request").json()
    request["itemData"]["Name"] = d.queue
    answer = client.post(
        f"{d.url}/orchestrator_/odata/Queues/UiPathODataSvc.AddQueueItem",
        json=request,
        headers=headers,
    )
    recorded = payload("orchestrator.add_queue_item.response").json()
    assert answer.status_code == 201
    item = answer.json()
    assert json.loads(item["SpecificData"]) == json.loads(recorded["SpecificData"])
    assert len(base64.b64decode(item["RowVersion"])) == len(
        base64.b64decode(recorded["RowVersion"])
    )


def test_2020_path_context_still_names_orchestrator_() -> None:
    client, headers, cloud = _identity()
    d = cloud.defaults
    answer = client.post(
        f"{d.url}/odata/Queues/UiPathODataSvc.AddQueueItem",
        json={"itemData": {"Name": d.queue, "Priority": "Normal", "SpecificContent": {}}},
        headers=headers,
    )
    assert answer.status_code == 201
    assert answer.json()["@odata.context"] == (
        f"{d.url}/orchestrator_/odata/$metadata#QueueItems/$entity"
    )


def test_onprem_context_is_relative() -> None:
    cloud = MockCloud(profile="onprem")
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(
            d.url + "/api/Account/Authenticate",
            json={
                "tenancyName": d.tenant,
                "usernameOrEmailAddress": d.username,
                "password": d.password,
            },
        ).json()["result"]
        answer = client.get(
            d.url + "/odata/Releases",
            headers={"Authorization": f"Bearer {token}", "X-UIPATH-FolderPath": d.folder},
        )
    assert answer.status_code == 200
    assert (
        answer.json()["@odata.context"]
        == payload("orchestrator.releases.onprem").json()["@odata.context"]
    )

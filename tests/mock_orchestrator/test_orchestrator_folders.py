"""Folder context: the four headers, their precedence, 1101/1100, sub-folders, workspaces."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.models import encode_folder_path

from ._orch_helpers import ACTION, Orch, app_token, assert_compact_error, user_token

NAV = "/api/FoldersNavigation/GetFoldersForCurrentUser"


def _releases(orch: Orch, **headers: str) -> httpx.Response:
    return orch.get("/odata/Releases", headers={"Authorization": f"Bearer {orch.token}", **headers})


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    backend = cloud.orchestrator.default
    backend.add_release("EquipeReport", folder="Finance/Équipe")
    return Orch(cloud, client)


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["Name"] for r in response.json()["value"]]


@pytest.mark.parametrize(
    "header",
    [
        "X-UIPATH-OrganizationUnitId",
        "x-uipath-organizationunitid",
        "X-UIPATH-FolderKey",
        "X-UIPATH-FolderPath",
        "x-uipath-folderpath",
        "X-UIPATH-FolderPath-Encoded",
    ],
)
def test_each_folder_header_selects_the_folder(orch: Orch, header: str) -> None:
    folder = orch.backend.folder("Finance/Équipe")
    value = {
        "x-uipath-organizationunitid": str(folder.id),
        "x-uipath-folderkey": folder.key,
        "x-uipath-folderpath": "Finance/Équipe",
        "x-uipath-folderpath-encoded": encode_folder_path("Finance/Équipe"),
    }[header.lower()]
    if header.lower() == "x-uipath-folderpath":
        # a plain non-ASCII header travels as UTF-8 bytes; paths match without regard to case
        raw = httpx.Headers(
            [
                (b"Authorization", f"Bearer {orch.token}".encode()),
                (header.encode(), "finance/ÉQUIPE".encode()),
            ]
        )
        assert _names(orch.client.get(orch.base + "/odata/Releases", headers=raw)) == [
            "EquipeReport"
        ]
        return
    assert _names(_releases(orch, **{header: value})) == ["EquipeReport"]


def test_encoded_path_is_base64_of_utf16le(orch: Orch) -> None:
    # [V] the exact value UiPath's SDK sent for "Équipe/Fälle" (docs/clients.md #21)
    orch.backend.add_folder("Équipe/Fälle")
    orch.backend.add_release("Nested", folder="Équipe/Fälle")
    assert encode_folder_path("Équipe/Fälle") == "yQBxAHUAaQBwAGUALwBGAOQAbABsAGUA"
    encoded = "yQBxAHUAaQBwAGUALwBGAOQAbABsAGUA"
    response = _releases(orch, **{"x-uipath-folderpath-encoded": encoded})
    assert _names(response) == ["Nested"]


def test_sub_folders_are_separate_folders(orch: Orch) -> None:
    finance = orch.backend.folder("Finance")
    equipe = orch.backend.folder("Finance/Équipe")
    assert equipe.parent_id == finance.id
    assert equipe.parent_key == finance.key
    assert _names(_releases(orch, **{"X-UIPATH-FolderPath": "Finance"})) == []
    assert _names(_releases(orch, **{"X-UIPATH-FolderPath": "/Shared"})) == ["InvoiceProcessing"]


def test_most_specific_header_wins(orch: Orch) -> None:
    # The SDK sends the env default (FolderPath: Shared) plus a per-call override
    # (docs/clients.md #21, #22); the mock's documented rule: the most specific wins.
    equipe = orch.backend.folder("Finance/Équipe")
    shared = orch.backend.default_folder
    encoded = encode_folder_path("Finance/Équipe")
    assert _names(
        _releases(orch, **{"x-uipath-folderpath": "Shared", "x-uipath-folderpath-encoded": encoded})
    ) == ["EquipeReport"]
    assert _names(
        _releases(orch, **{"x-uipath-folderpath": "Shared", "x-uipath-folderkey": equipe.key})
    ) == ["EquipeReport"]
    assert _names(
        _releases(
            orch,
            **{"x-uipath-folderkey": equipe.key, "x-uipath-organizationunitid": str(shared.id)},
        )
    ) == ["InvoiceProcessing"]
    # the winner alone decides: a stale Id is not rescued by a good path
    stale = _releases(
        orch, **{"x-uipath-organizationunitid": "999", "x-uipath-folderpath": "Shared"}
    )
    assert_compact_error(stale, 400, 1100)


def test_no_folder_header_is_1101(orch: Orch) -> None:
    body = assert_compact_error(_releases(orch), 400, 1101)
    assert body["message"] == "An organization unit is required for this action."
    # an empty path header is no folder either
    assert_compact_error(_releases(orch, **{"X-UIPATH-FolderPath": ""}), 400, 1101)


@pytest.mark.parametrize(
    "value", ["Acme Corp", "12ab", "-5", "", "99999999999999999999999", "²", "١٢"]
)
def test_an_unparsable_organization_unit_id_is_1101(orch: Orch, value: str) -> None:
    # [V] forum 544082: the org *name* in X-UIPATH-OrganizationUnitId gives 1101.
    # "²" is a str.isdigit() digit that int() refuses (it was a 500 once).
    headers = httpx.Headers(
        [
            (b"Authorization", f"Bearer {orch.token}".encode()),
            (b"X-UIPATH-OrganizationUnitId", value.encode()),
        ]
    )
    response = orch.client.get(orch.base + "/odata/Releases", headers=headers)
    assert_compact_error(response, 400, 1101)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-UIPATH-OrganizationUnitId", "2500716"),
        ("X-UIPATH-FolderKey", "00000000-0000-4000-8000-000000000000"),
        ("X-UIPATH-FolderPath", "Nope"),
        ("X-UIPATH-FolderPath", "Shared/"),  # [V] trailing slashes are not accepted
        ("X-UIPATH-FolderPath-Encoded", "!!not base64!!"),
        ("X-UIPATH-FolderPath-Encoded", base64.b64encode(b"\x00\xd8").decode()),
    ],
)
def test_an_unknown_folder_is_1100(orch: Orch, header: str, value: str) -> None:
    body = assert_compact_error(_releases(orch, **{header: value}), 400, 1100)
    assert body["message"] == (
        "Folder does not exist or the user does not have access to the folder."
    )


def test_folders_endpoint_is_tenant_level(orch: Orch) -> None:
    response = orch.get("/odata/Folders", headers={"Authorization": f"Bearer {orch.token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.count"] == len(body["value"]) == 3
    shared = next(f for f in body["value"] if f["FullyQualifiedName"] == "Shared")
    assert shared["Id"] == orch.cloud.defaults.folder_id
    assert shared["Key"] == orch.cloud.defaults.folder_key
    assert shared["FolderType"] == "Standard"
    assert shared["ProvisionType"] == "Automatic"
    filtered = orch.get(
        "/odata/Folders",
        headers={"Authorization": f"Bearer {orch.token}"},
        **{"$filter": "FullyQualifiedName eq 'Finance/Équipe'"},
    )
    assert [f["DisplayName"] for f in filtered.json()["value"]] == ["Équipe"]


def test_folders_for_current_user_pages_and_searches(orch: Orch) -> None:
    # the SDK's folders.retrieve_key call, verbatim (docs/clients.md #4)
    auth = {"Authorization": f"Bearer {orch.token}"}
    response = orch.client.get(orch.base + NAV + "?searchText=Shared&skip=0&take=20", headers=auth)
    assert response.status_code == 200
    assert set(response.json()) == {"PageItems", "Count"}
    assert [(f["FullyQualifiedName"], f["Key"]) for f in response.json()["PageItems"]] == [
        ("Shared", orch.cloud.defaults.folder_key)
    ]
    everything = orch.get(NAV, headers=auth, searchText="", skip="0", take="2").json()
    assert everything["Count"] == 3
    assert len(everything["PageItems"]) == 2
    rest = orch.get(NAV, headers=auth, skip="2", take="2").json()
    assert [f["FullyQualifiedName"] for f in rest["PageItems"]] == ["Shared"]


@pytest.mark.parametrize("take", ["101", "-1", "1000"])
def test_take_above_100_is_1009(orch: Orch, take: str) -> None:
    response = orch.get(NAV, headers={"Authorization": f"Bearer {orch.token}"}, take=take)
    body = assert_compact_error(response, 400, 1009)
    assert body["message"] == "The field take must be between 0 and 100"


@pytest.mark.parametrize("value", ["--5", "ten", "1.5", "²"])
def test_unreadable_paging_numbers_are_1009(orch: Orch, value: str) -> None:
    # "--5" once slipped through a lstrip("-") check and crashed int()
    for name in ("take", "skip"):
        response = orch.get(NAV, headers={"Authorization": f"Bearer {orch.token}"}, **{name: value})
        assert_compact_error(response, 400, 1009)


def test_personal_workspace_for_the_current_user(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client, user_token(cloud, client))
    # the CLI's call, verbatim (docs/clients.md #4): literal $expand
    response = client.get(
        orch.base + f"/odata/Users/{ACTION}GetCurrentUserExtended?$expand=PersonalWorkspace",
        headers={"Authorization": f"Bearer {orch.token}"},
    )
    assert response.status_code == 200, response.text
    user = response.json()
    assert "PersonalWorskpaceFeedId" in user
    assert "PersonalWorkspaceFeedId" not in user
    assert user["PersonalWorskpaceFeedId"]
    workspace = user["PersonalWorkspace"]
    assert workspace["FolderType"] == "Personal"
    assert workspace["IsPersonal"] is True
    assert user["@odata.context"].endswith("/odata/$metadata#Users/$entity")
    assert user["EmailAddress"] == cloud.defaults.user_email
    # the CLI then addresses the workspace by its Id
    backend = cloud.orchestrator.default
    backend.add_release("my-agent", folder=workspace["Id"], process_version="0.1.0")
    listed = client.get(
        orch.base + f"/odata/Releases/{ACTION}ListReleases?$select=Id,Key,ProcessVersion"
        "&$top=25&$filter=ProcessKey%20eq%20%27my-agent%27",
        headers={
            "Authorization": f"Bearer {orch.token}",
            "x-uipath-organizationunitid": str(workspace["Id"]),
        },
    )
    assert listed.status_code == 200, listed.text
    assert [set(r) for r in listed.json()["value"]] == [{"Id", "Key", "ProcessVersion"}]
    # the SDK's shape: $select=PersonalWorkspace&$expand=PersonalWorkspace
    selected = orch.get(
        f"/odata/Users/{ACTION}GetCurrentUserExtended",
        headers={"Authorization": f"Bearer {orch.token}"},
        **{"$select": "PersonalWorkspace", "$expand": "PersonalWorkspace"},
    )
    assert selected.json()["PersonalWorkspace"]["Id"] == workspace["Id"]
    assert "UserName" not in selected.json()
    # another caller (an app) cannot address it
    app = Orch(cloud, client, app_token(cloud, client))
    denied = _releases(app, **{"X-UIPATH-OrganizationUnitId": str(workspace["Id"])})
    assert_compact_error(denied, 400, 1100)


def test_an_app_token_has_no_personal_workspace(orch: Orch) -> None:
    user = orch.get(
        f"/odata/Users/{ACTION}GetCurrentUserExtended",
        headers={"Authorization": f"Bearer {orch.token}"},
    ).json()
    assert user["PersonalWorkspace"] is None
    assert user["PersonalWorskpaceFeedId"] is None


@pytest.mark.parametrize("profile", ["legacy", "onprem"])
def test_user_tokens_of_other_generations_have_a_workspace(
    make_cloud: Callable[..., MockCloud], profile: str
) -> None:
    cloud = make_cloud(profile)
    d = cloud.defaults
    with httpx.Client(transport=cloud.transport()) as client:
        if profile == "legacy":
            token = client.post(
                d.legacy_token_url,
                json={
                    "grant_type": "refresh_token",
                    "client_id": d.legacy_client_id,
                    "refresh_token": d.user_key,
                },
            ).json()["access_token"]
        else:
            token = client.post(
                d.url + "/api/Account/Authenticate",
                json={"usernameOrEmailAddress": d.username, "password": d.password},
            ).json()["result"]
        response = client.get(
            d.url + f"/odata/Users/{ACTION}GetCurrentUserExtended",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    user = response.json()
    assert user["EmailAddress"] == d.user_email
    assert user["PersonalWorkspace"]["FolderType"] == "Personal"

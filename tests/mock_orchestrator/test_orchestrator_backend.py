"""The Python API a test shapes the Orchestrator world with (TenantBackend)."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_orchestrator import MockCloud

from ._orch_helpers import Orch


def test_default_world(cloud: MockCloud) -> None:
    orch = cloud.orchestrator.default
    d = cloud.defaults
    assert orch.tenant is cloud.default_tenant
    assert orch.default_folder.fully_qualified_name == d.folder == "Shared"
    assert orch.default_folder.id == d.folder_id
    assert orch.default_folder.key == d.folder_key
    assert orch.default_release.key == d.release_key
    assert orch.default_release.name == d.process
    assert orch.folder("Finance/Équipe").display_name == "Équipe"
    assert orch.folder(d.folder_id) is orch.default_folder
    assert [q.name for q in orch.queues_in(orch.default_folder)] == [d.queue]
    assert [a.name for a in orch.assets_in(orch.default_folder)] == [d.asset]


def test_same_seed_same_world() -> None:
    first, second = MockCloud(seed=5), MockCloud(seed=5)
    assert first.defaults.release_key == second.defaults.release_key
    assert first.defaults.folder_key == second.defaults.folder_key
    assert MockCloud(seed=6).defaults.folder_key != first.defaults.folder_key


def test_configure_process_errors(cloud: MockCloud) -> None:
    orch = cloud.orchestrator.default
    with pytest.raises(KeyError, match="no process"):
        orch.configure_process("NoSuchProcess", outcome="Faulted")
    with pytest.raises(ValueError, match="outcome"):
        orch.configure_process("InvoiceProcessing", outcome="Exploded")
    with pytest.raises(ValueError, match="JSON object"):
        orch.configure_process("InvoiceProcessing", output_arguments="[1]")
    with pytest.raises(ValueError, match="pending_seconds"):
        orch.configure_process("InvoiceProcessing", pending_seconds=-1)
    with pytest.raises(KeyError, match="no folder"):
        orch.add_release("X", folder="Missing")
    with pytest.raises(ValueError, match="value_type"):
        orch.add_asset("Y", 1, value_type="Binary")  # type: ignore[arg-type]


def test_configure_process_per_folder_and_error_dict(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = cloud.orchestrator.default
    orch.add_release("InvoiceProcessing", folder="Finance")
    changed = orch.configure_process(
        "InvoiceProcessing",
        folder="Finance",
        pending_seconds=0,
        running_seconds=0,
        outcome="Faulted",
        error={"code": "Robot.Timeout", "detail": "Timed out"},
    )
    assert [r.folder_path for r in changed] == ["Finance"]
    caller = Orch(cloud, client)
    shared_job = caller.start()[0]
    finance = caller.post(
        "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
        {"startInfo": {"ReleaseName": "InvoiceProcessing"}},
        folder="Finance",
    )
    finance_job = finance.json()["value"][0]
    cloud.clock.advance(minutes=1)
    assert caller.job(shared_job["Id"])["State"] == "Successful"
    faulted = caller.get(f"/odata/Jobs({finance_job['Id']})", folder="Finance").json()
    assert faulted["State"] == "Faulted"
    assert faulted["JobError"]["code"] == "Robot.Timeout"
    assert faulted["Info"] == "Execution error : Timed out"


def test_add_release_with_behaviour_and_output(cloud: MockCloud, client: httpx.Client) -> None:
    orch = cloud.orchestrator.default
    orch.add_release("Quick", pending_seconds=0, running_seconds=2, output_arguments={"ok": True})
    caller = Orch(cloud, client)
    job = caller.start("Quick")[0]
    cloud.clock.advance(2)
    assert json.loads(caller.job(job["Id"])["OutputArguments"]) == {"ok": True}


def test_reset_rebuilds_the_world(cloud: MockCloud) -> None:
    cloud.orchestrator.default.add_folder("Temp")
    cloud.orchestrator.rate_limit_per_minute = None
    cloud.reset()
    with pytest.raises(KeyError):
        cloud.orchestrator.default.folder("Temp")
    assert cloud.orchestrator.rate_limit_per_minute == 100

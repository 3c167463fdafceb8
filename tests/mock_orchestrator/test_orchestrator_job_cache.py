"""The poller's hot path caches a job's body per state; the cache must never go stale.

Its speed is measured by ``bench/hot_path.py`` (``tox -e bench``), never asserted in a test:
machines are noisy."""

from __future__ import annotations

import httpx

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, Orch


def test_the_cached_body_follows_the_clock(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client)
    orch.backend.configure_process(
        "InvoiceProcessing", pending_seconds=1, running_seconds=5, stopping_seconds=1
    )
    job = orch.start()[0]
    by_key = f"/odata/Jobs/{ACTION}GetByKey(identifier={job['Key']})"
    seen = []
    for step in (0, 1, 1, 1):
        cloud.clock.advance(step)
        single, keyed = orch.job(job["Id"]), orch.get(by_key).json()
        assert single == keyed
        seen.append(single["State"])
    orch.post(f"/odata/Jobs({job['Id']})/{ACTION}StopJob", {"strategy": "Kill"})
    seen.append(orch.job(job["Id"])["State"])
    cloud.clock.advance(1)
    seen.append(orch.job(job["Id"])["State"])
    assert seen == ["Pending", "Running", "Running", "Running", "Terminating", "Stopped"]
    # the entity context follows each request's host, not the first one cached
    served = client.get(
        f"http://127.0.0.1:8080/{cloud.defaults.organization}/"
        f"{cloud.defaults.tenant}/orchestrator_/odata/Jobs({job['Id']})",
        headers=orch.headers(),
    )
    assert served.json()["@odata.context"] == (
        f"http://127.0.0.1:8080/{cloud.defaults.organization}/{cloud.defaults.tenant}"
        "/orchestrator_/odata/$metadata#Jobs/$entity"
    )
    assert served.json()["State"] == "Stopped"

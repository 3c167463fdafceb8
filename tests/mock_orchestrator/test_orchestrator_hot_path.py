"""The poller's hot path: ``GET odata/Jobs({id})`` costs at most a quarter more than a bare
``httpx.MockTransport`` answering the same bytes, and its cached body never goes stale."""

from __future__ import annotations

import gc
import time

import httpx

from mock_orchestrator import MockCloud

from ._orch_helpers import ACTION, Orch


def _per_call(client: httpx.Client, url: str, headers: dict[str, str], calls: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return elapsed / calls


def test_get_job_costs_at_most_a_quarter_more_than_a_bare_transport(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    job = orch.start()[0]
    url = orch.base + f"/odata/Jobs({job['Id']})"
    headers = orch.headers()
    served = client.get(url, headers=headers)
    content, content_type = served.content, served.headers["content-type"]

    def bare(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": content_type})

    clients = {
        "bare": httpx.Client(transport=httpx.MockTransport(bare)),
        "mock": httpx.Client(transport=cloud.transport()),
    }
    for each in clients.values():
        _per_call(each, url, headers, 100)  # warm up
    # Interleaved short rounds, best round per side: a noisy neighbour (pytest -n auto) slows
    # both or neither, and only ever inflates a round. Noise can still hit one side's every
    # round, so a miss is measured again (at most three times) before it counts.
    for _attempt in range(3):
        best = dict.fromkeys(clients, float("inf"))
        for _ in range(15):
            cloud.journal.clear()
            for name, each in clients.items():
                best[name] = min(best[name], _per_call(each, url, headers, 200))
        ratio = best["mock"] / best["bare"]
        if ratio <= 1.25:
            break
    assert ratio <= 1.25, f"mock {best['mock'] * 1e6:.1f} us vs bare {best['bare'] * 1e6:.1f} us"


def test_the_cached_body_follows_the_clock(cloud: MockCloud, client: httpx.Client) -> None:
    orch = Orch(cloud, client)
    orch.backend.configure_process("InvoiceProcessing", pending_seconds=1, running_seconds=5,
                                   stopping_seconds=1)
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
    served = client.get(f"http://127.0.0.1:8080/{cloud.defaults.organization}/"
                        f"{cloud.defaults.tenant}/orchestrator_/odata/Jobs({job['Id']})",
                        headers=orch.headers())
    assert served.json()["@odata.context"] == (
        f"http://127.0.0.1:8080/{cloud.defaults.organization}/{cloud.defaults.tenant}"
        "/orchestrator_/odata/$metadata#Jobs/$entity"
    )
    assert served.json()["State"] == "Stopped"

"""Every shortcut of the hot paths gives the answer of the slow way it replaced.

The shortcuts (bench/exchanges.py measures them): StartJobs reads ``startInfo`` through one
case-folded view instead of a scan per name, and writes its 201 from each job's phase-cached
JSON instead of re-encoding. Each test here pits a shortcut against the obvious computation,
so a shortcut that drifts fails here before it reaches the golden wire transcript.
"""

from __future__ import annotations

import json

import httpx
from hypothesis import given
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.core.errors import json_response
from mock_orchestrator.orchestrator.models.start_info import _Fields, _get

from ._orch_helpers import ACTION, Orch

_NAMES = ("ReleaseKey", "Strategy", "JobsCount", "Reference", "Source")
# Keys that collide without regard to case, so that "exact wins" and "first wins" both matter.
_KEYS = st.sampled_from([*_NAMES, "releasekey", "RELEASEKEY", "strategy", "jobscount", "x", "İ"])


@given(st.dictionaries(_KEYS, st.integers(), max_size=8), st.sampled_from([*_NAMES, "İ", "i̇"]))
def test_the_case_folded_view_answers_as_the_scan_does(obj: dict[str, int], name: str) -> None:
    assert _Fields(obj).get(name) == _get(obj, name)


def test_start_jobs_writes_what_json_response_would(cloud: MockCloud, client: httpx.Client) -> None:
    folder = cloud.orchestrator.default.add_folder("Finance/Équipe")
    cloud.orchestrator.default.add_release("Facturation", folder=folder)
    orch = Orch(cloud, client, folder=None)
    by_id = {**orch.headers(), "X-UIPATH-OrganizationUnitId": str(folder.id)}
    response = orch.post(f"/odata/Jobs/{ACTION}StartJobs", {"startInfo": {
        "ReleaseName": "Facturation", "JobsCount": 3, "InputArguments": '{"note": "été"}',
        "Reference": "réf-1"}}, headers=by_id)
    assert response.status_code == 201, response.text
    backend = cloud.orchestrator.default
    jobs = [backend.jobs[job["Id"]] for job in response.json()["value"]]
    expected = json_response(201, {
        "@odata.context": response.json()["@odata.context"],
        "value": [job.to_dto(backend.now) for job in jobs],
    })
    assert response.content == expected.content
    assert response.headers.raw == expected.headers.raw
    assert "É".encode() in response.content  # UTF-8 kept, as json_response writes it


def test_the_first_poll_reuses_the_201_bytes_until_the_clock_moves(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    started = orch.post(f"/odata/Jobs/{ACTION}StartJobs",
                        {"startInfo": {"ReleaseName": cloud.defaults.process}})
    job_id = started.json()["value"][0]["Id"]
    first = orch.get(f"/odata/Jobs({job_id})")
    created = json.loads(started.content)["value"][0]
    assert {k: v for k, v in first.json().items() if k != "@odata.context"} == created
    cloud.clock.advance(seconds=5)  # the default process starts after 5 s
    assert orch.job(job_id)["State"] == "Running"

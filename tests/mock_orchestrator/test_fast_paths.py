"""Every shortcut of the hot paths gives the answer of the slow way it replaced.

The shortcuts (bench/exchanges.py measures them): StartJobs reads ``startInfo`` through one
case-folded view instead of a scan per name, and writes its 201 from each job's phase-cached
JSON instead of re-encoding; a job writes its JSON once with holes for the fields its phase
decides, and each new phase fills in only those; tokens are signed without PyJWT's generic
path. Each test here pits a shortcut against the
obvious computation, so a shortcut that drifts fails here before it reaches the golden wire
transcript.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_orchestrator import MockCloud
from mock_orchestrator.core.errors import json_response
from mock_orchestrator.identity.tokens import Issuer, IssuerName, load_issuer_key
from mock_orchestrator.orchestrator.models.jobs import (
    _PHASE_FIELDS,
    Job,
    StopStrategy,
    _encode,
    _json_value,
)
from mock_orchestrator.orchestrator.models.releases import ProcessBehaviour
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
    response = orch.post(
        f"/odata/Jobs/{ACTION}StartJobs",
        {
            "startInfo": {
                "ReleaseName": "Facturation",
                "JobsCount": 3,
                "InputArguments": '{"note": "été"}',
                "Reference": "réf-1",
            }
        },
        headers=by_id,
    )
    assert response.status_code == 201, response.text
    backend = cloud.orchestrator.default
    jobs = [backend.jobs[job["Id"]] for job in response.json()["value"]]
    expected = json_response(
        201,
        {
            "@odata.context": response.json()["@odata.context"],
            "value": [job.to_dto(backend.now) for job in jobs],
        },
        {"api-supported-versions": "18.0"},  # every Orchestrator answer carries it (issue 11)
    )
    assert response.content == expected.content
    assert response.headers.raw == expected.headers.raw
    assert "É".encode() in response.content  # UTF-8 kept, as json_response writes it


def test_the_first_poll_reuses_the_201_bytes_until_the_clock_moves(
    cloud: MockCloud, client: httpx.Client
) -> None:
    orch = Orch(cloud, client)
    started = orch.post(
        f"/odata/Jobs/{ACTION}StartJobs", {"startInfo": {"ReleaseName": cloud.defaults.process}}
    )
    job_id = started.json()["value"][0]["Id"]
    first = orch.get(f"/odata/Jobs({job_id})")
    created = json.loads(started.content)["value"][0]
    assert {k: v for k, v in first.json().items() if k != "@odata.context"} == created
    cloud.clock.advance(seconds=5)  # the default process starts after 5 s
    assert orch.job(job_id)["State"] == "Running"


def _job(**fields: Any) -> Job:
    base: dict[str, Any] = {
        "id": 10169582,
        "key": "c8f8e3d0-d329-4a4c-b5d3-2b166aaaaaaa",
        "release_key": "r",
        "release_name": "Facturation",
        "folder_id": 515116,
        "folder_key": "k",
        "folder_path": "Finance/Équipe",
        "created_at": 1767603600.25,
        "behaviour": ProcessBehaviour(),
        "batch_key": "b",
    }
    return Job(**{**base, **fields})


_FAULTY = ProcessBehaviour().configured(
    outcome="Faulted",
    error={
        "detail": 'Ça a échoué \u2028 "quoted"',
        "status": 500,
        "ratio": 0.5,
        "nested": [1, True, None],
    },
)
_NOISY = {
    "input_arguments": '{"a": "\\u00e9\\n"}',
    "reference": "réf \x00 \U0001f600",
    "trace_id": "t",
    "parent_job_key": "p",
    "entry_point_path": "Main.xaml",
    "specific_priority": 99,
    "requires_user_interaction": True,
}


@pytest.mark.parametrize(
    "fields", [{}, _NOISY, {"behaviour": _FAULTY, **_NOISY}], ids=["plain", "noisy", "faulted"]
)
@pytest.mark.parametrize(
    "stop",
    [None, ("SoftStop", 2.0), ("Kill", 9.0)],
    ids=["no-stop", "stop-while-pending", "kill-while-running"],
)
def test_each_phase_is_encoded_exactly_as_the_encoder_would(
    fields: dict[str, Any], stop: tuple[StopStrategy, float] | None
) -> None:
    """The job's fixed text with the phase's values filled in == ``_encode(to_dto(now))``."""
    job = _job(**fields)
    start = job.created_at
    seen = set()
    for offset in (0, 1, 2, 5, 9, 10, 12, 30, 35, 36, 3600):
        now = start + offset
        if stop is not None and offset == stop[1]:
            job.request_stop(now, stop[0])
        expected = _encode(job.to_dto(now)).encode("utf-8")
        assert job.encoded_at(now) == expected
        assert job.encoded_at(now) == expected  # and again, from the phase cache
        seen.add(job.state_at(now))
    assert len(seen) >= 2  # the scenario really moved through phases


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.dictionaries(st.text(), st.integers() | st.text() | st.none()),
    )
)
def test_a_value_is_written_as_the_encoder_writes_it(value: Any) -> None:
    assert _json_value(value) == _encode(value)


@pytest.mark.parametrize("issuer", ["identity", "legacy", "onprem"])
@given(
    claims=st.dictionaries(
        st.text(max_size=12),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=20),
            st.lists(st.text(max_size=8), max_size=4),
        ),
        max_size=8,
    )
)
def test_our_rs256_tokens_are_pyjwts_byte_for_byte(
    issuer: IssuerName, claims: dict[str, Any]
) -> None:
    signer = Issuer(issuer, "https://issuer.test/")
    claims = {"sub": "ümlaut ✓", **claims, "iss": "https://issuer.test/"}
    key, kid, _ = load_issuer_key(issuer)
    assert signer.sign(claims) == jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_the_phase_decides_exactly_the_phase_fields() -> None:
    """Every phase sets the nine holes, no more: a field outside them would be frozen."""
    faulted, killed = _job(behaviour=_FAULTY), _job()
    killed.request_stop(killed.created_at + 10, "Kill")
    seen = set()
    for job in (faulted, killed):
        for offset in (0, 10, 11, 3600):
            now = job.created_at + offset
            state = job.state_at(now)
            seen.add(state)
            assert set(job._phase_fields(state)) == _PHASE_FIELDS
            changed = {k for k, v in job.to_dto(now).items() if v != job._static[k]}
            assert changed <= _PHASE_FIELDS
    assert seen == {"Pending", "Running", "Faulted", "Terminating", "Stopped"}

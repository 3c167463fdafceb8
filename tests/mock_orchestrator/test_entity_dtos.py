"""Every served GET answers what the published swagger's strict models accept.

The check here reads the swagger's facts (``data/dtos.json``): required keys, enums, bounds,
types. The ``real-clients`` env repeats it with the swagger client itself
(``tests/real_clients/test_swagger_models.py``).
"""

from __future__ import annotations

import pytest

from mock_orchestrator.orchestrator.data import dto_problems, load_dtos
from tests.served_gets import EXPECTED_NOT_FOUND, populated_world, served_creates, served_gets


def test_every_served_get_deserialises_strictly() -> None:
    world = populated_world()
    checked = 0
    for op, response in served_gets(world):
        if op.operation in EXPECTED_NOT_FOUND:
            assert response.status_code == 404, op.operation
            continue
        assert response.status_code == 200, (op.operation, response.text[:300])
        if op.response in (None, "file"):
            continue
        problems = dto_problems(op.response, response.json())
        assert not problems, (op.operation, problems[:5])
        checked += 1
    assert checked > 90  # the walk reached the published GETs, not a handful
    assert not world.cloud.internal_errors


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"Name": "x", "ValueScope": "Sometimes"}, "not one of"),
        ({"ValueScope": "Global"}, "required"),
        ({"Name": "x", "ValueScope": "Global", "IntValue": "7"}, "expected an integer"),
        ({"Name": "x", "ValueScope": "Global", "CreationTime": "yesterday"}, "ISO-8601"),
        ({"Name": "", "ValueScope": "Global"}, "shorter than"),
    ],
)
def test_the_strict_check_refuses_what_the_swagger_models_refuse(
    value: dict[str, object], problem: str
) -> None:
    problems = dto_problems("AssetDto", value)
    assert any(problem in p for p in problems), problems


def test_nested_and_listed_dtos_are_checked() -> None:
    body = {"value": [{"Key": "k", "State": "Dreaming"}]}
    assert dto_problems("ODataValueOfIEnumerableOfJobDto", body)
    assert not dto_problems("ODataValueOfIEnumerableOfJobDto", {"value": [{"State": "Running"}]})
    assert "JobDto" in load_dtos()


def test_legacy_era_fields_are_not_in_todays_dtos_nor_in_the_answers() -> None:
    """Legacy samples carry Robots.Version and Releases.QueueDefinitionId/Name; the 18.0
    swagger has neither, so the mock sends neither (a strict client would ignore them, a
    client written against them would break on a real tenant)."""
    dtos = load_dtos()
    assert "Version" not in dtos["RobotDto"]
    assert not {"QueueDefinitionId", "QueueDefinitionName"} & set(dtos["ReleaseDto"])
    world = populated_world()
    answers = {op.operation: r for op, r in served_gets(world)}
    robots = answers["robots_get"].json()["value"]
    assert robots
    assert all("Version" not in robot for robot in robots)
    release = answers["releases_get"].json()["value"][0]
    assert not {"QueueDefinitionId", "QueueDefinitionName"} & set(release)


def test_every_create_answers_what_the_strict_models_accept() -> None:
    """Not only GETs: each served create's 201 answer reads as its published DTO too."""
    world = populated_world()
    created = 0
    for op, response in served_creates(world):
        assert response.status_code == 201, (op.operation, response.text[:300])
        problems = dto_problems(op.response or "", response.json())
        assert not problems, (op.operation, problems[:5])
        created += 1
    assert created >= 12  # Assets, Buckets, Calendars, Folders, Machines, Releases, ...

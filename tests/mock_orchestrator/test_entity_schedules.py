"""Process schedules fire on the world's clock, reading Quartz cron expressions."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.entities.errors import NotModelled
from mock_orchestrator.orchestrator.entities.schedules import MAX_FIRINGS, parse_cron

from ._orch_helpers import ALL_SCOPES, Orch, app_token, assert_compact_error


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def test_quartz_fields_read_as_quartz() -> None:
    hourly = parse_cron("0 0 * ? * * *")
    fired = hourly.times_between(_at("2030-01-01T00:30:00"), _at("2030-01-01T03:30:00"), 10)
    assert fired == [
        _at("2030-01-01T01:00:00"),
        _at("2030-01-01T02:00:00"),
        _at("2030-01-01T03:00:00"),
    ]
    weekdays = parse_cron("0 15 10 ? * MON-FRI")
    # 2030-01-05 is a Saturday: the next firing is Monday the 7th at 10:15
    fired = weekdays.times_between(_at("2030-01-05T00:00:00"), _at("2030-01-08T00:00:00"), 10)
    assert fired == [_at("2030-01-07T10:15:00")]
    every_15 = parse_cron("0 */15 9 * * ?")
    assert (
        len(every_15.times_between(_at("2030-01-01T00:00:00"), _at("2030-01-01T23:59:00"), 9)) == 4
    )


@pytest.mark.parametrize(
    "expression", ["0 0 12 L * ?", "0 0 12 ? * 6#3", "nonsense", "0 61 * * * ?"]
)
def test_forms_the_mock_does_not_read_are_refused(expression: str) -> None:
    with pytest.raises(NotModelled):
        parse_cron(expression)


def _later(orch: Orch, **delta: float) -> None:
    """Time passes; the caller signs in again (its token would have expired)."""
    orch.cloud.clock.advance(**delta)
    orch.token = app_token(orch.cloud, orch.client, scope=ALL_SCOPES)


@pytest.fixture
def orch(cloud: MockCloud, client: httpx.Client) -> Orch:
    return Orch(cloud, client, app_token(cloud, client, scope=ALL_SCOPES))


def test_a_schedule_starts_jobs_as_the_clock_passes_its_times(orch: Orch) -> None:
    created = orch.post(
        "/odata/ProcessSchedules",
        {
            "Name": "Hourly",
            "TimeZoneId": "UTC",
            "Enabled": True,
            "ReleaseId": orch.cloud.defaults.release_id,
            "StartProcessCron": "0 0 * ? * * *",
        },
    )
    assert created.status_code == 201, created.text
    assert orch.get("/odata/Jobs").json()["value"] == []
    _later(orch, hours=3)
    jobs = orch.get("/odata/Jobs", **{"$orderby": "CreationTime"}).json()["value"]
    assert len(jobs) == 3
    assert {job["SourceType"] for job in jobs} == {"Schedule"}
    assert jobs[0]["State"] == "Successful"  # backdated: the first one ran hours ago
    # looked at again without time passing: nothing more
    assert len(orch.get("/odata/Jobs").json()["value"]) == 3
    schedule = orch.get(f"/odata/ProcessSchedules({created.json()['Id']})").json()
    assert schedule["StartProcessNextOccurrence"] is not None


def test_a_disabled_schedule_does_not_fire(orch: Orch) -> None:
    body = {
        "Name": "Off",
        "TimeZoneId": "UTC",
        "Enabled": True,
        "ReleaseId": orch.cloud.defaults.release_id,
        "StartProcessCron": "0 * * ? * * *",
    }
    number = orch.post("/odata/ProcessSchedules", body).json()["Id"]
    disabled = orch.post(
        "/odata/ProcessSchedules/UiPath.Server.Configuration.OData.SetEnabled",
        {"enabled": False, "scheduleIds": [number]},
    )
    assert disabled.json()["value"] is True
    _later(orch, hours=1)
    assert orch.get("/odata/Jobs").json()["value"] == []


def test_a_clock_jump_fires_a_bounded_number(orch: Orch) -> None:
    body = {
        "Name": "Busy",
        "TimeZoneId": "UTC",
        "Enabled": True,
        "ReleaseId": orch.cloud.defaults.release_id,
        "StartProcessCron": "0 * * ? * * *",
    }
    orch.post("/odata/ProcessSchedules", body)
    orch.cloud.orchestrator.default.rate_limit = None
    _later(orch, days=30)
    listed = orch.get("/odata/Jobs", **{"$top": "1", "$count": "true"}).json()
    assert listed["@odata.count"] == MAX_FIRINGS


def test_an_unreadable_cron_is_refused_when_saved(orch: Orch) -> None:
    body = {"Name": "Last day", "TimeZoneId": "UTC", "StartProcessCron": "0 0 12 L * ?"}
    refused = orch.post("/odata/ProcessSchedules", body)
    assert "not modelled" in assert_compact_error(refused, 400, 1000)["message"]

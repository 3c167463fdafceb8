"""IMPLEMENTATION_COVERAGE.md shows route regexes as readable templates."""

from __future__ import annotations

from mock_orchestrator.coverage import _readable, render


def test_key_groups_read_as_templates() -> None:
    text = render()
    assert "- [X] GET /odata/Jobs({id}) (orchestrator.get_job;" in text
    assert "GetByKey(identifier={identifier}) (orchestrator.get_job_by_key;" in text
    assert "POST /odata/Jobs({id})/UiPath.Server.Configuration.OData.StopJob (" in text
    assert "/]*" not in text


def test_groups_with_character_classes_and_the_optional_prefix() -> None:
    assert _readable(r"/odata/Queues\((?P<key>[^)/]*)\)/UiPathODataSvc\.SetTransactionResult") == (
        "/odata/Queues({key})/UiPathODataSvc.SetTransactionResult"
    )
    assert _readable(r"(?:/[^/]+/[^/]+)?/api/account/authenticate") == (
        "[/{org}/{tenant}]/api/account/authenticate"
    )
    assert _readable(r"/(?P<prt_id>[^/]+)/portal_/x") == "/{prt_id}/portal_/x"


def test_the_later_endpoints_are_served_in_the_orchestrator_section() -> None:
    orchestrator = render().split("## Orchestrator", 1)[1]
    for label in (
        "restart_job",
        "list_robots",
        "list_sessions",
        "start_transaction",
        "set_transaction_progress",
        "set_transaction_result",
        "bulk_add_queue_items",
    ):
        assert f"(orchestrator.{label}; account, cloud, onprem)" in orchestrator
    assert "orchestrator_robots" not in render()

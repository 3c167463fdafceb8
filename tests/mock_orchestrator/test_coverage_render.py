"""IMPLEMENTATION_COVERAGE.md shows route regexes as readable templates."""

from __future__ import annotations

from mock_orchestrator.coverage import TARGET_TAGS, _readable, render, served_operations
from mock_orchestrator.orchestrator.data import operations


def test_key_groups_read_as_templates() -> None:
    text = render()
    assert "- [X] GET /odata/Jobs({key}) (jobs_get_by_id; orchestrator.get_job)" in text
    assert "GetByKey(identifier={identifier}) (orchestrator.get_job_by_key)" in text
    assert "POST /odata/Jobs({key})/UiPath.Server.Configuration.OData.StopJob (" in text
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
        assert f"; orchestrator.{label})" in orchestrator
    assert "orchestrator_robots" not in render()
    assert "orchestrator_entities" not in render()


def test_the_published_operations_are_counted_per_tag() -> None:
    """Every operation of the published list appears once, under its tag, served or not."""
    text = render()
    ops = operations()
    for op in ops.values():
        assert text.count(f" {op.method} {op.path} ({op.operation}") == 1, op.operation
    assert f"of {len(ops)} served" in text
    assert "| Jobs (target) | " in text


def test_the_target_tags_are_served_to_at_least_90_percent() -> None:
    served = served_operations()
    targeted = [
        op
        for op in operations().values()
        if op.tag in TARGET_TAGS and (op.tag != "Settings" or op.method == "GET")
    ]
    done = [op for op in targeted if served[op.operation] is not None]
    assert len(targeted) > 200  # the list is the published one, not a shortened copy
    assert len(done) / len(targeted) >= 0.9


def test_an_unserved_operation_is_listed_unchecked() -> None:
    text = render()
    # licence activation changes a licence the mock does not have: not served
    assert (
        "- [ ] POST /odata/Settings/UiPath.Server.Configuration.OData.ActivateLicenseOnline" in text
    )

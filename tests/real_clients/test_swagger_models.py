"""Every GET the mock serves deserialises with the published swagger client's strict models.

``uipath-orchestrator-rest`` 18.1 (pinned in tox.ini's real-clients env) is the generated
client the operation list comes from. Its models refuse a missing required field and a value
outside an enum (``client_side_validation``); its ``ApiClient.deserialize`` is what a team's
generated client runs on each answer. The walk over the served GETs is shared with the fast
check in ``tests/mock_orchestrator/test_entity_dtos.py``.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tests.served_gets import EXPECTED_NOT_FOUND, populated_world, served_creates, served_gets

swagger = pytest.importorskip("uipath_orchestrator_rest", reason="real-clients env only")

#: Answers the generated client cannot read whatever the server sends, with the reason. The
#: test checks each still fails exactly so: a fixed client turns it into a failure to remove.
CLIENT_BUGS = {
    # ExecutionSettingsConfiguration has a field named "configuration": its constructor sets
    # self._configuration = None after the Configuration object, so the Scope setter's
    # client_side_validation check raises AttributeError for any Scope at all.
    "settings_get_execution_settings_configuration_by_scope": AttributeError,
}


def test_every_served_get_deserialises_with_the_swagger_models() -> None:
    client = swagger.ApiClient()
    world = populated_world()
    checked, refused = 0, []
    for op, response in served_gets(world):
        if op.operation in EXPECTED_NOT_FOUND:
            continue
        assert response.status_code == 200, (op.operation, response.text[:300])
        if op.response in (None, "file"):
            continue
        if op.operation in CLIENT_BUGS:
            with pytest.raises(CLIENT_BUGS[op.operation]):
                client.deserialize(SimpleNamespace(data=response.text), op.response)
            continue
        try:
            model = client.deserialize(SimpleNamespace(data=response.text), op.response)
        except (ValueError, TypeError, AttributeError, swagger.rest.ApiException) as exc:
            refused.append(f"{op.operation}: {exc!r}")
            continue
        assert model is not None or response.json() is None, op.operation
        checked += 1
    assert not refused, refused
    assert checked > 90


def test_every_served_create_deserialises_with_the_swagger_models() -> None:
    client = swagger.ApiClient()
    world = populated_world()
    checked = 0
    for op, response in served_creates(world):
        assert response.status_code == 201, (op.operation, response.text[:300])
        model = client.deserialize(SimpleNamespace(data=response.text), op.response)
        assert model is not None, op.operation
        checked += 1
    assert checked >= 12


def test_the_swagger_models_do_refuse_a_bad_answer() -> None:
    """The check can fail: an enum value the DTO does not have is refused."""
    client = swagger.ApiClient()
    body = json.dumps({"value": [{"State": "Dreaming", "Key": "k", "Id": 1}]})
    with pytest.raises(ValueError, match="state"):
        client.deserialize(SimpleNamespace(data=body), "ODataValueOfIEnumerableOfJobDto")

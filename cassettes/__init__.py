"""Cassettes: recorded exchanges (vcrpy YAML) with provenance, replayed with pytest-recording.

Two kinds live under ``cassettes/<test_module>/<test_name>.yaml``:

* ``test_reference/``: assembled from payloads recorded from the real UiPath service and
  published (``fixtures.payloads``, all [V]), each interaction citing its source;
* ``test_recorded/``: recordings of the kit's own mock, made with vcrpy against
  ``cloud.transport()`` or ``cloud.serve()``.

Both are scrubbed at record time by :func:`vcr_config`; :func:`find_secrets` is the guard
the kit's tests run over every file. To use the kit's settings in your own suite::

    # conftest.py
    import pytest
    from cassettes import register_matchers, vcr_config as kit_vcr_config

    @pytest.fixture
    def vcr_config():
        return kit_vcr_config()

    def pytest_recording_configure(config, vcr):
        register_matchers(vcr)
"""

from __future__ import annotations

from ._config import (
    MATCH_ON,
    REDACTED,
    SECRET_POST_PARAMETERS,
    redact_response,
    register_matchers,
    scrub_request,
    token_body,
    vcr_config,
)
from ._files import CASSETTE_ROOT, CassetteFile, cassette_path, iter_cassettes, read_cassette
from ._scan import PUBLIC_VALUES, Finding, find_secrets
from ._shape import shape, shape_diff
from ._world import World

__all__ = [
    "CASSETTE_ROOT",
    "MATCH_ON",
    "PUBLIC_VALUES",
    "REDACTED",
    "SECRET_POST_PARAMETERS",
    "CassetteFile",
    "Finding",
    "World",
    "cassette_path",
    "find_secrets",
    "iter_cassettes",
    "read_cassette",
    "redact_response",
    "register_matchers",
    "scrub_request",
    "shape",
    "shape_diff",
    "token_body",
    "vcr_config",
]

"""Calls about the service rather than a resource: the version probe, Studio Web's first run."""

from __future__ import annotations

import httpx

from ...core.errors import json_response
from ...core.request import MockRequest
from ...core.routing import CLOUD
from ..responses import Call

__all__ = ["ORCHESTRATOR_VERSION", "status_version", "studio_web_first_run", "studio_web_license"]

#: [V] shape of ``api/status/version`` (docs/wire.md §5.1); the number is the mock's choice.
ORCHESTRATOR_VERSION = "23.10.1.0"


def studio_web_first_run(call: Call) -> httpx.Response:
    return httpx.Response(200)


def studio_web_license(call: Call) -> httpx.Response:
    return httpx.Response(200)


def status_version(req: MockRequest) -> httpx.Response:
    """Anonymous ([V] the CLI calls it before it has a token): the route has no scopes, so the
    prelude hands the bare request. "deployment" decides the CLI's scope file:
    "ServiceFabric" is Automation Suite; [?] for standalone on-prem."""
    deployment = "Cloud" if CLOUD in req.sites else "OnPremise"
    return json_response(200, {"version": ORCHESTRATOR_VERSION, "deployment": deployment})

"""Releases (processes deployed to a folder): ``/odata/Releases``."""

from __future__ import annotations

import httpx

from .. import parsing
from ..models import RELEASE_FIELDS
from ..odata import field_map
from ..responses import Call, collection

__all__ = ["list_releases"]

_RELEASE_MAP = field_map(RELEASE_FIELDS)


def list_releases(call: Call) -> httpx.Response:
    query = parsing.odata_query(call.req, _RELEASE_MAP)
    rows = [r.to_dto() for r in call.backend.releases_in(call.folder)]
    return collection(call.req, "Releases", rows, query)

"""Releases (processes deployed to a folder): ``/odata/Releases``."""

from __future__ import annotations

import httpx

from .. import parsing
from ..models import RELEASE_FIELDS
from ..odata import field_map
from ..responses import Call, collection
from .expand import expander

__all__ = ["list_releases"]

#: ``Environment`` is ReleaseDto's navigation property, filled only by ``$expand`` [V] swagger.
_RELEASE_MAP = field_map((*RELEASE_FIELDS, "Environment"))


def list_releases(call: Call) -> httpx.Response:
    query = parsing.odata_query(call.req, _RELEASE_MAP)
    folders = call.folders
    rows = [r.to_dto() for folder in folders for r in call.backend.releases_in(folder)]
    expand = expander("Releases", call, query.expand)
    return collection(call.req, "Releases", rows, query, expand=expand)

"""Assets: the filtered list and the robot's read of one (``/odata/Assets/...``)."""

from __future__ import annotations

import httpx

from ...core.errors import json_response
from .. import parsing
from ..exceptions import ValidationFailed
from ..models import ASSET_FIELDS
from ..odata import field_map
from ..responses import Call, collection, odata_base

__all__ = ["assets_filtered", "robot_asset"]

_ASSET_MAP = field_map(ASSET_FIELDS)


def assets_filtered(call: Call) -> httpx.Response:
    query = parsing.odata_query(call.req, _ASSET_MAP)
    rows = [a.to_dto() for folder in call.folders for a in call.backend.assets_in(folder)]
    return collection(call.req, "Assets", rows, query)


def robot_asset(call: Call) -> httpx.Response:
    body = parsing.json_object(call.req)
    name, robot_key = body.get("assetName"), body.get("robotKey")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("The assetName field is required.")
    if not isinstance(robot_key, str) or not robot_key.strip():
        raise ValidationFailed("The robotKey field is required.")
    asset = call.backend.robot_asset(call.folder, name.strip())
    out = {
        "@odata.context": odata_base(call.req) + "UiPath.Server.Configuration.OData.UserAssetDto"
    }
    out.update(asset.to_robot_dto())
    return json_response(200, out)

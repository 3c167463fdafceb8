"""Assets of a folder: Text, Integer, Bool and Credential values.

Credential passwords never leave the mock through ``GetFiltered`` (``CredentialPassword`` is
null there, as on the real service [I]); the robot endpoint
``GetRobotAssetByNameForRobotKey`` returns them, as it does for a real robot [D].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ...core.clock import format_odata_time

__all__ = ["ASSET_FIELDS", "Asset", "AssetType"]

AssetType = Literal["Text", "Integer", "Bool", "Credential"]
ASSET_TYPES: tuple[AssetType, ...] = ("Text", "Integer", "Bool", "Credential")


@dataclass(eq=False)
class Asset:
    id: int
    key: str
    name: str
    value_type: AssetType
    folder_id: int
    created_at: float
    string_value: str | None = None
    int_value: int | None = None
    bool_value: bool | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    description: str | None = None

    def display_value(self) -> str | None:
        # [I] GetFiltered's "Value" is the text the UI shows for the asset.
        if self.value_type == "Text":
            return self.string_value
        if self.value_type == "Integer":
            return None if self.int_value is None else str(self.int_value)
        if self.value_type == "Bool":
            return None if self.bool_value is None else str(self.bool_value)
        return f"username: {self.username}"

    def to_dto(self) -> dict[str, Any]:
        created = format_odata_time(self.created_at)
        return {
            "Key": self.key,
            "Name": self.name,
            "CanBeDeleted": True,
            "ValueScope": "Global",
            "ValueType": self.value_type,
            "Value": self.display_value(),
            "StringValue": self.string_value if self.value_type == "Text" else None,
            "BoolValue": bool(self.bool_value) if self.value_type == "Bool" else False,
            "IntValue": int(self.int_value or 0) if self.value_type == "Integer" else 0,
            "CredentialUsername": self.username if self.value_type == "Credential" else None,
            "CredentialPassword": None,
            "ExternalName": None,
            "CredentialStoreId": None,
            "KeyValueList": [],
            "ConnectionData": None,
            "HasDefaultValue": True,
            "Description": self.description,
            "FoldersCount": 1,
            "LastModificationTime": created,
            "CreationTime": created,
            "Tags": [],
            "Id": self.id,
        }

    def to_robot_dto(self) -> dict[str, Any]:
        """``UserAssetDto``: what a robot reads (passwords included)."""
        return {
            "Name": self.name,
            "ValueType": self.value_type,
            "StringValue": self.string_value,
            "BoolValue": bool(self.bool_value),
            "IntValue": int(self.int_value or 0),
            "CredentialUsername": self.username,
            "CredentialPassword": self.password,
            "ExternalName": None,
            "CredentialStoreId": None,
            "KeyValueList": [],
            "ConnectionData": None,
            "Id": self.id,
        }


ASSET_FIELDS = tuple(Asset(0, "", "", "Text", 0, 0.0).to_dto().keys())

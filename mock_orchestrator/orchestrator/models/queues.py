"""Queues (``QueueDefinitionDto``) and their items (``QueueItemDto``) in one folder each."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...core.clock import format_odata_time
from ..exceptions import InvalidRequest, ValidationFailed

__all__ = [
    "PRIORITIES",
    "QUEUE_DEFINITION_FIELDS",
    "QUEUE_ITEM_FIELDS",
    "QUEUE_ITEM_STATUSES",
    "QueueDefinition",
    "QueueItem",
    "checked_text",
    "parse_item_data",
    "row_version",
]

#: [V] QueueItemDataDto.Priority enum (docs/wire.md §6.8).
PRIORITIES = ("High", "Normal", "Low")
#: [D] QueueItemDto.Status (UiPath's TypeScript SDK ``QueueItemStatus``; the lifecycle lives in
#: ``orchestrator/transactions.py``).
QUEUE_ITEM_STATUSES = (
    "New",
    "InProgress",
    "Failed",
    "Successful",
    "Abandoned",
    "Retried",
    "Deleted",
)


@dataclass(eq=False)
class QueueDefinition:
    id: int
    key: str
    name: str
    folder_id: int
    folder_path: str
    created_at: float
    description: str | None = None
    max_retries: int = 0
    enforce_unique_reference: bool = False

    def to_dto(self) -> dict[str, Any]:
        return {
            "Key": self.key,
            "Name": self.name,
            "Description": self.description,
            "MaxNumberOfRetries": self.max_retries,
            "AcceptAutomaticallyRetry": False,
            "RetryAbandonedItems": False,
            "EnforceUniqueReference": self.enforce_unique_reference,
            "Encrypted": False,
            "SpecificDataJsonSchema": None,
            "OutputDataJsonSchema": None,
            "AnalyticsDataJsonSchema": None,
            "CreationTime": format_odata_time(self.created_at),
            "ProcessScheduleId": None,
            "SlaInMinutes": 0,
            "RiskSlaInMinutes": 0,
            "ReleaseId": None,
            "IsProcessInCurrentFolder": None,
            "FoldersCount": 1,
            "OrganizationUnitId": self.folder_id,
            "OrganizationUnitFullyQualifiedName": self.folder_path,
            "Tags": [],
            "Id": self.id,
        }


@dataclass(eq=False)
class QueueItem:
    """A transaction item: ``New`` until StartTransaction takes it (``transactions.py``)."""

    id: int
    key: str
    queue: QueueDefinition
    created_at: float
    specific_content: dict[str, Any]
    priority: str = "Normal"
    reference: str | None = None
    defer_date: str | None = None
    due_date: str | None = None
    risk_sla_date: str | None = None
    progress: str | None = None
    source: str | None = None
    row_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # -- the transaction lifecycle (orchestrator/transactions.py moves these) --
    status: str = "New"
    start_processing: float | None = None
    end_processing: float | None = None
    seconds_in_previous_attempts: int = 0
    ancestor_id: int | None = None
    retry_number: int = 0
    #: Set by SetItemReviewStatus / SetItemReviewer (``entities/table_resources.py``).
    review_status: str = "None"
    reviewer_user_id: int | None = None
    output: dict[str, Any] | None = None
    analytics: dict[str, Any] | None = None
    processing_exception: dict[str, Any] | None = None

    def to_dto(self) -> dict[str, Any]:
        """``QueueItemDto`` ([V] the 2020 AddQueueItem response, docs/wire.md §6.8)."""
        return {
            "QueueDefinitionId": self.queue.id,
            "OutputData": _dynamic(self.output),
            "AnalyticsData": _dynamic(self.analytics),
            "Status": self.status,
            "ReviewStatus": self.review_status,
            "ReviewerUserId": self.reviewer_user_id,
            "Key": self.key,
            "Reference": self.reference,
            "ProcessingExceptionType": (
                self.processing_exception["Type"] if self.processing_exception else None
            ),
            "DueDate": self.due_date,
            "RiskSlaDate": self.risk_sla_date,
            "Priority": self.priority,
            "DeferDate": self.defer_date,
            "StartProcessing": _time(self.start_processing),
            "EndProcessing": _time(self.end_processing),
            "SecondsInPreviousAttempts": self.seconds_in_previous_attempts,
            "AncestorId": self.ancestor_id,
            "RetryNumber": self.retry_number,
            "SpecificData": _dynamic(self.specific_content),
            "CreationTime": format_odata_time(self.created_at),
            "Progress": self.progress,
            "RowVersion": self.row_version,
            "OrganizationUnitId": self.queue.folder_id,
            "OrganizationUnitFullyQualifiedName": self.queue.folder_path,
            "Id": self.id,
            "ProcessingException": self.processing_exception,
            "SpecificContent": self.specific_content,
            "Output": self.output,
            "Analytics": self.analytics,
        }


def _dynamic(content: dict[str, Any] | None) -> str | None:
    """The JSON-string twin of a content dict ([V] ``SpecificData`` in the 2020 sample; the
    ``OutputData``/``AnalyticsData`` twins are written the same way [I])."""
    if content is None:
        return None
    return json.dumps({"DynamicProperties": content}, separators=(",", ":"))


def _time(epoch: float | None) -> str | None:
    return None if epoch is None else format_odata_time(epoch)


def row_version(seq: int) -> str:
    """An 8-byte SQL Server rowversion, base64 ("AAAAAAX24VI=" in the recorded sample)."""
    return base64.b64encode(seq.to_bytes(8, "big")).decode("ascii")


_SAMPLE_QUEUE = QueueDefinition(0, "", "", 0, "", 0.0)
QUEUE_DEFINITION_FIELDS = tuple(_SAMPLE_QUEUE.to_dto().keys())
#: Items are also filterable by their queue's name, as UiPath's SDK does
#: (``$filter=QueueDefinitionName eq 'q'``, docs/clients.md); the field is not in the DTO.
QUEUE_ITEM_FIELDS = (
    *QueueItem(0, "", _SAMPLE_QUEUE, 0.0, {}).to_dto().keys(),
    "QueueDefinitionName",
)


def _text(data: dict[str, Any], name: str, limit: int | None = None) -> str | None:
    return checked_text(data.get(name), name, limit)


def checked_text(value: Any, name: str, limit: int | None = None) -> str | None:
    """``value`` of the field ``name``: None, or a string of at most ``limit`` characters;
    anything else is Orchestrator's 1009 validation error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"The field {name} must be a string.")
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            f"The field {name} must be a string with a maximum length of {limit}."
        )
    return value


def _date(data: dict[str, Any], name: str) -> str | None:
    text = _text(data, name)
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        # an offset can push year 1 or 9999 out of range once moved to UTC
        return format_odata_time(when.timestamp())
    except (ValueError, OverflowError, OSError):
        raise ValidationFailed(f"The value '{text[:40]}' is not valid for {name}.") from None


def parse_item_data(body: Any) -> dict[str, Any]:
    """AddQueueItem's ``{"itemData": QueueItemDataDto}`` -> validated fields ([V] §6.8).

    ``SpecificContent`` keys ending in ``@odata.type`` are type annotations ([V] forum
    243590): they are accepted and dropped, as the recorded response shows.
    """
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    data = body.get("itemData", body.get("ItemData"))
    if data is None:
        raise InvalidRequest("itemData is required.")
    if not isinstance(data, dict):
        raise InvalidRequest("itemData must be an object.")
    name = _text(data, "Name")
    if not name or not name.strip():
        raise ValidationFailed("The Name field is required.")
    raw_priority = data.get("Priority", "Normal")
    wanted = raw_priority.lower() if isinstance(raw_priority, str) else None
    priority = next((p for p in PRIORITIES if p.lower() == wanted), None)
    if priority is None:
        raise ValidationFailed(f"The value '{str(raw_priority)[:40]}' is not valid for Priority.")
    content = data.get("SpecificContent")
    if content is None:
        content = {}
    if not isinstance(content, dict):
        raise ValidationFailed("The field SpecificContent must be an object.")
    return {
        "Name": name.strip(),
        "Priority": priority,
        "SpecificContent": {k: v for k, v in content.items() if not str(k).endswith("@odata.type")},
        "Reference": _text(data, "Reference", 128),
        "Progress": _text(data, "Progress"),
        "Source": _text(data, "Source", 20),
        "DeferDate": _date(data, "DeferDate"),
        "DueDate": _date(data, "DueDate"),
        "RiskSlaDate": _date(data, "RiskSlaDate"),
    }

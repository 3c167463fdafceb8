"""Queue transactions: StartTransaction, SetTransactionProgress, SetTransactionResult, and
BulkAddQueueItems, over the queue models of ``models/queues.py``.

The lifecycle of an item ([D] statuses of UiPath's TypeScript SDK ``QueueItemStatus``; the
swagger summaries of the calls, uipathcli orchestrator.yaml)::

    New --StartTransaction--> InProgress --SetTransactionResult--> Successful
                                         \\-----------------------> Failed
                                          \\--(application exception, retries left)--> Retried
                                                                   + a New copy of the item

* StartTransaction with ``SpecificContent`` adds a new item and takes it at once; without, it
  takes the next ``New`` item of the queue whose ``DeferDate`` has passed (and whose
  ``Reference`` matches, when one is given). None: 204, no body ([D] swagger "204 No Content").
  Order [I]: priority (High, Normal, Low), then the earliest ``DueDate``, then first added.
* A failed result with ``ProcessingException.Type`` ``ApplicationException`` (or no type) is
  retried while the item's ``RetryNumber`` is below the queue's ``MaxNumberOfRetries``: the
  item ends ``Retried`` and a ``New`` clone carries ``AncestorId`` and ``RetryNumber + 1``
  ([D] TypeScript SDK: ApplicationException "eligible for retry", BusinessException "not
  retried", Retried "a failed item that was re-queued as a fresh copy").
* Progress and result need an ``InProgress`` item: anything else is
  :class:`~.exceptions.TransactionNotInProgress` (409 [D], code and text [?]).
* Not emulated: Abandoned (an item left InProgress for 24 hours), review statuses, deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.clock import format_odata_time
from .exceptions import EntityNotFound, InvalidRequest, TransactionNotInProgress, ValidationFailed
from .models.queues import (
    PRIORITIES,
    QueueDefinition,
    QueueItem,
    checked_text,
    parse_item_data,
    row_version,
)

if TYPE_CHECKING:
    from .backend import TenantBackend
    from .models.folders import Folder

__all__ = [
    "COMMIT_TYPES",
    "EXCEPTION_TYPES",
    "MAX_BULK_ITEMS",
    "BulkResult",
    "TransactionDesk",
    "parse_bulk",
    "parse_progress",
    "parse_transaction_data",
    "parse_transaction_result",
]

#: [V] BulkAddQueueItemsRequest.commitType enum (uipathcli orchestrator.yaml).
COMMIT_TYPES = ("AllOrNothing", "StopOnFirstFailure", "ProcessAllIndependently")
#: [D] ProcessingExceptionDto.Type (UiPath's TypeScript SDK ``QueueExceptionType``).
EXCEPTION_TYPES = ("ApplicationException", "BusinessException")
#: [I] the Bulk Add Queue Items activity's documented ceiling; the body limit usually bites first.
MAX_BULK_ITEMS = 15000
#: [D] ``ReferenceFilteringOption`` of StartTransaction (``NotSet`` behaves as ``Equals`` [I]).
_REFERENCE_OPTIONS = ("NotSet", "Equals", "StartsWith")
_PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}


def _get(obj: dict[str, Any], name: str) -> Any:
    """A property by name without regard to case (System.Text.Json web defaults [I])."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    return next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == lowered), None)


def _wrapped(body: Any, name: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    inner = _get(body, name)
    if inner is None:
        raise InvalidRequest(f"{name} is required.")
    if not isinstance(inner, dict):
        raise InvalidRequest(f"{name} must be an object.")
    return inner


def _object(obj: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = _get(obj, name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationFailed(f"The field {name} must be an object.")
    return {k: v for k, v in value.items() if not str(k).endswith("@odata.type")}


def _text(obj: dict[str, Any], name: str, limit: int | None = None) -> str | None:
    return checked_text(_get(obj, name), name, limit)


def parse_transaction_data(body: Any) -> dict[str, Any]:
    """StartTransaction's ``{"transactionData": StartTransactionDto}`` ([V] the SDK's body,
    ``Name`` + ``RobotIdentifier`` + optional ``SpecificContent``, docs/clients.md)."""
    data = _wrapped(body, "transactionData")
    name = _text(data, "Name")
    if not name or not name.strip():
        raise ValidationFailed("The Name field is required.")
    option = _text(data, "ReferenceFilteringOption") or "NotSet"
    matched = next((o for o in _REFERENCE_OPTIONS if o.lower() == option.strip().lower()), None)
    if matched is None:
        raise ValidationFailed(
            f"The value '{option[:40]}' is not valid for ReferenceFilteringOption."
        )
    content = _object(data, "SpecificContent")
    item = None
    if content is not None:
        # the new item is validated as AddQueueItem's itemData is ([V] same DTO fields)
        item = parse_item_data(
            {
                "itemData": {
                    "Name": name,
                    "SpecificContent": content,
                    "Reference": _get(data, "Reference"),
                    "DeferDate": _get(data, "DeferDate"),
                    "DueDate": _get(data, "DueDate"),
                }
            }
        )
    return {
        "Name": name.strip(),
        "RobotIdentifier": _text(data, "RobotIdentifier", 64),
        "Reference": _text(data, "Reference", 128),
        "ReferenceFilteringOption": matched,
        "Item": item,
    }


def parse_progress(body: Any) -> str | None:
    """SetTransactionProgress's ``{"progress": "..."}`` ([V] the SDK's body)."""
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    return _text(body, "progress")


def parse_transaction_result(body: Any) -> dict[str, Any]:
    """SetTransactionResult's ``{"transactionResult": TransactionResultDto}`` ([V] field names
    of the swagger DTO, as UiPath's SDK sends them: IsSuccessful, ProcessingException, Output,
    Analytics, Progress, DeferDate, DueDate, OperationId)."""
    data = _wrapped(body, "transactionResult")
    successful = _get(data, "IsSuccessful")
    if not isinstance(successful, bool):
        raise ValidationFailed("The IsSuccessful field is required and must be a boolean.")
    raw_exception = _get(data, "ProcessingException")
    exception = None
    if raw_exception is not None:
        if not isinstance(raw_exception, dict):
            raise ValidationFailed("The field ProcessingException must be an object.")
        kind = _text(raw_exception, "Type") or "ApplicationException"
        canonical = next((t for t in EXCEPTION_TYPES if t.lower() == kind.strip().lower()), None)
        if canonical is None:
            raise ValidationFailed(f"The value '{kind[:40]}' is not valid for Type.")
        exception = {
            "Reason": _text(raw_exception, "Reason"),
            "Details": _text(raw_exception, "Details"),
            "Type": canonical,
            "AssociatedImageFilePath": _text(raw_exception, "AssociatedImageFilePath"),
            "CreationTime": None,
        }
    return {
        "IsSuccessful": successful,
        "ProcessingException": exception,
        "Output": _object(data, "Output"),
        "Analytics": _object(data, "Analytics"),
        "Progress": _text(data, "Progress"),
        "OperationId": _text(data, "OperationId", 128),
    }


def parse_bulk(body: Any) -> tuple[str, str, list[Any]]:
    """BulkAddQueueItems' ``{"queueName", "commitType", "queueItems"}`` ([V] swagger, SDK)."""
    if not isinstance(body, dict):
        raise InvalidRequest("The body must be a JSON object.")
    name = _get(body, "queueName")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("The queueName field is required.")
    commit = _get(body, "commitType")
    if commit is None:
        raise ValidationFailed("The commitType field is required.")
    matched = next(
        (c for c in COMMIT_TYPES if isinstance(commit, str) and c.lower() == commit.lower()),
        None,
    )
    if matched is None:
        raise ValidationFailed(f"The value '{str(commit)[:40]}' is not valid for commitType.")
    items = _get(body, "queueItems")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValidationFailed("The field queueItems must be an array.")
    if len(items) > MAX_BULK_ITEMS:
        raise ValidationFailed(f"The field queueItems must hold at most {MAX_BULK_ITEMS} items.")
    return name.strip(), matched, items


@dataclass
class BulkResult:
    """``BulkOperationResponseDtoOfFailedQueueItemDto`` ([V] swagger: lower-case ``success``,
    ``message``, ``failedItems``; each failed item ``Ordinal``, ``ErrorCode``, ``ErrorMessage``)."""

    failed: list[dict[str, Any]]
    added: list[QueueItem]

    def to_dto(self) -> dict[str, Any]:
        return {
            "success": not self.failed,
            # [?] the message of a partial failure is not recorded
            "message": None if not self.failed else f"{len(self.failed)} item(s) failed.",
            "failedItems": self.failed,
        }


class TransactionDesk:
    """The transaction calls of one tenant: ``backend.part(TransactionDesk)``, built on first
    use, so the backend knows nothing of it."""

    def __init__(self, backend: TenantBackend) -> None:
        self.backend = backend

    # -- lookups --------------------------------------------------------------------------

    def queue(self, folder: Folder, name: str) -> QueueDefinition:
        wanted = name.lower()
        for queue in self.backend.queues_in(folder):
            if queue.name.lower() == wanted:
                return queue
        raise EntityNotFound("QueueDefinition")  # [I] as AddQueueItem (docs/wire.md §6.8)

    def item(self, folder: Folder, item_id: int) -> QueueItem:
        found = self.backend.queue_items.get(item_id)
        if found is None or found.queue.folder_id != folder.id:
            raise EntityNotFound("QueueItem")  # [V] "QueueItem does not exist." (§6.5)
        return found

    def _touch(self, item: QueueItem) -> None:
        # every write moves the SQL rowversion on ([I] RowVersion is a concurrency token)
        item.row_version = row_version(
            self.backend.ids.sequence("QueueItemsVersions", start=90000000)
        )

    # -- the calls ------------------------------------------------------------------------

    def start_transaction(self, folder: Folder, data: dict[str, Any]) -> QueueItem | None:
        """The item now InProgress, or None (204) when the queue has nothing to hand out."""
        queue = self.queue(folder, data["Name"])
        now = self.backend.now
        with self.backend.lock:
            item: QueueItem | None
            if data["Item"] is not None:
                item = self.backend.create_queue_item(queue, data["Item"])
            else:
                item = self._next_new(queue, data["Reference"], data["ReferenceFilteringOption"])
            if item is None:
                return None
            item.status = "InProgress"
            item.start_processing = now
            item.end_processing = None
            item.extra["RobotIdentifier"] = data["RobotIdentifier"]
            self._touch(item)
            return item

    def _next_new(
        self, queue: QueueDefinition, reference: str | None, option: str
    ) -> QueueItem | None:
        now_text = format_odata_time(self.backend.now)
        candidates = []
        for item in self.backend.queue_items.values():
            if item.queue is not queue or item.status != "New":
                continue
            if item.defer_date is not None and item.defer_date > now_text:
                continue  # ISO-8601 UTC strings of one format order as instants
            if reference is not None:
                ref = (item.reference or "").lower()
                wanted = reference.lower()
                if not (ref.startswith(wanted) if option == "StartsWith" else ref == wanted):
                    continue
            candidates.append(item)
        if not candidates:
            return None
        return min(
            candidates,
            key=lambda i: (
                _PRIORITY_RANK.get(i.priority, 1),
                i.due_date is None,
                i.due_date or "",
                i.id,
            ),
        )

    def set_progress(self, folder: Folder, item_id: int, progress: str | None) -> QueueItem:
        item = self.item(folder, item_id)
        with self.backend.lock:
            if item.status != "InProgress":
                raise TransactionNotInProgress(item.id, item.status)
            item.progress = progress
            self._touch(item)
        return item

    def set_result(self, folder: Folder, item_id: int, result: dict[str, Any]) -> QueueItem:
        """End a transaction; a retryable failure also queues the retry (returned item: the
        original, now final)."""
        item = self.item(folder, item_id)
        now = self.backend.now
        with self.backend.lock:
            if item.status != "InProgress":
                raise TransactionNotInProgress(item.id, item.status)
            item.end_processing = now
            item.output = result["Output"]
            item.analytics = result["Analytics"]
            if result["Progress"] is not None:
                item.progress = result["Progress"]
            if result["IsSuccessful"]:
                item.status = "Successful"
                item.processing_exception = None
            else:
                exception = result["ProcessingException"] or {
                    "Reason": None,
                    "Details": None,
                    "Type": "ApplicationException",
                    "AssociatedImageFilePath": None,
                    "CreationTime": None,
                }
                exception["CreationTime"] = format_odata_time(now)
                item.processing_exception = exception
                retry = (
                    exception["Type"] == "ApplicationException"
                    and item.retry_number < item.queue.max_retries
                )
                item.status = "Retried" if retry else "Failed"
                if retry:
                    self._retry(item)
            self._touch(item)
        return item

    def _retry(self, item: QueueItem) -> QueueItem:
        spent = int((item.end_processing or 0) - (item.start_processing or 0))
        data = {
            "SpecificContent": item.specific_content,
            "Priority": item.priority,
            "Reference": item.reference,
            "DeferDate": item.defer_date,
            "DueDate": item.due_date,
            "RiskSlaDate": item.risk_sla_date,
            "Progress": None,
            "Source": item.source,
        }
        return self.backend.create_queue_item(
            item.queue,
            data,
            ancestor_id=item.ancestor_id or item.id,
            retry_number=item.retry_number + 1,
            seconds_in_previous_attempts=item.seconds_in_previous_attempts + max(spent, 0),
        )

    def bulk_add(self, folder: Folder, name: str, commit: str, raw_items: list[Any]) -> BulkResult:
        """BulkAddQueueItems: each item validated as AddQueueItem's ``itemData`` is.

        Commit types [?] (the wire of a partial failure is not recorded): ``AllOrNothing``
        adds nothing when any item fails; ``StopOnFirstFailure`` adds the items before the
        first failure; ``ProcessAllIndependently`` adds every valid item. Failures are listed
        with their ordinal and the swagger's ``ErrorCode`` names (``InvalidArgument``,
        ``DuplicateReference``).
        """
        queue = self.queue(folder, name)
        parsed: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        references = {
            i.reference
            for i in self.backend.queue_items.values()
            if i.queue is queue and i.reference is not None
        }
        for ordinal, raw in enumerate(raw_items):
            try:
                if not isinstance(raw, dict):
                    raise ValidationFailed("Each queue item must be an object.")
                data = parse_item_data({"itemData": {**raw, "Name": queue.name}})
            except (InvalidRequest, ValidationFailed) as exc:
                failed.append(_failed(ordinal, "InvalidArgument", exc.message))
            else:
                reference = data.get("Reference")
                if queue.enforce_unique_reference and reference is not None:
                    if reference in references:
                        failed.append(
                            _failed(
                                ordinal,
                                "DuplicateReference",
                                f"Reference '{reference[:40]}' is already used in the queue.",
                            )
                        )
                        continue
                    references.add(reference)
                parsed.append(data)
            if failed and commit == "StopOnFirstFailure":
                break
        if failed and commit == "AllOrNothing":
            return BulkResult(failed, [])
        with self.backend.lock:
            added = [self.backend.create_queue_item(queue, data) for data in parsed]
        return BulkResult(failed, added)


def _failed(ordinal: int, code: str, message: str) -> dict[str, Any]:
    return {"Ordinal": ordinal, "ErrorCode": code, "ErrorMessage": message}

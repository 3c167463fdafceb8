"""Errors of the emulated Orchestrator, with the catalogue of every text it puts on the wire.

All but the 405 render Orchestrator's compact envelope ``{"message","errorCode","traceId"}``
([V] docs/wire.md §8.1); the ABP 401/403 of the authorization layer come from the identity side
(``identity/exceptions.py``: ``Unauthenticated``, ``Unauthorized``). Hierarchy::

    OrchestratorError (core/errors.py)     {"message","errorCode","traceId"}
    ├── InvalidRequest          400  1000  "Invalid request!" + detail (bad OData, bad body)
    ├── ValidationFailed        400  1009  a field failed validation ("The field take ...")
    ├── FolderRequired          400  1101  "An organization unit is required for this action."
    ├── FolderNotFound          400  1100  "Folder does not exist or the user does not have ..."
    ├── EntityNotFound          404  1002  "<Entity> does not exist."
    │   └── ProcessNotFound     404  1002  StartJobs: "The job's associated process could not ..."
    ├── InvalidRobotId          400  1009  Specific/RobotIds in a modern folder ("Invalid Robot ID")
    ├── BodyTooLarge            413  1000  the body is larger than the front door takes
    ├── TooManyRequests         429     0  "Too Many Requests" + Retry-After (seconds)
    ├── TransactionNotInProgress 409    0  progress/result for an item that is not InProgress
    └── JobNotRestartable       409     0  RestartJob for a job that has not finished
    PlainError (core/errors.py)
    └── MethodNotAllowed        405        {"error":{"code":"UnsupportedApiVersion",...}} + Allow
                                           (in core/errors.py: the identity server's too)

The two 409s were never recorded: the swagger names them (``FailedQueueItemDto.ErrorCode``
lists ``TransactionNotStarted`` and ``CannotRestartUnfinishedJob``) but not their numbers.
Their status, code and text are class attributes, so a test that knows better can flip them
(``TransactionNotInProgress.status = 400``).

Every error's ``str()`` is short and never carries a secret.
"""

from __future__ import annotations

from ..core.errors import MethodNotAllowed, OrchestratorError

__all__ = [
    "MSG_FOLDER_NOT_FOUND",
    "MSG_FOLDER_REQUIRED",
    "MSG_INVALID_REQUEST",
    "MSG_PROCESS_NOT_FOUND",
    "MSG_TAKE_RANGE",
    "MSG_TOO_MANY_REQUESTS",
    "BodyTooLarge",
    "EntityNotFound",
    "FolderNotFound",
    "FolderRequired",
    "InvalidRequest",
    "InvalidRobotId",
    "JobNotRestartable",
    "MethodNotAllowed",
    "ProcessNotFound",
    "TooManyRequests",
    "TransactionNotInProgress",
    "ValidationFailed",
]

# -- the message catalogue --------------------------------------------------------------------
#: [V] LC174, forum 544082, orchestrator-powershell#107
MSG_FOLDER_REQUIRED = "An organization unit is required for this action."
#: [V] forum 400163, UiPath/skills
MSG_FOLDER_NOT_FOUND = "Folder does not exist or the user does not have access to the folder."
#: [D] docs response-codes: errorCode 1000 "Invalid request!"
MSG_INVALID_REQUEST = "Invalid request!"
#: [V] UiPathOrch ErrorMessageExtraction.tsv
MSG_TAKE_RANGE = "The field take must be between 0 and 100"
#: [V] uipath-langchain-python process_tool.py / UiPath/skills process-not-found-404.md
MSG_PROCESS_NOT_FOUND = "The job's associated process could not be found."
#: [?] docs/wire.md §9: the 429 body was never recorded; the compact envelope is our guess.
MSG_TOO_MANY_REQUESTS = "Too Many Requests"
#: [V] forum 176940
MSG_INVALID_ROBOT_ID = "Invalid Robot ID"
MSG_BODY_TOO_LARGE = "The request body is too large."


def _not_found(entity: str) -> str:
    # [V] pattern "QueueItem does not exist." (UiPathOrch tsv); docs "Robot does not exist."
    return f"{entity} does not exist."


class InvalidRequest(OrchestratorError):
    """400 errorCode 1000: invalid OData options, a malformed body, a missing field.

    The text is "Invalid request!" [D] followed by what was wrong, so a developer can tell a
    bad ``$filter`` from a missing ``startInfo`` (the detail is the mock's own wording [I]).
    """

    def __init__(self, detail: str | None = None) -> None:
        message = MSG_INVALID_REQUEST if not detail else f"{MSG_INVALID_REQUEST} {detail}"
        super().__init__(400, 1000, message)


class ValidationFailed(OrchestratorError):
    """400 errorCode 1009: one field failed validation ([V] the 1009 "take" message)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, 1009, message)


class FolderRequired(OrchestratorError):
    def __init__(self) -> None:
        super().__init__(400, 1101, MSG_FOLDER_REQUIRED)


class FolderNotFound(OrchestratorError):
    def __init__(self) -> None:
        # [V] 400; UiPath/skills notes "sometimes 403": we always answer 400.
        super().__init__(400, 1100, MSG_FOLDER_NOT_FOUND)


class EntityNotFound(OrchestratorError):
    """404 errorCode 1002 "<Entity> does not exist." (entity names as Orchestrator's types)."""

    def __init__(self, entity: str) -> None:
        self.entity = entity
        super().__init__(404, 1002, _not_found(entity))


class ProcessNotFound(EntityNotFound):
    """StartJobs with a release that is not in the folder ([V] 404, errorCode 1002)."""

    def __init__(self) -> None:
        super().__init__("Release")
        self.message = MSG_PROCESS_NOT_FOUND
        self.args = (self.summary(),)


class InvalidRobotId(OrchestratorError):
    """[V] forum 176940: ``Specific`` + ``RobotIds`` in a modern folder gives 400."""

    def __init__(self) -> None:
        super().__init__(400, 1009, MSG_INVALID_ROBOT_ID)


class BodyTooLarge(OrchestratorError):
    def __init__(self) -> None:
        super().__init__(413, 1000, MSG_BODY_TOO_LARGE)


class TooManyRequests(OrchestratorError):
    """429 with ``Retry-After`` in whole seconds ([I] docs/wire.md §9; the SDK reads numbers)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(429, 0, MSG_TOO_MANY_REQUESTS, {"Retry-After": str(retry_after)})


class TransactionNotInProgress(OrchestratorError):
    """SetTransactionProgress/SetTransactionResult on an item that is not ``InProgress``.

    [D] 409 Conflict is the only error status the swagger lists for SetTransactionResult
    (uipathcli orchestrator.yaml); errorCode and message are [?].
    """

    status = 409
    error_code = 0
    template = "Queue item {id} is not in progress; its status is {status}."

    def __init__(self, item_id: int, item_status: str) -> None:
        cls = type(self)
        super().__init__(
            cls.status, cls.error_code, cls.template.format(id=item_id, status=item_status)
        )


class JobNotRestartable(OrchestratorError):
    """RestartJob on a job that is still Pending/Running/Stopping ([?] status, code, text;
    the swagger enum's ``CannotRestartUnfinishedJob`` says the rule exists)."""

    status = 409
    error_code = 0
    template = "Job {id} cannot be restarted while it is {state}."

    def __init__(self, job_id: int, state: str) -> None:
        cls = type(self)
        super().__init__(cls.status, cls.error_code, cls.template.format(id=job_id, state=state))

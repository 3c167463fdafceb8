"""Errors of the transaction calls, RestartJob and wrong methods (the later endpoints).

The compact ones render Orchestrator's ``{"message","errorCode","traceId"}`` like the rest of
``exceptions.py``; :class:`MethodNotAllowed` renders ASP.NET API versioning's envelope.
Hierarchy::

    OrchestratorError (core/errors.py)
    ├── TransactionNotInProgress   409  0  progress/result for an item that is not InProgress
    └── JobNotRestartable          409  0  RestartJob for a job that has not finished
    PlainError (core/errors.py)
    └── MethodNotAllowed           405     {"error":{"code":"UnsupportedApiVersion",...}} + Allow

Neither compact error was ever recorded: the swagger names them (``FailedQueueItemDto.ErrorCode``
lists ``TransactionNotStarted``, ``QueueItemInvalidTransitionFromFinalStatus`` and
``CannotRestartUnfinishedJob``) but not their numbers. Status, code and text are class
attributes, so a test that knows better can flip them::

    TransactionNotInProgress.status = 400
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import OrchestratorError, PlainError

__all__ = ["JobNotRestartable", "MethodNotAllowed", "TransactionNotInProgress"]


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


class MethodNotAllowed(PlainError):
    """A known Orchestrator path asked with a method it does not serve.

    Body: [V] the 405 Orchestrator's own ASP.NET stack sent for a known path and a wrong
    method (uipathcli#136, uipath-wire §4.5), the API-versioning envelope with
    ``code: UnsupportedApiVersion``. ``Allow`` lists the methods the path serves: [I] the
    versioning library sets it on its 405s (dotnet/aspnet-api-versioning#795 shows one).
    """

    def __init__(self, method: str, url: str, allowed: Iterable[str]) -> None:
        self.method = method
        self.allowed = sorted(set(allowed))
        super().__init__(
            405,
            {
                "error": {
                    "code": "UnsupportedApiVersion",
                    "message": (
                        f"The HTTP resource that matches the request URI '{url}' "
                        f"does not support HTTP method '{method}'."
                    ),
                    "innerError": None,
                }
            },
            {"Allow": ", ".join(self.allowed)},
        )

    def summary(self) -> str:
        return f"405 {self.method} not allowed; allowed: {', '.join(self.allowed)}"

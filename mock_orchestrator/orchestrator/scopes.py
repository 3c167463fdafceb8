"""The scopes each Orchestrator operation accepts: one place, referenced by the route table.

[V] "OAuth required scopes" per operation in the UICLI swagger (docs/wire.md §6). A token needs
*one* of a set. Jobs also accept OR.Execution [I]: UiPath's SDK asks for OR.Execution by
default and starts jobs with it. The sets are named for what the route table says of a route
(``scopes=JOBS_READ``); nothing else repeats them.
"""

from __future__ import annotations

__all__ = [
    "ANY_TOKEN",
    "ASSETS_READ",
    "EXECUTION",
    "FOLDERS_READ",
    "JOBS_READ",
    "JOBS_WRITE",
    "QUEUES_READ",
    "QUEUES_WRITE",
    "RELEASES_READ",
    "ROBOTS_READ",
    "USERS_READ",
]

#: Any valid token, no particular scope (the Studio Web first-run calls).
ANY_TOKEN: frozenset[str] = frozenset()
EXECUTION = frozenset({"OR.Execution", "OR.Execution.Read", "OR.Execution.Write"})
JOBS_READ = frozenset({"OR.Jobs", "OR.Jobs.Read"}) | EXECUTION
JOBS_WRITE = frozenset({"OR.Jobs", "OR.Jobs.Write", "OR.Execution", "OR.Execution.Write"})
RELEASES_READ = frozenset({"OR.Execution", "OR.Execution.Read"})
FOLDERS_READ = frozenset({"OR.Folders", "OR.Folders.Read"})
USERS_READ = frozenset({"OR.Users", "OR.Users.Read"})
ASSETS_READ = frozenset({"OR.Assets", "OR.Assets.Read"})
QUEUES_READ = frozenset({"OR.Queues", "OR.Queues.Read"})
#: [V] swagger: AddQueueItem and every transaction call "OR.Queues or OR.Queues.Write".
QUEUES_WRITE = frozenset({"OR.Queues", "OR.Queues.Write"})
#: [V] swagger: Robots and Sessions "OR.Robots or OR.Robots.Read".
ROBOTS_READ = frozenset({"OR.Robots", "OR.Robots.Read"})

"""Domain objects of one Orchestrator tenant, one module per resource."""

from .assets import ASSET_FIELDS, Asset
from .folders import Folder, FolderStore, encode_folder_path
from .jobs import JOB_FIELDS, JOB_STATES, Job
from .queues import QUEUE_DEFINITION_FIELDS, QUEUE_ITEM_FIELDS, QueueDefinition, QueueItem
from .releases import RELEASE_FIELDS, ProcessBehaviour, Release

__all__ = [
    "ASSET_FIELDS",
    "JOB_FIELDS",
    "JOB_STATES",
    "QUEUE_DEFINITION_FIELDS",
    "QUEUE_ITEM_FIELDS",
    "RELEASE_FIELDS",
    "Asset",
    "Folder",
    "FolderStore",
    "Job",
    "ProcessBehaviour",
    "QueueDefinition",
    "QueueItem",
    "Release",
    "encode_folder_path",
]

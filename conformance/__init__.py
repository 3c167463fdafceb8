"""The conformance suite: stable rule IDs any team runs against its own UiPath client."""

from ._env import ClientAdapter, ClientEnv, Credential, NotSupported

__all__ = ["ClientAdapter", "ClientEnv", "Credential", "NotSupported"]

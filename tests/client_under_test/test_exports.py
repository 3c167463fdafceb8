"""The reference client's public names exist, and the required ones are exported."""

from __future__ import annotations

import client_under_test

REQUIRED = {
    "OrchestratorClient",
    "AsyncOrchestratorClient",
    "ClientCredentialsAuth",
    "RefreshTokenAuth",
    "UserKeyAuth",
    "PasswordAuth",
    "StaticTokenAuth",
    "MemoryTokenStore",
    "FileTokenStore",
    "ReauthenticationRequired",
    "ConfigurationError",
}


def test_all_exports_exist_and_the_required_ones_are_there() -> None:
    exported = set(client_under_test.__all__)
    assert exported >= REQUIRED
    for name in exported:
        assert getattr(client_under_test, name) is not None
    assert exported == {n for n in dir(client_under_test) if not n.startswith("_")} - {
        "adapter",
        "auth",
        "stores",
        "testing",
    }

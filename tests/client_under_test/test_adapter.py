"""The conformance plug: ``make_client(env)`` for every credential, on every profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from client_under_test.adapter import make_client
from conformance import ClientAdapter, ClientEnv, NotSupported
from mock_orchestrator import MockCloud

from .conftest import token_requests

CASES = [
    ("identity", "refresh_token"),
    ("identity", "client_credentials"),
    ("legacy", "user_key"),
    ("onprem", "password"),
    ("onprem", "client_credentials"),
]


def _env(cloud: MockCloud, credential: str, **extra: Any) -> ClientEnv:
    d = cloud.defaults
    refresh = credential == "refresh_token"
    return ClientEnv(
        profile=cloud.profile,  # type: ignore[arg-type]
        credential=credential,  # type: ignore[arg-type]
        url=d.url,
        organization=d.organization,
        tenant=d.tenant,
        folder=d.folder,
        identity_url=d.identity_url,
        legacy_token_url=d.legacy_token_url,
        client_id=d.public_client_id if refresh else d.client_id,
        client_secret=None if refresh else d.client_secret,
        scopes=None,
        refresh_token=d.refresh_token,
        user_key=d.user_key,
        username=d.username,
        password=d.password,
        clock=cloud.clock.time,
        sleep=cloud.clock.sleep,
        transport=cloud.transport(),
        **extra,
    )


@pytest.mark.parametrize(("profile", "credential"), CASES)
def test_the_adapter_starts_a_job_and_reads_its_state(
    make_cloud: Any, profile: str, credential: str
) -> None:
    cloud = make_cloud(profile)
    adapter = make_client(_env(cloud, credential))
    assert isinstance(adapter, ClientAdapter)
    try:
        key = adapter.start_job(cloud.defaults.process, cloud.defaults.folder, {"n": 1})
        assert adapter.get_job_state(key, cloud.defaults.folder) == "Pending"
        cloud.clock.advance(hours=25)  # the job finishes and every token kind expires
        assert adapter.get_job_state(key, cloud.defaults.folder) == "Successful"
    finally:
        adapter.close()
    assert len(token_requests(cloud)) == 2
    assert not cloud.journal.filter(status=401)


def test_the_adapter_uses_the_file_store_it_is_given(make_cloud: Any, tmp_path: Path) -> None:
    cloud = make_cloud("identity")
    path = tmp_path / "store.json"
    env = _env(cloud, "refresh_token", token_store=str(path))
    first = make_client(env)
    first.start_job(cloud.defaults.process, cloud.defaults.folder)
    first.close()
    second = make_client(env)  # a new client on the same store after a rotation
    cloud.clock.advance(hours=2)
    second.start_job(cloud.defaults.process, cloud.defaults.folder)
    second.close()
    assert path.exists()
    assert [e.status_code for e in token_requests(cloud)] == [200, 200]


def test_an_unknown_credential_is_not_supported(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    env = _env(cloud, "refresh_token")
    object.__setattr__(env, "credential", "saml")
    with pytest.raises(NotSupported):
        make_client(env)


def test_the_adapter_repr_hides_secrets(make_cloud: Any) -> None:
    cloud = make_cloud("identity")
    adapter = make_client(_env(cloud, "client_credentials"))
    assert cloud.defaults.client_secret not in repr(adapter)
    adapter.close()

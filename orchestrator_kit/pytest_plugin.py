"""The kit's fixtures for a team's own tests (``pytest11`` entry point ``uipath_mock``).

With the kit installed, any test can ask for a mock UiPath world, as respx offers ``respx_mock``
and pytest-httpx ``httpx_mock``::

    import httpx, pytest

    @pytest.mark.uipath_cloud(profile="legacy", grace_window=5)
    def test_my_client_survives_a_day(uipath_cloud, uipath_clock):
        d = uipath_cloud.defaults
        client = MyClient(d.url, transport=uipath_cloud.transport())
        client.start_job(d.process)
        uipath_clock.advance(hours=24)            # the legacy token is now dead
        client.start_job(d.process)               # refreshed on the way, or a 401

    def test_my_cli(uipath_served):              # the same world over HTTP on loopback
        subprocess.run(["my-cli"], env={"UIPATH_URL": uipath_served + "/acmecorp/AcmeDefaultq3v91"})

Fixtures (all function-scoped: each test gets its own world):

* ``uipath_cloud``: a fresh :class:`~mock_orchestrator.MockCloud`.
* ``uipath_clock``: its :class:`~mock_orchestrator.FakeClock` (frozen until advanced).
* ``uipath_served``: the base URL of the same world served on loopback, stopped after the test.
* ``uipath_client``: the kit's reference client wired to the same world in process (its
  clock, its transport) on the profile's default credential; closed after the test.
* ``uipath_cloud_settings``: ``{}``; override it in a ``conftest.py`` to configure every world
  of a directory, as pytest-recording's ``vcr_config``.

How the world is built: the ``uipath_cloud`` marker's keywords win (closest marker first: a
test's over its class's over its module's ``pytestmark``), then ``uipath_cloud_settings``, then
the ini options ``uipath_cloud_profile`` and ``uipath_cloud_seed``, then ``MockCloud``'s own
defaults (``identity``, seed 0). Every keyword of ``MockCloud`` is accepted: ``profile``,
``seed``, ``rate_limit_per_minute``, ``onprem_host`` and any auth setting (``grace_window=5``,
``refresh_rotation=False``, ...).

Nothing is imported until a fixture is used: this module loads in every pytest session where
the kit is installed, so it costs an import of pytest and prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from client_under_test import OrchestratorClient
    from mock_orchestrator import FakeClock, MockCloud

__all__ = [
    "uipath_client",
    "uipath_clock",
    "uipath_cloud",
    "uipath_cloud_settings",
    "uipath_served",
]

MARKER = "uipath_cloud"
PROFILE_INI = "uipath_cloud_profile"
SEED_INI = "uipath_cloud_seed"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(PROFILE_INI, "profile of uipath_cloud's worlds (identity)", default=None)
    parser.addini(SEED_INI, "seed of uipath_cloud's worlds (0)", default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(profile='identity', seed=0, **settings): how the uipath_cloud fixture "
        "builds this test's MockCloud (any MockCloud keyword, e.g. grace_window=5)",
    )


def _world_options(request: pytest.FixtureRequest, settings: dict[str, Any]) -> dict[str, Any]:
    """The ``MockCloud`` keywords for this test: marker > uipath_cloud_settings > ini."""
    options: dict[str, Any] = {}
    profile = request.config.getini(PROFILE_INI)
    if profile:
        options["profile"] = str(profile).strip()
    seed = request.config.getini(SEED_INI)
    if seed:
        try:
            options["seed"] = int(str(seed))
        except ValueError:
            raise pytest.UsageError(f"{SEED_INI}: not an integer: {seed!r}") from None
    options.update(settings)
    # iter_markers yields the closest first; apply the farthest first so the closest wins.
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if len(marker.args) > 1:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER} takes the profile as its only positional argument"
            )
        if marker.args:
            options["profile"] = marker.args[0]
        options.update(marker.kwargs)
    return options


@pytest.fixture
def uipath_cloud_settings() -> dict[str, Any]:
    """Keywords for every ``uipath_cloud`` world of this scope: override in a ``conftest.py``."""
    return {}


@pytest.fixture
def uipath_cloud(
    request: pytest.FixtureRequest, uipath_cloud_settings: dict[str, Any]
) -> MockCloud:
    """A fresh mock UiPath world for this test (see the ``uipath_cloud`` marker)."""
    from mock_orchestrator import MockCloud

    options = _world_options(request, uipath_cloud_settings)
    try:
        return MockCloud(**options)
    except (TypeError, ValueError) as exc:
        pytest.fail(f"uipath-mock: cannot build the world from {options!r}: {exc}", pytrace=False)


@pytest.fixture
def uipath_clock(uipath_cloud: MockCloud) -> FakeClock:
    """The world's clock: ``uipath_clock.advance(hours=1)`` expires a token in microseconds."""
    return uipath_cloud.clock


@pytest.fixture
def uipath_served(uipath_cloud: MockCloud) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT``) of ``uipath_cloud`` served over real HTTP.

    Configure an out-of-process client with ``UIPATH_URL = uipath_served + "/{org}/{tenant}"``
    (``GET {uipath_served}/_mock/defaults`` has every identifier); the server stops after the
    test. The world's clock stays the fixture's (frozen unless the test advances it).
    """
    with uipath_cloud.serve() as base_url:
        yield base_url


@pytest.fixture
def uipath_client(uipath_cloud: MockCloud) -> Iterator[OrchestratorClient]:
    """The kit's reference client on the world's default credential, clock and transport.

    For another credential: ``client_under_test.testing.client_for(uipath_cloud,
    "client_credentials")``.
    """
    from client_under_test.testing import client_for

    with client_for(uipath_cloud) as client:
        yield client

from __future__ import annotations

from mock_orchestrator.core.routing import ACCOUNT, ALL_SITES, CLOUD, ONPREM, Mount, Route, Router

CLOUD_ONLY = frozenset({CLOUD})


def token(req: object) -> None:
    """A stand-in handler: the router only stores it."""


def get_job(req: object) -> None:
    """A stand-in handler."""


def list_jobs(req: object) -> None:
    """A stand-in handler."""


def test_static_routes_match_case_insensitively_on_their_sites() -> None:
    router = Router([Route("POST", "/identity_/connect/token", token, CLOUD_ONLY)])
    found = router.match("POST", "/IDENTITY_/Connect/Token", CLOUD_ONLY)
    assert found is not None
    assert found.route.handler is token
    assert found.route.label == "token"  # without a name, the handler's name
    assert router.match("POST", "/identity_/connect/token", frozenset({ACCOUNT})) is None
    assert router.match("GET", "/identity_/connect/token", CLOUD_ONLY) is None


def test_regex_routes_pass_named_groups() -> None:
    router = Router([Route("GET", r"/odata/Jobs\((?P<id>\d+)\)", get_job)])
    found = router.match("GET", "/odata/jobs(42)", ALL_SITES)
    assert found is not None
    assert found.params == {"id": "42"}
    assert router.match("GET", "/odata/Jobs(42)/extra", ALL_SITES) is None


def test_mounts_join_prefix_params_and_respect_sites() -> None:
    inner = Router([Route("GET", "/odata/Jobs", list_jobs)])
    router = Router([Mount(r"/(?P<org>[^/]+)/(?P<tenant>[^/]+)/orchestrator_", inner, CLOUD_ONLY)])
    found = router.match("GET", "/acme/T1/orchestrator_/odata/Jobs", CLOUD_ONLY)
    assert found is not None
    assert found.params == {"org": "acme", "tenant": "T1"}
    assert router.match("GET", "/acme/T1/orchestrator_/odata/Jobs", frozenset({ONPREM})) is None
    # the prefix must end at a segment boundary
    assert router.match("GET", "/acme/T1/orchestrator_x/odata/Jobs", CLOUD_ONLY) is None


def test_closest_routes_explain_a_miss() -> None:
    router = Router(
        [Route("GET", "/odata/Releases", get_job), Route("GET", "/odata/Folders", list_jobs)]
    )
    assert "GET /odata/Releases" in router.closest("GET", "/odata/Release")


def test_required_literal_prefilter_never_hides_a_match() -> None:
    from mock_orchestrator.core.routing import _required_literal

    assert _required_literal(r"/odata/Jobs\((?P<id>\d+)\)") == "/odata/jobs("
    assert _required_literal(r"/odata/Jobss?") == "/odata/jobs"
    assert _required_literal(r"/a{0,1}bcd") == "bcd"
    assert _required_literal(r"/(?P<org>[^/]+)/(?P<tenant>[^/]+)") == "/"
    router = Router(
        [
            Route(
                "GET",
                r"/odata/Jobs/UiPath\.Server\.Configuration\.OData\.GetByKey"
                r"\(identifier='?(?P<key>[^)']+)'?\)",
                get_job,
            ),
            Route("GET", r"/v(?:1|2)?/items", list_jobs),
        ]
    )
    quoted = router.match(
        "GET", "/odata/Jobs/UiPath.Server.Configuration.OData.GetByKey(identifier='a-b')", ALL_SITES
    )
    assert quoted is not None
    assert quoted.params == {"key": "a-b"}
    assert router.match("GET", "/v/items", ALL_SITES) is not None
    assert router.match("GET", "/v2/items", ALL_SITES) is not None

"""``MockCloud``: one isolated world (state + fake clock) behind one request handler.

One core, several fronts (moto's layout): all state and rules live in the backends owned by
the world; ``handle`` is the whole server, and the fronts only carry requests to it:

* :meth:`MockCloud.handle`     -- ``httpx.Request -> httpx.Response``
* :meth:`MockCloud.transport`  -- an ``httpx.MockTransport`` for sync and async clients
* :meth:`MockCloud.intercept`  -- respx: every httpx client to the UiPath hosts, served here
* :meth:`MockCloud.serve`      -- a real HTTP server on loopback (uvicorn)

Example::

    cloud = MockCloud(profile="identity", seed=0)
    with httpx.Client(transport=cloud.transport()) as client:
        token = client.post(cloud.defaults.identity_url + "/connect/token", data={...})
    cloud.clock.advance(hours=1)   # the token is now expired, in microseconds
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from . import unmodelled
from ._defaults import Defaults
from ._routes import PASSWORD_ROUTES, TOKEN_ROUTES, route_labels, shared_router
from .core.clock import FakeClock
from .core.errors import (
    MethodNotAllowed,
    OrchestratorError,
    UnsupportedEndpoint,
    WireError,
    append_header,
    json_response,
)
from .core.faults import LOGIN_PAGE_HTML, Fault, Faults
from .core.ids import IdGenerator
from .core.journal import DEFAULT_LIMIT, Exchange, Journal
from .core.request import MAX_BODY_BYTES, BadBody, MockRequest
from .core.routing import ACCOUNT, CLOUD, ONPREM, Match, Route
from .identity.models import (
    ALL_OR_SCOPES,
    LEGACY_PKCE_CLIENT_ID,
    LEGACY_REDIRECT_URI,
    LEGACY_USER_KEY_CLIENT_ID,
    UIPATH_CLI_CLIENT_ID,
    ExternalApp,
    IdentityBackend,
    Tenant,
)
from .identity.responses import IdentityResponses, LegacyResponses, OnPremResponses
from .identity.settings import PROFILES, AuthSettings, Profile
from .orchestrator.backend import OrchestratorRegistry
from .orchestrator.models.ratelimit import DEFAULT_LIMIT_PER_MINUTE
from .orchestrator.responses import OrchestratorService

if TYPE_CHECKING:
    import respx

__all__ = ["CLOUD_HOSTS", "DEFAULT_ONPREM_HOST", "MockCloud"]

#: Emulated cloud hosts and the site each one is.
CLOUD_HOSTS: dict[str, str] = {
    "account.uipath.com": ACCOUNT,
    "cloud.uipath.com": CLOUD,
    "platform.uipath.com": CLOUD,
    "alpha.uipath.com": CLOUD,
    "staging.uipath.com": CLOUD,
}
DEFAULT_ONPREM_HOST = "orchestrator.mock.test"

_DEFAULT_APP_SCOPES = frozenset(
    {
        "OR.Execution",
        "OR.Jobs",
        "OR.Folders",
        "OR.Assets",
        "OR.Queues",
        "OR.Robots.Read",
        "OR.Users.Read",
    }
)
_CLI_USER_SCOPES = frozenset(
    (
        "ProcessMining OrchestratorApiUserAccess StudioWebBackend IdentityServerApi "
        "ConnectionService DataService DataServiceApiUserAccess DocumentUnderstanding "
        "Du.Digitization.Api Du.Classification.Api Du.Extraction.Api Du.Validation.Api "
        "EnterpriseContextService Directory JamJamApi LLMGateway LLMOps OMS "
        "RCS.FolderAuthorization TM.Projects TM.TestCases TM.Requirements TM.TestSets "
        "AutomationSolutions AT.TrackOperations Docs.GPT.Search"
    ).split()
)
#: Bound on the per-world route match cache (entries; cleared whole when full).
_MATCH_CACHE_SIZE = 1024
_INTERNAL_ERROR = {"message": "An error has occurred.", "errorCode": 0}


class MockCloud:
    """One world: identity servers and Orchestrator tenants on one fake clock.

    ``profile`` picks the auth generation (``legacy``, ``identity``, ``onprem``) whose presets
    and default credentials the world starts with; ``settings`` or keyword overrides
    (``grace_window=5``) change any preset. ``rate_limit_per_minute`` limits list GETs of Jobs
    and QueueItems per tenant (``None``: off). ``journal_limit`` is how many exchanges the
    journal keeps, the newest (``None``: all; see :class:`~mock_orchestrator.Journal`).
    Build a new ``MockCloud`` per test for isolation; ``reset()`` rebuilds the state in place.
    """

    def __init__(
        self,
        profile: Profile = "identity",
        *,
        seed: int = 0,
        settings: AuthSettings | None = None,
        clock: FakeClock | None = None,
        onprem_host: str = DEFAULT_ONPREM_HOST,
        rate_limit_per_minute: int | None = DEFAULT_LIMIT_PER_MINUTE,
        journal_limit: int | None = DEFAULT_LIMIT,
        **setting_overrides: Any,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; one of {', '.join(PROFILES)}")
        self.profile: Profile = profile
        self.seed = seed
        self.onprem_host = onprem_host
        self._rate_limit = rate_limit_per_minute
        self._journal_limit = journal_limit
        #: Bytes of a request body any route takes; more is a 413 in the route's dialect.
        self.max_body = MAX_BODY_BYTES
        base = settings or AuthSettings.for_profile(profile)
        self._settings = base.replace(**setting_overrides) if setting_overrides else base
        self.clock = clock or FakeClock()
        #: The document the world was built from (``from_world``); ``reset()`` re-applies it.
        self.world_document: dict[str, Any] | None = None
        self._lock = threading.RLock()
        self._router = shared_router()
        # (method, path, sites) -> Match | None. The route table never changes after
        # construction, so a path's match is a pure function of the key; pollers ask for the
        # same few paths thousands of times and a dict lookup is ~40x cheaper than the scan.
        self._matches: dict[tuple[str, str, frozenset[str]], Match | None] = {}
        self.hosts: dict[str, frozenset[str]] = {h: frozenset({s}) for h, s in CLOUD_HOSTS.items()}
        self.hosts[onprem_host] = frozenset({ONPREM})
        #: Sites a request on any other host (the served loopback origin) is routed as.
        self.served_sites = (
            frozenset({ONPREM}) if profile == "onprem" else frozenset({ACCOUNT, CLOUD})
        )
        self._build()

    # -- state ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.ids = IdGenerator(self.seed)
        self.journal = Journal(token_routes=TOKEN_ROUTES, limit=self._journal_limit)
        self.faults = Faults(self.seed, routes=route_labels())
        self.internal_errors: list[str] = []
        self._unmodelled_warned = unmodelled.Warned()
        # Each part gets what it uses, nothing more: identity the clock, ids and settings;
        # Orchestrator the clock, ids and identity as a directory (who is who).
        self.identity = IdentityBackend(
            clock=self.clock, ids=self.ids, settings=self._settings, onprem_host=self.onprem_host
        )
        self.orchestrator = OrchestratorRegistry(
            clock=self.clock, ids=self.ids, directory=self.identity
        )
        self.orchestrator.rate_limit_per_minute = self._rate_limit
        #: The per-world instance of each service class the route table names (``service=``).
        self._services: dict[type | None, Any] = {
            IdentityResponses: IdentityResponses(self.identity),
            LegacyResponses: LegacyResponses(self.identity),
            OnPremResponses: OnPremResponses(self.identity),
            OrchestratorService: OrchestratorService(self.identity, self.orchestrator),
        }
        self.defaults = self._provision()

    @property
    def settings(self) -> AuthSettings:
        """The identity settings of this world (lifetimes, rotation, grace window...)."""
        return self._settings

    @settings.setter
    def settings(self, value: AuthSettings) -> None:
        self._settings = value
        self.identity.settings = value

    @property
    def lock(self) -> threading.RLock:
        """Held while the world's state changes: each request, a reset, a world document."""
        return self._lock

    @property
    def rate_limit_per_minute(self) -> int | None:
        """List GETs of Jobs and QueueItems allowed per tenant and minute (``None``: off)."""
        return self._rate_limit

    @rate_limit_per_minute.setter
    def rate_limit_per_minute(self, value: int | None) -> None:
        self._rate_limit = value  # kept by reset()
        self.orchestrator.rate_limit_per_minute = value

    def register_service(self, service_class: type, service: Any) -> None:
        """Serve the routes of ``service_class`` with ``service`` (a test's stand-in).

        ``service.serve(route, request)`` is called for each of them.
        """
        self._services[service_class] = service

    def reset(self) -> None:
        """Rebuild every backend as new (same profile, seed and settings); the clock stays."""
        with self._lock:
            self._build()
            if self.world_document is not None:
                from .world import apply_world

                apply_world(self, self.world_document, starting=True)

    @classmethod
    def from_world(cls, document: dict[str, Any], **options: Any) -> MockCloud:
        """A world built from a world document (``mock_orchestrator/world``: the schema).

        ``profile``, ``seed`` and ``settings`` of the document choose how the world starts;
        ``options`` are the constructor's (``clock=``...). Raises ``WorldError`` naming the
        field when the document is not valid, before any world exists.
        """
        from .world import apply_world, startup_options

        start = startup_options(document)
        cloud = cls(**{**start, **options})
        apply_world(cloud, document, starting=True)
        cloud.world_document = document
        return cloud

    def _provision(self) -> Defaults:
        identity = self.identity
        profile = self.profile
        if profile == "onprem":
            org = identity.add_organization("host", "Host")
            tenant = identity.add_tenant(org, "Default", "Default")
        else:
            org = identity.add_organization("acmecorp", "Acme Corp")
            # Logical and display names differ, as they do in real tenants (forum 180188).
            tenant = identity.add_tenant(org, "AcmeDefaultq3v91", "AcmeDefault")
        user = identity.add_user(org, "ada", "ada@acme.test", "Correct-Horse-9")
        client_secret = self.ids.token(24)
        app = identity.add_app(
            ExternalApp(
                client_id=self.ids.guid(),
                name="Integration (confidential)",
                secret=client_secret,
                app_scopes=_DEFAULT_APP_SCOPES | ALL_OR_SCOPES,
                user_scopes=frozenset({"OrchestratorApiUserAccess"}),
                redirect_uris=("https://integration.acme.test/callback",),
                grant_types=frozenset(
                    {"client_credentials", "authorization_code", "refresh_token"}
                ),
                org_id=org.id,
            )
        )
        identity.add_app(
            ExternalApp(
                client_id=UIPATH_CLI_CLIENT_ID,
                name="UiPath CLI (public)",
                user_scopes=_CLI_USER_SCOPES,
                redirect_uris=(
                    "http://localhost:8104/oidc/login",
                    "http://localhost:8055/oidc/login",
                    "http://localhost:42042/oidc/login",
                ),
                grant_types=frozenset({"authorization_code", "refresh_token"}),
                org_id=org.id,
            )
        )
        identity.add_app(
            ExternalApp(
                client_id=LEGACY_PKCE_CLIENT_ID,
                name="UiPath legacy PKCE client",
                user_scopes=frozenset(),
                redirect_uris=(LEGACY_REDIRECT_URI,),
                grant_types=frozenset({"authorization_code"}),
                org_id=org.id,
            )
        )
        orch = self.orchestrator.for_tenant(tenant)
        folder = orch.default_folder
        release = orch.default_release
        refresh_token = user_key = None
        username = password = None
        legacy_client_id = None
        if profile == "identity":
            # The scopes UiPath's CLI asks for at login: offline_access and the API scopes, no
            # openid ([V] uipath-python auth_config_cloud.json), so refreshes carry no id_token.
            refresh_token = identity.issue_refresh_token(
                UIPATH_CLI_CLIENT_ID,
                user,
                frozenset({"offline_access", "OrchestratorApiUserAccess"}),
            )
        elif profile == "legacy":
            user_key = identity.issue_user_key(user)
            legacy_client_id = LEGACY_USER_KEY_CLIENT_ID
        else:
            username, password = user.username, user.password
        if profile == "identity":
            url = f"https://cloud.uipath.com/{org.name}/{tenant.name}"
            identity_url: str | None = "https://cloud.uipath.com/identity_"
        elif profile == "legacy":
            url = f"https://platform.uipath.com/{org.name}/{tenant.name}"
            identity_url = None
        else:
            url = f"https://{self.onprem_host}"
            identity_url = f"https://{self.onprem_host}/identity"
        return Defaults(
            profile=profile,
            url=url,
            identity_url=identity_url,
            legacy_token_url=(
                "https://account.uipath.com/oauth/token" if profile == "legacy" else None
            ),
            organization=org.name,
            organization_display_name=org.display_name,
            organization_id=org.id,
            tenant=tenant.name,
            tenant_display_name=tenant.display_name,
            tenant_id=tenant.id,
            folder=folder.fully_qualified_name,
            folder_id=folder.id,
            folder_key=folder.key,
            process=release.name,
            release_key=release.key,
            release_id=release.id,
            queue=orch.default_queue,
            asset=orch.default_asset,
            client_id=app.client_id,
            client_secret=client_secret,
            public_client_id=UIPATH_CLI_CLIENT_ID,
            redirect_uri="http://localhost:8104/oidc/login",
            scopes=" ".join(sorted(_DEFAULT_APP_SCOPES)),
            user_key=user_key,
            legacy_client_id=legacy_client_id,
            username=username,
            password=password,
            refresh_token=refresh_token,
            user_email=user.email,
        )

    @property
    def default_tenant(self) -> Tenant:
        found = self.identity.default_tenant
        assert found is not None
        return found

    # -- the server -----------------------------------------------------------------------

    def sites_for(self, host: str) -> frozenset[str]:
        """Which emulated sites a host is; any other host (loopback) is the served origin."""
        return self.hosts.get(host) or self.served_sites

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request: the whole mock server as a function."""
        sites = self.sites_for(request.url.host)
        path = request.url.path
        method = request.method
        key = (method, path, sites)
        try:  # matches are shared between calls: handlers treat req.params as read-only
            match = self._matches[key]
        except KeyError:
            match = self._router.match(method, path, sites)
            if len(self._matches) >= _MATCH_CACHE_SIZE:  # fuzzers send endless new paths
                self._matches.clear()
            self._matches[key] = match
        label = match.route.label if match is not None else None
        fault_label = auth = error = None
        with self._lock:
            fault = self.faults.pick(label, method, path) if self.faults else None
            try:
                if fault is not None:
                    fault_label = fault.label()
                    response = self._apply_fault(fault, request)
                    if response is None:  # latency only: serve normally afterwards
                        fault_label = None if fault.kind == "latency" else fault_label
                        response = self._dispatch(request, match, sites, method, path)
                else:
                    response = self._dispatch(request, match, sites, method, path)
            except WireError as exc:
                response = exc.to_response(self.ids)
                auth = getattr(exc, "auth_reason", None)
                error = exc.unmodelled
            except BadBody as exc:  # a handler that did not expect bad input: still no 500
                response = _refuse_bad_input(label, exc).to_response(self.ids)
            except httpx.TransportError as exc:
                self._record(request, None, label, sites, fault_label, type(exc).__name__, auth)
                raise
            except Exception:  # a bug of the mock: never a traceback on the wire
                error = traceback.format_exc(limit=8)
                self.internal_errors.append(error)
                response = json_response(500, _INTERNAL_ERROR)
            if label is not None and label.startswith("orchestrator") and fault_label is None:
                versions = self.orchestrator.api_supported_versions
                if versions:  # ASP.NET API versioning stamps every answer of its controllers
                    append_header(response, b"api-supported-versions", versions.encode("ascii"))
            self._record(request, response, label, sites, fault_label, error, auth)
        return response

    # The served front runs a handler marked ``blocking`` in a worker thread (a conformance
    # hold wraps this one so); this one never waits. Said here, the front's check per request
    # finds the answer instead of raising and catching an AttributeError (0.3 us).
    handle.blocking = False  # type: ignore[attr-defined]

    def _dispatch(
        self,
        request: httpx.Request,
        match: Match | None,
        sites: frozenset[str],
        method: str,
        path: str,
    ) -> httpx.Response:
        if match is None:
            allowed = self._router.allowed_methods(path, sites, prefix="orchestrator.")
            published = unmodelled.published_operation(method, path)
            exc: WireError
            if allowed:  # a known Orchestrator path, another method: ASP.NET's 405
                url = request.url.copy_with(query=None, fragment=None)
                exc = MethodNotAllowed(method, str(url), allowed)
                if published is None:  # a wrong method, modelled as Orchestrator answers it
                    raise exc
                closest = [f"{m} {path}" for m in allowed]
            else:
                closest = self._router.closest(method, path)
                exc = UnsupportedEndpoint(method, path, closest)
            # unmodelled: the status stays, the header, journal and console say so
            text = unmodelled.describe(method, path, closest)
            exc.headers[unmodelled.HEADER] = unmodelled.header_value(text)
            exc.unmodelled = text
            self._unmodelled_warned.warn(method, path, text)
            raise exc
        try:
            too_large = len(request.content) > self.max_body
        except httpx.RequestNotRead:  # a streamed body no front read: nothing to measure
            too_large = False
        if too_large:
            raise BadBody(f"the body is larger than {self.max_body} bytes", too_large=True)
        route: Route = match.route
        req = MockRequest(request, match.params, sites, route.label, path)
        response: httpx.Response = self._services[route.service].serve(route, req)
        return response

    def _record(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        label: str | None,
        sites: frozenset[str],
        fault: str | None,
        error: str | None,
        auth: str | None,
    ) -> None:
        journal = self.journal
        # Positional arguments, in Exchange's field order: keywords cost a third more here.
        journal.record(
            Exchange(
                journal.next_seq(),
                self.clock.time(),
                request,
                response,
                label,
                next(iter(sites)) if len(sites) == 1 else "served",
                fault,
                error,
                auth,
            )
        )

    def _apply_fault(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        if fault.latency:
            self.clock.advance(fault.latency)
        kind = fault.kind
        if kind == "latency":
            return None
        if kind == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if kind == "stall":
            timeout = (request.extensions.get("timeout") or {}).get("read")
            if timeout is None:
                fault.saw_no_timeout = True  # a real server would have hung this client forever
                self.clock.advance(3600)
                raise httpx.ReadTimeout(
                    "uipath-mock: stalled; the client set no timeout", request=request
                )
            self.clock.advance(float(timeout))
            raise httpx.ReadTimeout("timed out", request=request)
        if kind == "login_redirect":
            origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
            return httpx.Response(
                302,
                headers={"location": f"{origin}/identity_/web/login?returnUrl=%2F"},
                text=LOGIN_PAGE_HTML,
            )
        if kind == "login_html":
            return httpx.Response(
                200, text=LOGIN_PAGE_HTML, headers={"content-type": "text/html; charset=utf-8"}
            )
        if fault.body is None and fault.status >= 400:
            return OrchestratorError(
                fault.status,
                0,
                _STATUS_TEXT.get(fault.status, "An error has occurred."),
                fault.headers,
            ).to_response(self.ids)
        if isinstance(fault.body, (bytes, str)):
            return httpx.Response(fault.status, content=fault.body, headers=fault.headers)
        return json_response(fault.status, fault.body, fault.headers)

    # -- fronts ---------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport serving this world, for ``httpx.Client`` and ``AsyncClient``."""
        return httpx.MockTransport(self.handle)

    @contextmanager
    def intercept(self, *, passthrough: bool = False) -> Iterator[respx.MockRouter]:
        """Serve every httpx request to the emulated hosts from this world (respx).

        Any client is caught, even one that builds its own ``httpx.Client`` (UiPath's SDK).
        A request to another host raises respx's ``AllMockedAssertionError`` instead of going
        out, unless ``passthrough=True``.
        """
        import respx

        from ._intercept import world_route

        router = respx.mock(assert_all_called=False, assert_all_mocked=True)
        router.add(world_route(self.hosts, self.handle))
        if passthrough:
            router.route().pass_through()
        with router:
            yield router

    @contextmanager
    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, stall_cap: float | None = None
    ) -> Iterator[str]:
        """Serve this world over real HTTP on loopback; yields the base URL. ``stall_cap``:
        real seconds a stalled answer is held (``serve_in_thread``'s, 30 by default)."""
        from .served import DEFAULT_STALL_CAP, serve_in_thread

        cap = DEFAULT_STALL_CAP if stall_cap is None else stall_cap
        with serve_in_thread(self, host=host, port=port, stall_cap=cap) as base_url:
            yield base_url

    def __repr__(self) -> str:
        return f"MockCloud(profile={self.profile!r}, seed={self.seed}, clock={self.clock!r})"


def _refuse_bad_input(label: str | None, exc: BadBody) -> WireError:
    """The 400 (413 for a too-large body) of the route's own dialect for unparsable input."""
    if label is not None and label.startswith("orchestrator"):
        from .orchestrator.exceptions import BodyTooLarge
        from .orchestrator.exceptions import InvalidRequest as OrchestratorInvalidRequest

        return BodyTooLarge() if exc.too_large else OrchestratorInvalidRequest(str(exc))
    status = 413 if exc.too_large else 400
    if label in PASSWORD_ROUTES:  # the login envelope {message, errorCode, resourceIds}
        from .core.errors import LoginError

        return LoginError(str(exc), status_code=status)
    if label is not None and label.endswith("revocation") and exc.too_large:
        from .core.errors import PlainError

        return PlainError(413, None)  # as the revocation endpoint answers it itself
    if label is not None and label.startswith("legacy."):
        from .core.errors import Auth0Error

        return Auth0Error("invalid_request", str(exc), status_code=status)
    from .identity.exceptions import InvalidRequest

    return InvalidRequest(str(exc), status)


_STATUS_TEXT = {
    429: "Too Many Requests",
    500: "An error has occurred.",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

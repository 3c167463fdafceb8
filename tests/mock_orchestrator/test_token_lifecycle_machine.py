"""A model-based test of the identity_ token lifecycle: random sequences, one simple model.

Hypothesis drives random sequences of logins, refreshes, revocations, Orchestrator calls and
clock steps against a fresh ``MockCloud("identity", **settings)`` over the wire
(``httpx.Client(transport=cloud.transport())``), and checks every answer against
:class:`Model`, a few dicts written from the rules themselves rather than from the mock's code:

* rotation, reuse detection and family revocation: RFC 9700 §4.14.2, RFC 6819 §5.2.2.3
  (/work/docs/anchors.md (d) 4-5);
* the grace window, which only the *immediately previous* token enjoys, counted from its
  consumption, answering a new or the same successor (docs/anchors.md (d) 6, ``AuthSettings``);
* client binding (``invalid_grant``) and scope narrowing, never widening (``invalid_scope``):
  RFC 6749 §6, docs/anchors.md (d) 9; the 60-day absolute family life ([D] docs/wire.md §4);
* revocation, RFC 7009 as ``identity/revocation.py`` documents IdentityServer's reading of it:
  200 and an empty body for anything but a bad client, the whole family for a refresh token,
  access tokens only with ``revocable_access_tokens``, and a hint that narrows the search;
* RP-initiated logout (``/connect/endsession`` with an id token as the hint): the session
  ends and the user's families of that client are revoked (``identity/revocation.py``);
* access tokens at Orchestrator: 401 with the journal's ``auth`` reason "revoked" before
  "expired", "id_token" for an id token, "unknown" for a string nobody issued.

The invariants hold after every step: no 500 of the mock's own making, no refresh token
accepted twice outside the grace window, no family half revoked, no token in the journal.

Tokens are named by the machine (``F1.2``: family 1, generation 2; ``A3``: the third access
token), so a shrunk failure reads as a story and never prints a token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from mock_orchestrator import MockCloud

from ._helpers import VERIFIER, authorize, challenge, code_from

ClientName = Literal["public", "confidential"]
SIXTY_DAYS = 60 * 86400
ACCESS_LIFETIME = 3600  # the identity preset [V] docs/wire.md §4
LOGIN_SCOPES = frozenset({"offline_access", "OrchestratorApiUserAccess"})
#: What a refresh may ask for, as offsets from the grant's scopes.
NARROWER = "OrchestratorApiUserAccess"
WIDER = "OrchestratorApiUserAccess offline_access OR.Jobs"
GARBAGE = "0123456789ABCDEF" * 4  # shaped like a refresh handle, issued by nobody
REDIRECT: dict[ClientName, str] = {
    "public": "http://localhost:8104/oidc/login",
    "confidential": "https://integration.acme.test/callback",
}


def outcome(response: httpx.Response) -> str:
    """A token endpoint's answer in a word ("ok" or its OAuth error), never its tokens."""
    if response.status_code == 200:
        return "ok"
    error = response.json().get("error") if response.status_code == 400 else None
    return str(error or response.status_code)


def caller(who: str, own: ClientName) -> ClientName | Literal["bad"]:
    """The client making a call: the token's ``own``, the ``other`` one, or a ``bad`` secret."""
    if who == "bad":
        return "bad"
    if who == "own":
        return own
    return "confidential" if own == "public" else "public"


# -- the model ---------------------------------------------------------------------------


@dataclass(eq=False)
class Family:
    name: str
    client: ClientName
    started: float
    scopes: frozenset[str]
    newest: str = field(default="", repr=False)
    revoked: bool = False


@dataclass(eq=False)
class Refresh:
    label: str
    family: Family
    consumed_at: float | None = None
    successor: str | None = None
    #: Invalidated without its family: a successor replaced by a "new" grace-window retry.
    dead: bool = False


@dataclass(eq=False)
class Access:
    label: str
    client: ClientName
    family: Family | None
    expires_at: float
    revoked: bool = False


@dataclass
class Model:
    """The rules, in plain Python. ``s`` holds the world's settings."""

    s: dict[str, Any]
    now: float
    families: list[Family] = field(default_factory=list)
    refresh: dict[str, Refresh] = field(default_factory=dict)  # token -> model
    access: dict[str, Access] = field(default_factory=dict)  # token -> model
    #: id tokens (label, audience): valid end-session hints, refused by Orchestrator.
    id_tokens: dict[str, tuple[str, ClientName]] = field(default_factory=dict)
    #: Whether the browser's session was ended at the end-session endpoint.
    session_ended: bool = False

    def new_family(
        self, token: str, client: ClientName, scopes: frozenset[str] = LOGIN_SCOPES
    ) -> Family:
        family = Family(f"F{len(self.families)}", client, self.now, scopes, newest=token)
        self.families.append(family)
        self.refresh[token] = Refresh(f"{family.name}.0", family)
        return family

    def add_access(self, token: str, client: ClientName, family: Family | None) -> None:
        label = f"A{len(self.access)}"
        self.access[token] = Access(label, client, family, int(self.now) + ACCESS_LIFETIME)

    def live_families(self) -> list[Family]:
        return [f for f in self.families if not f.revoked and self.now < f.started + SIXTY_DAYS]

    def add_id_token(self, token: str, client: ClientName) -> None:
        self.id_tokens[token] = (f"I{len(self.id_tokens)}", client)

    def end_session(self, client: ClientName) -> None:
        """A valid hint ends the session and revokes the user's families of that client."""
        self.session_ended = True
        for family in self.families:  # every family here is the one user's
            if family.client == client and not family.revoked:
                self.revoke_family(family)

    def revoke_family(self, family: Family) -> None:
        family.revoked = True
        if self.s["revoke_access_tokens_with_family"]:
            for access in self.access.values():
                if access.family is family:
                    access.revoked = True

    def expect_refresh(
        self, token: str, client: ClientName | Literal["bad"], scope: str | None
    ) -> tuple[str, bool]:
        """What a refresh answers: ``("ok", in_grace)`` or ``(error, False)``.

        Side effects of a refusal (reuse detection) happen here; those of a success are
        :meth:`refreshed`'s, once the answer's new token is known.
        """
        if client == "bad":
            return "invalid_client", False
        rt = self.refresh.get(token)
        if rt is None or rt.family.client != client:
            return "invalid_grant", False  # unknown, or bound to another client (RFC 6749 §6)
        family = rt.family
        if family.revoked or rt.dead:
            return "invalid_grant", False
        if self.now >= family.started + SIXTY_DAYS:
            return "invalid_grant", False
        in_grace = False
        if rt.consumed_at is not None:
            # Only the immediately previous token, within the window from its consumption.
            in_grace = (
                self.now - rt.consumed_at < self.s["grace_window"] and rt.successor == family.newest
            )
            if not in_grace:
                if self.s["reuse_detection"]:
                    self.revoke_family(family)  # RFC 9700 §4.14.2
                return "invalid_grant", False
        requested = frozenset(scope.split()) if scope else family.scopes
        if not requested <= family.scopes:
            return "invalid_scope", False
        return "ok", in_grace

    def refreshed(self, token: str, in_grace: bool, answered: str) -> str | None:
        """Apply a successful refresh; the refresh token the answer must carry (None: any new)."""
        rt = self.refresh[token]
        family = rt.family
        if not self.s["refresh_rotation"]:
            return token  # the same handle comes back, forever
        if in_grace and self.s["grace_returns"] == "same":
            return rt.successor
        if in_grace:
            assert rt.successor is not None
            self.refresh[rt.successor].dead = True
        else:
            rt.consumed_at = self.now
        generation = len([r for r in self.refresh.values() if r.family is family])
        self.refresh[answered] = Refresh(f"{family.name}.{generation}", family)
        rt.successor = family.newest = answered
        return None

    def expect_api(self, token: str) -> str | None:
        """The journal's ``auth`` reason for an Orchestrator call, None for a 200."""
        if token in self.id_tokens:
            return "id_token"  # an id token is no access token, live or not
        access = self.access.get(token)
        if access is None:
            return "unknown"
        if access.revoked:
            return "revoked"
        if self.now >= access.expires_at:
            return "expired"
        return None


# -- the machine -------------------------------------------------------------------------

WORLD_SETTINGS = st.fixed_dictionaries(
    {
        "refresh_rotation": st.booleans(),
        "reuse_detection": st.booleans(),
        "grace_window": st.sampled_from([0.0, 2.0, 5.0]),
        "grace_returns": st.sampled_from(["new", "same"]),
        "revoke_access_tokens_with_family": st.booleans(),
        "revocable_access_tokens": st.booleans(),
    }
)
CLOCK_STEPS = [1, 2, 3, 60, 3599, 3600, 86400, 30 * 86400, 61 * 86400]


class TokenLifecycle(RuleBasedStateMachine):
    """One world, one model, one client; every rule is one exchange (or a clock step)."""

    @initialize(world=WORLD_SETTINGS)
    def build_world(self, world: dict[str, Any]) -> None:
        self.cloud = MockCloud("identity", **world)
        self.http = httpx.Client(transport=self.cloud.transport(), follow_redirects=False)
        d = self.cloud.defaults
        assert d.identity_url is not None
        assert d.refresh_token is not None
        self.token_url = d.identity_url + "/connect/token"
        self.model = Model(dict(world), self.cloud.clock.time())
        # The world's own login: a refresh token of the public CLI client, issued at the start.
        self.model.new_family(d.refresh_token, "public")
        #: Every refresh token the mock accepted, with the model times it was accepted at.
        self.accepted: dict[str, list[float]] = {}
        #: Every secret the journal must never show.
        self.secrets: set[str] = {d.refresh_token, d.client_secret or ""}
        self.journal_checked = 0
        #: The refresh token the last successful refresh was made with.
        self.last_consumed: str | None = None

    def teardown(self) -> None:
        if hasattr(self, "http"):
            self.http.close()

    # -- helpers --------------------------------------------------------------------------

    def client_form(self, who: ClientName | Literal["bad"]) -> dict[str, str]:
        d = self.cloud.defaults
        if who == "public":
            return {"client_id": d.public_client_id}
        secret = d.client_secret if who == "confidential" else "not-the-secret"
        return {"client_id": d.client_id, "client_secret": secret or ""}

    def pick_refresh(self, data: st.DataObject, which: str) -> str:
        """A refresh token by label: the newest of a family, an older one, or any (garbage too)."""
        pool = {
            "newest": [t for t, r in self.model.refresh.items() if r.family.newest == t],
            "older": [t for t, r in self.model.refresh.items() if r.family.newest != t],
        }.get(which) or list(self.model.refresh)
        by_label = {self.model.refresh[t].label: t for t in pool}
        if which == "any":
            by_label["garbage"] = GARBAGE
        return by_label[data.draw(st.sampled_from(sorted(by_label)), label="refresh token")]

    def pick_access(self, data: st.DataObject, *, id_tokens: bool = False) -> str:
        """An access token by label (``A3``), an id token (``I1``) if asked, or garbage."""
        by_label = {a.label: t for t, a in self.model.access.items()}
        if id_tokens:
            by_label.update({label: t for t, (label, _) in self.model.id_tokens.items()})
        by_label["garbage"] = GARBAGE
        return by_label[data.draw(st.sampled_from(sorted(by_label)), label="access token")]

    def remember(self, body: dict[str, Any]) -> None:
        for key in ("access_token", "refresh_token", "id_token"):
            if key in body:
                self.secrets.add(body[key])

    # -- rules ----------------------------------------------------------------------------

    @precondition(lambda self: len(self.model.live_families()) < 4)
    @rule(who=st.sampled_from(["public", "confidential"]), openid=st.booleans())
    def login(self, who: ClientName, openid: bool) -> None:
        """Authorization code with PKCE and offline_access: a new family and an access token.

        With ``openid`` the answer carries an id token too (and so does every refresh that
        keeps the scope). After an end-session the browser must sign in again first.
        """
        d = self.cloud.defaults
        assert d.identity_url is not None
        scopes = LOGIN_SCOPES | {"openid"} if openid else LOGIN_SCOPES
        answer = authorize(
            self.http,
            d.identity_url + "/connect/authorize",
            client_id=self.client_form(who)["client_id"],
            redirect_uri=REDIRECT[who],
            scope=" ".join(sorted(scopes)),
            code_challenge=challenge(),
        )
        if self.model.session_ended:
            assert answer.status_code == 302
            assert "errorCode=login_required" in answer.headers["location"]
            return
        form = {
            "grant_type": "authorization_code",
            "code": code_from(answer),
            "redirect_uri": REDIRECT[who],
            "code_verifier": VERIFIER,
            **self.client_form(who),
        }
        response = self.http.post(self.token_url, data=form)
        assert outcome(response) == "ok", outcome(response)
        body = response.json()
        self.remember(body)
        assert body["scope"] == " ".join(sorted(scopes))
        assert ("id_token" in body) == openid
        family = self.model.new_family(body["refresh_token"], who, scopes)
        self.model.add_access(body["access_token"], who, family)
        if openid:
            self.model.add_id_token(body["id_token"], who)

    @precondition(lambda self: self.model.id_tokens)
    @rule(data=st.data())
    def end_session(self, data: st.DataObject) -> None:
        """RP-initiated logout with an id token as the hint, back to the client's redirect."""
        by_label = {label: (t, c) for t, (label, c) in self.model.id_tokens.items()}
        token, client = by_label[data.draw(st.sampled_from(sorted(by_label)), label="id token")]
        identity_url = self.cloud.defaults.identity_url
        assert identity_url is not None
        params = {"id_token_hint": token, "post_logout_redirect_uri": REDIRECT[client]}
        answer = self.http.get(identity_url + "/connect/endsession", params=params)
        # An expired id token is still a valid hint ([D] UITS-LOGOUT §11, revocation.py).
        assert answer.status_code == 302, answer.status_code
        assert answer.headers["location"] == REDIRECT[client]
        self.model.end_session(client)

    @precondition(lambda self: self.model.session_ended)
    @rule()
    def sign_in_again(self) -> None:
        """The person signs in at Identity's login page (the mock's lever for it)."""
        self.cloud.identity.sign_in()
        self.model.session_ended = False

    @precondition(lambda self: sum(a.family is None for a in self.model.access.values()) < 3)
    @rule()
    def client_credentials(self) -> None:
        """An application token (no refresh token, no family), up to three of them."""
        form = {"grant_type": "client_credentials", "scope": "OR.Folders"}
        response = self.http.post(self.token_url, data={**form, **self.client_form("confidential")})
        assert outcome(response) == "ok", outcome(response)
        body = response.json()
        self.remember(body)
        assert "refresh_token" not in body  # RFC 6749 §4.4.3
        self.model.add_access(body["access_token"], "confidential", None)

    @rule(
        data=st.data(),
        which=st.sampled_from(["newest", "older", "any"]),
        who=st.sampled_from(["own", "other", "bad"]),
        scope=st.sampled_from(["omitted", "narrower", "wider"]),
    )
    def refresh(self, data: st.DataObject, which: str, who: str, scope: str) -> None:
        token = self.pick_refresh(data, which)
        self._refresh(token, who, scope)

    @precondition(lambda self: self.model.live_families())
    @rule(data=st.data(), scope=st.sampled_from(["omitted", "narrower"]))
    def refresh_newest(self, data: st.DataObject, scope: str) -> None:
        """What a well-behaved client does: the newest token of a live family, its own client."""
        live = {f.name: f for f in self.model.live_families()}
        family = live[data.draw(st.sampled_from(sorted(live)), label="family")]
        self._refresh(family.newest, "own", scope)

    @precondition(lambda self: self.last_consumed is not None)
    @rule(after=st.sampled_from([0, 1, 2, 3]))
    def retry_last_refresh(self, after: int) -> None:
        """The lost-response retry: ``after`` seconds, the last accepted refresh token again."""
        assert self.last_consumed is not None
        self.advance_clock(after)
        self._refresh(self.last_consumed, "own", "omitted")

    def _refresh(self, token: str, who: str, scope: str) -> None:
        model = self.model
        known = model.refresh.get(token)
        client = caller(who, known.family.client if known else "public")
        scope_text = {"narrower": NARROWER, "wider": WIDER}.get(scope)
        form = {"grant_type": "refresh_token", "refresh_token": token}
        if scope_text:
            form["scope"] = scope_text
        response = self.http.post(self.token_url, data={**form, **self.client_form(client)})
        expected, in_grace = model.expect_refresh(token, client, scope_text)
        if expected != "ok":
            assert outcome(response) == expected, f"mock {outcome(response)}, model {expected}"
            return
        assert outcome(response) == "ok", f"mock {outcome(response)}, model ok"
        body = response.json()
        self.remember(body)
        self.accepted.setdefault(token, []).append(model.now)
        self.last_consumed = token
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == ACCESS_LIFETIME
        assert known is not None
        assert client != "bad"
        requested = frozenset((scope_text or "").split()) or known.family.scopes
        assert body["scope"] == " ".join(sorted(requested))
        assert ("id_token" in body) == ("openid" in requested)
        if "id_token" in body:
            model.add_id_token(body["id_token"], client)
        answered = body["refresh_token"]
        is_new = answered not in model.refresh
        must_be = model.refreshed(token, in_grace, answered)
        if must_be is not None:
            assert answered == must_be
        else:
            assert is_new, "a rotation must answer a token never seen before"
        model.add_access(body["access_token"], client, known.family)

    @rule(
        data=st.data(),
        kind=st.sampled_from(["refresh", "access"]),
        who=st.sampled_from(["own", "other", "bad"]),
        hint=st.sampled_from([None, "refresh_token", "access_token"]),
    )
    def revoke(self, data: st.DataObject, kind: str, who: str, hint: str | None) -> None:
        model = self.model
        token = self.pick_refresh(data, "any") if kind == "refresh" else self.pick_access(data)
        rt = model.refresh.get(token)
        at = model.access.get(token)
        client = caller(who, rt.family.client if rt else at.client if at else "public")
        form = {"token": token, **self.client_form(client)}
        if hint:
            form["token_type_hint"] = hint
        response = self.http.post(self.token_url.replace("/token", "/revocation"), data=form)
        if client == "bad":
            assert response.json() == {"error": "invalid_client"}, outcome(response)
            assert response.status_code == 400
            return
        # RFC 7009 §2.2: 200 and no body, found or not, the caller's or not.
        assert outcome(response) == "ok", outcome(response)
        assert response.content == b""
        # The hint narrows the search (IdentityServer; identity/revocation.py).
        if rt is not None and hint != "access_token" and client == rt.family.client:
            model.revoke_family(rt.family)  # RFC 7009 §2.1: the whole grant
        revocable = model.s["revocable_access_tokens"]
        if at is not None and revocable and hint != "refresh_token" and client == at.client:
            at.revoked = True

    @rule(seconds=st.sampled_from(CLOCK_STEPS))
    def advance_clock(self, seconds: int) -> None:
        """Seconds (inside or past a grace window) up to past an hour or a family's 60 days."""
        self.cloud.clock.advance(seconds)
        self.model.now += seconds

    @rule(data=st.data())
    def call_orchestrator(self, data: st.DataObject) -> None:
        self._call_orchestrator(self.pick_access(data, id_tokens=True))

    def _call_orchestrator(self, token: str) -> None:
        d = self.cloud.defaults
        response = self.http.get(
            d.url + "/orchestrator_/odata/Folders",
            headers={
                "Authorization": f"Bearer {token}",
                "X-UIPATH-OrganizationUnitId": str(d.folder_id),
            },
        )
        reason = self.model.expect_api(token)
        exchange = self.cloud.journal[-1]
        if reason is None:
            assert outcome(response) == "ok", outcome(response)
            assert exchange.auth is None
        else:
            assert response.status_code == 401, f"mock {response.status_code}, model 401 {reason}"
            assert exchange.auth == reason

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def no_internal_error(self) -> None:
        assert self.cloud.internal_errors == []

    @invariant()
    def no_refresh_token_accepted_twice_outside_the_grace_window(self) -> None:
        if not self.model.s["refresh_rotation"]:
            return  # without rotation a refresh token is meant to be used again
        window = self.model.s["grace_window"]
        for times in self.accepted.values():
            assert all(t - times[0] < window for t in times[1:]), times

    @invariant()
    def families_are_live_or_revoked_never_half(self) -> None:
        # Read from the mock's state: a revoked family with a live member is the "half" case.
        backend = self.cloud.identity
        for family in backend.families.values():
            members = [rt for rt in backend.refresh_tokens.values() if rt.family is family]
            if family.revoked:
                assert all(rt.revoked for rt in members), family
        for token, rt in self.model.refresh.items():
            assert backend.refresh_tokens[token].family.revoked == rt.family.revoked, rt.label

    @invariant()
    def the_journal_shows_no_token(self) -> None:
        entries = list(self.cloud.journal)[self.journal_checked :]
        self.journal_checked += len(entries)
        for entry in entries:
            text = json.dumps(entry.to_dict())
            leaked = [s for s in self.secrets if s and s in text]
            assert not leaked, f"journal entry #{entry.seq} shows a secret"


TokenLifecycle.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, print_blob=True
)
TestTokenLifecycle = TokenLifecycle.TestCase

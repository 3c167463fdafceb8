"""Signing and remembering tokens: RS256 once at issue, a dict lookup on every API call.

The Orchestrator side calls :meth:`TokenRegistry.check` on every request. It never does RSA
work there: a token this world issued is found by its exact string in a dict, and its record
says what it is (access or id token), whom it binds (organization, tenants), its scopes and
when it dies. A string the world never issued is rejected without being parsed. This is what
keeps an authenticated call through the mock within a quarter of a bare MockTransport.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

__all__ = ["Issuer", "TokenKind", "TokenRecord", "TokenRegistry", "load_issuer_key"]

TokenKind = Literal["access", "id", "pat"]
IssuerName = Literal["identity", "legacy", "onprem"]


@cache
def load_issuer_key(name: IssuerName) -> tuple[RSAPrivateKey, str, dict[str, Any]]:
    """The private key, its ``kid`` (RFC 7638 thumbprint) and public JWK of an issuer."""
    pem = resources.files("mock_orchestrator.identity").joinpath(f"keys/{name}.pem").read_bytes()
    # The keys are the kit's own, checked in next to this module: nobody can hand us a crafted
    # one, so the RSA consistency checks (about 100 ms per key, paid again by every xdist worker
    # and every CLI start) guard against nothing here. cryptography >= 39 has the switch; the
    # kit's floor is 42. Never copy this to code that loads a key it did not ship.
    key = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    assert isinstance(key, RSAPrivateKey)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    canonical = json.dumps(
        {k: public_jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=")
    public_jwk.update({"kid": kid.decode(), "use": "sig", "alg": "RS256"})
    return key, kid.decode(), public_jwk


class Issuer:
    """One identity server's signer: ``iss``, key and JWKS."""

    def __init__(self, name: IssuerName, issuer_url: str) -> None:
        self.name = name
        self.url = issuer_url
        self._key, self.kid, self._jwk = load_issuer_key(name)
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        self._header = _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())

    def sign(self, claims: dict[str, Any]) -> str:
        """An RS256 JWT (RFC 7515 compact form): ``header.payload.signature``, base64url.

        Byte for byte what ``jwt.encode(claims, key, "RS256", headers={"kid": kid})`` returns
        (tests/mock_orchestrator/test_fast_paths.py holds them equal): the same JSON (sorted
        header, compact, ASCII) and PKCS#1 v1.5 signatures, which are deterministic.
        PyJWT's generic path (algorithm lookup, key checks, header validation) cost ~6 us a
        token in a tight loop, and 15-30 us at the median in the 30-day simulation, where its
        extra layers and objects meet cold caches (bench/exchanges.py).
        """
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
        signing_input = self._header + b"." + payload
        signature = self._key.sign(signing_input, _PKCS1V15, _SHA256)
        return (signing_input + b"." + _b64url(signature)).decode("ascii")

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._jwk)]}

    def public_key(self) -> Any:
        return self._key.public_key()


_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def _b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


@dataclass(slots=True, eq=False)
class TokenRecord:
    """What the world knows about a token it issued. ``repr`` never shows the token."""

    token: str = field(repr=False)
    kind: TokenKind
    issuer: IssuerName
    subject: str
    client_id: str
    scopes: frozenset[str]
    #: The organization (``prt_id``) the token belongs to; None for on-prem.
    org_id: str | None
    #: Tenant logical names (lower case) it may address; None means every tenant of the org.
    tenants: frozenset[str] | None
    issued_at: float
    expires_at: float
    #: True for application-scope tokens (client credentials): OR.* scopes are enforced.
    app_scoped: bool = False
    family: str | None = None
    revoked: bool = False
    #: Claims as signed, for tests that want them without decoding.
    claims: dict[str, Any] = field(default_factory=dict, repr=False)

    def has_any_scope(self, wanted: frozenset[str] | set[str]) -> bool:
        """Application tokens need one of ``wanted``; user-delegated tokens are not scoped."""
        return not self.app_scoped or not self.scopes.isdisjoint(wanted)


class TokenRegistry:
    """Every token the world issued, by its exact string."""

    def __init__(self) -> None:
        self._by_token: dict[str, TokenRecord] = {}
        self._lock = threading.Lock()

    def add(self, record: TokenRecord) -> None:
        with self._lock:
            self._by_token[record.token] = record

    def get(self, token: str) -> TokenRecord | None:
        return self._by_token.get(token)

    def records(self) -> list[TokenRecord]:
        return list(self._by_token.values())

    def revoke(self, token: str) -> bool:
        record = self._by_token.get(token)
        if record is None:
            return False
        record.revoked = True
        return True

    def revoke_where(self, **criteria: Any) -> int:
        """Revoke every token whose attributes equal ``criteria`` (e.g. ``family=...``)."""
        count = 0
        for record in list(self._by_token.values()):
            matches = all(getattr(record, key) == value for key, value in criteria.items())
            if matches and not record.revoked:
                record.revoked = True
                count += 1
        return count

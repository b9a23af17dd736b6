"""Offline verification tokens: compact JWS (RFC 7515) signed with ES256 (ECDSA P-256, SHA-256).

Pure functions, no database: signing with a private key, publishing public keys as a JWK Set
(RFC 7517), and checking a token against nothing but a JWK Set and a revocation list, as a
verifier without network does. The browser verifier (`portal/static/portal/offline-verify.js`)
applies the same rules in the same order with WebCrypto.

Signing, verifying a signature, and the JWK import, export and thumbprint go through `joserfc`
(a JWS ES256 signature is the raw `r || s`, 32 + 32 bytes, which is what WebCrypto's ECDSA takes
and gives). What stays here is the policy: which tokens count as malformed, altered or signed by
an unknown key (decided before any key is used), and the time and revocation rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ALG = "ES256"
TYP = "qyzmet-presentation+jwt"
REVOCATION_TYP = "qyzmet-revocations+jwt"
COORDINATE_BYTES = 32
# Clocks of phones drift: a token is accepted this many seconds either side of iat/exp.
LEEWAY_SECONDS = 30
MAX_TOKEN_CHARS = 4000

# The outcomes of a check, in the order they are decided.
MALFORMED = "malformed"  # not a compact JWS of ours at all
ALTERED = "altered"  # the signature does not match (or an algorithm we never use)
UNKNOWN_KEY = "unknown_key"  # signed with a key that is not published
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
REVOKED = "revoked"
VALID = "valid"


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public key as a JWK (kty EC, crv P-256, x, y), without kid."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("only P-256 keys are used for offline tokens")
    jwk = ECKey.import_key(key).as_dict(private=False)
    return {name: str(jwk[name]) for name in ("kty", "crv", "x", "y")}


def jwk_thumbprint(jwk: Mapping[str, str]) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url): the key id, so a kid names exactly one key."""
    return ECKey.import_key({name: jwk[name] for name in ("kty", "crv", "x", "y")}).thumbprint()


def public_key_from_jwk(jwk: Mapping[str, Any]) -> ECKey:
    """The P-256 public key of a JWK; ValueError when it is another kind of key, or not a point
    of the curve."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("not a P-256 key")
    x, y = str(jwk.get("x", "")), str(jwk.get("y", ""))
    if len(b64url_decode(x)) != COORDINATE_BYTES or len(b64url_decode(y)) != COORDINATE_BYTES:
        raise ValueError("bad coordinates")
    try:
        key = ECKey.import_key({"kty": "EC", "crv": "P-256", "x": x, "y": y})
        key.get_op_key("verify")  # builds the public key, so a point off the curve fails here
    except JoseError as error:
        raise ValueError("not a usable key") from error
    return key


def jwks_keys(jwks: Mapping[str, Any]) -> dict[str, ECKey]:
    """The usable keys of a JWK Set by kid; entries we cannot use (other types, other
    algorithms, not for signatures, broken) are skipped, not trusted."""
    keys: dict[str, ECKey] = {}
    for jwk in jwks.get("keys", []) if isinstance(jwks, Mapping) else []:
        if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("alg", ALG) != ALG or jwk.get("use", "sig") != "sig":
            continue
        try:
            keys[jwk["kid"]] = public_key_from_jwk(jwk)
        except ValueError:
            continue
    return keys


def jws_sign(
    *, claims: Mapping[str, Any], key: ec.EllipticCurvePrivateKey, kid: str, typ: str = TYP
) -> str:
    header = {"alg": ALG, "kid": kid, "typ": typ}
    return jws.serialize_compact(header, _json(claims), ECKey.import_key(key), algorithms=[ALG])


@dataclass(frozen=True)
class Verdict:
    code: str
    claims: dict[str, Any] = field(default_factory=dict)
    kid: str = ""

    @property
    def ok(self) -> bool:
        return self.code == VALID


@dataclass(frozen=True)
class _Parsed:
    header: dict[str, Any]
    claims: dict[str, Any]
    token: str


def _parse(token: str) -> _Parsed | None:
    token = (token or "").strip()
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        return None
    encoded_header, encoded_claims, encoded_signature = token.split(".")
    try:
        header = json.loads(b64url_decode(encoded_header))
        claims = json.loads(b64url_decode(encoded_claims))
        if encoded_signature:
            b64url_decode(encoded_signature)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return _Parsed(header=header, claims=claims, token=token)


def jws_header(token: str) -> dict[str, Any]:
    """The header of a token, unverified (to show which key it names); empty if unreadable."""
    parsed = _parse(token)
    return parsed.header if parsed is not None else {}


def _signature_ok(parsed: _Parsed, key: ECKey) -> bool:
    try:
        jws.deserialize_compact(parsed.token, key, algorithms=[ALG])
    except (JoseError, ValueError):
        return False
    return True


def jws_verify_signature(*, token: str, keys: Mapping[str, ECKey], typ: str = TYP) -> Verdict:
    """Only the signature: `valid` with the claims, or why not (malformed, altered,
    unknown_key). `alg` must be ES256: `none`, HS256 and every other algorithm are refused
    before any key is looked at, so a public key can never be used as an HMAC secret."""
    parsed = _parse(token)
    if parsed is None:
        return Verdict(MALFORMED)
    if parsed.header.get("alg") != ALG or parsed.header.get("typ", typ) != typ:
        return Verdict(ALTERED)
    if "crit" in parsed.header:  # no extension of ours is critical: refuse what we do not know
        return Verdict(ALTERED)
    kid = parsed.header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        return Verdict(UNKNOWN_KEY, kid=kid if isinstance(kid, str) else "")
    if not _signature_ok(parsed, keys[kid]):
        return Verdict(ALTERED, kid=kid)
    return Verdict(VALID, claims=parsed.claims, kid=kid)


def token_verify(
    *,
    token: str,
    jwks: Mapping[str, Any],
    revoked: Collection[str],
    now: int,
) -> Verdict:
    """Check a presentation token with nothing but the published keys and revocation list.

    `now` is the verifier's clock (seconds since the epoch). Decided in this order: malformed,
    altered (including any algorithm but ES256), unknown_key, expired / not_yet_valid, revoked,
    valid. The time and revocation checks run only on a genuine signature, so an edited `exp`
    shows as altered, never as expired.
    """
    verdict = jws_verify_signature(token=token, keys=jwks_keys(jwks))
    if not verdict.ok:
        return verdict
    claims = verdict.claims
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        return Verdict(MALFORMED, claims=claims, kid=verdict.kid)
    if now > exp + LEEWAY_SECONDS:
        return Verdict(EXPIRED, claims=claims, kid=verdict.kid)
    if now + LEEWAY_SECONDS < iat:
        return Verdict(NOT_YET_VALID, claims=claims, kid=verdict.kid)
    rid = claims.get("rid")
    if isinstance(rid, str) and rid in set(revoked):
        return Verdict(REVOKED, claims=claims, kid=verdict.kid)
    return verdict


def revocation_list_read(
    *, token: str, jwks: Mapping[str, Any], now: int, max_age: int | None = None
) -> frozenset[str] | None:
    """The revoked ids of a signed revocation list, or None when its signature does not check
    (or, with `max_age`, it was issued longer ago than that)."""
    verdict = jws_verify_signature(token=token, keys=jwks_keys(jwks), typ=REVOCATION_TYP)
    if not verdict.ok:
        return None
    iat = verdict.claims.get("iat")
    revoked = verdict.claims.get("revoked")
    if not isinstance(iat, int) or not isinstance(revoked, list):
        return None
    if max_age is not None and now - iat > max_age:
        return None
    return frozenset(item for item in revoked if isinstance(item, str))


def revocation_id(*, kind: str, ref: str) -> str:
    """The id a revocable thing goes by in tokens and in the public list: a hash, so the list
    publishes no document numbers (22 base64url characters, 132 bits)."""
    return b64url_encode(hashlib.sha256(f"qyzmet-wallet:{kind}:{ref}".encode()).digest())[:22]

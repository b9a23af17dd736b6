"""The offline token rules, pure: signing, the JWK Set, and every way a token can fail."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from qyzmet.wallet import tokens
from qyzmet.wallet.actions import code_normalize
from qyzmet.wallet.tokens import b64url_decode, b64url_encode

NOW = 1_800_000_000
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER = ec.generate_private_key(ec.SECP256R1())
JWK = tokens.public_jwk(KEY.public_key())
KID = tokens.jwk_thumbprint(JWK)
JWKS = {"keys": [{**JWK, "kid": KID, "alg": "ES256", "use": "sig"}]}
CLAIMS = {"iat": NOW, "exp": NOW + 600, "prs": "age_over_18", "age_over_18": True, "rid": "r1"}


def sign(claims: dict[str, Any] | None = None, **header: Any) -> str:
    key = header.pop("key", KEY)
    kid = header.pop("kid", KID)
    return tokens.jws_sign(claims=CLAIMS if claims is None else claims, key=key, kid=kid)


def raw(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    encode = lambda v: b64url_encode(json.dumps(v).encode())  # noqa: E731
    return f"{encode(header)}.{encode(claims)}.{b64url_encode(signature)}"


def check(token: str, *, now: int = NOW, revoked: frozenset[str] = frozenset()) -> str:
    return tokens.token_verify(token=token, jwks=JWKS, revoked=revoked, now=now).code


def test_a_token_we_sign_is_valid_and_carries_its_claims() -> None:
    token = sign()

    verdict = tokens.token_verify(token=token, jwks=JWKS, revoked=frozenset(), now=NOW)

    assert verdict.code == "valid"
    assert verdict.claims == CLAIMS
    assert verdict.kid == KID
    assert tokens.jws_header(token) == {"alg": "ES256", "kid": KID, "typ": tokens.TYP}
    assert len(b64url_decode(token.split(".")[2])) == 64  # raw r || s, as WebCrypto wants


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (NOW, "valid"),
        (NOW + 600, "valid"),
        (NOW + 600 + tokens.LEEWAY_SECONDS, "valid"),
        (NOW + 600 + tokens.LEEWAY_SECONDS + 1, "expired"),
        (NOW + 86400, "expired"),
        (NOW - tokens.LEEWAY_SECONDS, "valid"),
        (NOW - tokens.LEEWAY_SECONDS - 1, "not_yet_valid"),
    ],
)
def test_time_window(now: int, code: str) -> None:
    assert check(sign(), now=now) == code


def test_revoked_only_when_its_id_is_listed() -> None:
    assert check(sign(), revoked=frozenset({"r1"})) == "revoked"
    assert check(sign(), revoked=frozenset({"r2"})) == "valid"
    assert check(sign({**CLAIMS, "rid": None}), revoked=frozenset({"r1"})) == "valid"


def test_an_edited_expiry_is_altered_not_expired_or_valid() -> None:
    header, _payload, signature = sign().split(".")
    longer = b64url_encode(json.dumps({**CLAIMS, "exp": NOW + 10**6}).encode())

    assert check(f"{header}.{longer}.{signature}", now=NOW + 5000) == "altered"


@pytest.mark.parametrize("position", [0, 1, 10, 40, 63])
def test_any_changed_signature_byte_is_altered(position: int) -> None:
    header, payload, signature = sign().split(".")
    changed = bytearray(b64url_decode(signature))
    changed[position] ^= 0x01

    assert check(f"{header}.{payload}.{b64url_encode(bytes(changed))}") == "altered"


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: {**c, "age_over_18": False},
        lambda c: {**c, "rid": "r2"},
        lambda c: {**c, "iat": c["iat"] - 1},
        lambda c: {k: v for k, v in c.items() if k != "rid"},
        lambda c: {**c, "extra": "x"},
    ],
)
def test_any_changed_claim_is_altered(edit: Any) -> None:
    header, _payload, signature = sign().split(".")
    payload = b64url_encode(json.dumps(edit(dict(CLAIMS))).encode())

    assert check(f"{header}.{payload}.{signature}") == "altered"


def test_signature_of_another_key_under_our_kid_is_altered() -> None:
    assert check(sign(key=OTHER)) == "altered"


def test_an_unpublished_kid_is_an_unknown_key() -> None:
    assert check(sign(key=OTHER, kid="someone-else")) == "unknown_key"
    assert check(sign(kid=KID[:-1] + ("A" if KID[-1] != "A" else "B"))) == "unknown_key"
    no_kid = raw({"alg": "ES256"}, CLAIMS, b"\0" * 64)
    assert check(no_kid) == "unknown_key"


def test_a_retired_key_no_longer_published_is_an_unknown_key() -> None:
    assert (
        tokens.token_verify(token=sign(), jwks={"keys": []}, revoked=(), now=NOW).code
        == "unknown_key"
    )


def test_alg_none_is_refused() -> None:
    header = b64url_encode(json.dumps({"alg": "none", "kid": KID, "typ": tokens.TYP}).encode())
    payload = b64url_encode(json.dumps(CLAIMS).encode())

    assert check(f"{header}.{payload}.") == "altered"
    assert check(raw({"alg": "none", "kid": KID}, CLAIMS, b"")) == "altered"


def test_hs256_keyed_with_the_public_key_is_refused() -> None:
    """The classic confusion attack: an HMAC whose secret is the (public) verification key."""
    header = b64url_encode(json.dumps({"alg": "HS256", "kid": KID, "typ": tokens.TYP}).encode())
    payload = b64url_encode(json.dumps(CLAIMS).encode())
    signing_input = f"{header}.{payload}".encode()
    for secret in (json.dumps(JWK).encode(), b64url_decode(JWK["x"]) + b64url_decode(JWK["y"])):
        mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
        assert check(f"{header}.{payload}.{b64url_encode(mac)}") == "altered"


@pytest.mark.parametrize("alg", ["ES384", "RS256", "PS256", "EdDSA", "es256", None, 256])
def test_every_other_algorithm_is_refused(alg: Any) -> None:
    signature = sign().split(".")[2]
    forged = raw({"alg": alg, "kid": KID}, CLAIMS, b64url_decode(signature))

    assert check(forged) == "altered"


def test_a_der_signature_is_refused() -> None:
    header, payload, _signature = sign().split(".")
    der = KEY.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))

    assert check(f"{header}.{payload}.{b64url_encode(der)}") == "altered"


def test_a_revocation_list_is_not_a_presentation_and_back() -> None:
    listing = tokens.jws_sign(
        claims={"iat": NOW, "exp": NOW + 60, "revoked": []},
        key=KEY,
        kid=KID,
        typ=tokens.REVOCATION_TYP,
    )

    assert check(listing) == "altered"
    assert tokens.revocation_list_read(token=sign(), jwks=JWKS, now=NOW) is None
    assert tokens.revocation_list_read(token=listing, jwks=JWKS, now=NOW) == frozenset()


def test_critical_header_extensions_are_refused() -> None:
    signature = sign().split(".")[2]
    forged = raw(
        {"alg": "ES256", "kid": KID, "typ": tokens.TYP, "crit": ["b64"]},
        CLAIMS,
        b64url_decode(signature),
    )
    assert check(forged) == "altered"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        f"{b64url_encode(b'not json')}.{b64url_encode(b'{}')}.",
        f"{b64url_encode(b'[1]')}.{b64url_encode(b'{}')}.",
        b64url_encode(b"{}") + "." + b64url_encode(b'"text"') + ".",
        "x" * 5000,
    ],
)
def test_malformed(token: str) -> None:
    assert check(token) == "malformed"


def test_claims_without_integer_times_are_malformed_even_when_signed() -> None:
    assert check(sign({"exp": "tomorrow", "iat": NOW})) == "malformed"
    assert check(sign({"iat": NOW})) == "malformed"


def test_unusable_jwks_entries_are_skipped_not_trusted() -> None:
    broken = {
        "keys": [
            {**JWK, "kid": "rsa", "kty": "RSA"},
            {**JWK, "kid": "enc", "use": "enc"},
            {**JWK, "kid": "alg", "alg": "ES384"},
            {**JWK, "kid": "short", "x": "AAAA"},
            {**JWK, "kid": "offcurve", "y": JWK["x"]},
            "not a key",
            {**JWK},  # no kid
        ]
    }

    assert tokens.jwks_keys(broken) == {}
    assert tokens.jwks_keys({"keys": "nope"}) == {}
    assert list(tokens.jwks_keys(JWKS)) == [KID]


def test_the_kid_is_the_rfc7638_thumbprint() -> None:
    canonical = json.dumps(
        {"crv": "P-256", "kty": "EC", "x": JWK["x"], "y": JWK["y"]}, separators=(",", ":")
    )

    assert b64url_encode(hashlib.sha256(canonical.encode()).digest()) == KID
    assert tokens.jwk_thumbprint(tokens.public_jwk(OTHER.public_key())) != KID


def test_revocation_ids_are_stable_and_hide_the_number() -> None:
    rid = tokens.revocation_id(kind="document", ref="2612345678901234")

    assert rid == tokens.revocation_id(kind="document", ref="2612345678901234")
    assert rid != tokens.revocation_id(kind="document", ref="2612345678901235")
    assert rid != tokens.revocation_id(kind="licence", ref="2612345678901234")
    assert len(rid) == 22 and "2612" not in rid


def test_an_old_revocation_list_is_refused_when_asked() -> None:
    listing = tokens.jws_sign(
        claims={"iat": NOW, "exp": NOW + 60, "revoked": ["a", 3]},
        key=KEY,
        kid=KID,
        typ=tokens.REVOCATION_TYP,
    )

    assert tokens.revocation_list_read(token=listing, jwks=JWKS, now=NOW) == frozenset({"a"})
    assert tokens.revocation_list_read(token=listing, jwks=JWKS, now=NOW + 100, max_age=99) is None


@settings(max_examples=60, deadline=None)
@given(
    claims=st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(st.booleans(), st.integers(), st.text(max_size=20)),
        max_size=5,
    ),
    position=st.integers(min_value=0),
    replacement=st.sampled_from("AQgw-_"),
)
def test_round_trip_and_any_payload_edit_breaks_it(
    claims: dict[str, Any], position: int, replacement: str
) -> None:
    full = {**claims, "iat": NOW, "exp": NOW + 60}
    token = sign(full)
    header, payload, signature = token.split(".")
    index = position % len(payload)
    edited = payload[:index] + replacement + payload[index + 1 :]

    assert tokens.token_verify(token=token, jwks=JWKS, revoked=(), now=NOW).claims == full
    if edited != payload:
        assert check(f"{header}.{edited}.{signature}") in {"altered", "malformed"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12345678", "12345678"),
        ("1234 5678", "12345678"),
        (" 1234-5678 ", "12345678"),
        ("1234567", ""),
        ("123456789", ""),
        ("１２３４５６７８", ""),
        ("", ""),
        ("1" * 8 + " " * 40, ""),
    ],
)
def test_share_codes_are_read_as_eight_ascii_digits(text: str, code: str) -> None:
    assert code_normalize(text) == code

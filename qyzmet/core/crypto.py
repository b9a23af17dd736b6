"""Personal data encrypted at rest: AES-256-GCM fields with a versioned keyring, and HMAC blind
indexes for exact-match lookups (by IIN, by phone) without decrypting.

- A ciphertext is `v<version>$<base64url(nonce || ciphertext+tag)>`. The version names the key
  that sealed it, so old rows stay readable after a new key is added; `manage.py rotate_keys`
  re-seals them under the current key.
- Every ciphertext is bound to its column (the AEAD's associated data is `<table>.<column>`), so a
  value copied into another column or table does not decrypt.
- A blind index is HMAC-SHA256 under a separate key, also bound to its purpose, so the index of an
  IIN cannot be matched against the index of a phone number, and the encryption keys never touch
  it.
- Keys come from the environment (`QYZMET_FIELD_KEYS="2:<key>,1:<key>"`, the highest version is
  current; `QYZMET_BLIND_INDEX_KEY`), each 32 bytes in URL-safe base64. Demo mode makes its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

NONCE_BYTES = 12


class DecryptionError(Exception):
    """A ciphertext cannot be opened: wrong column, unknown key version, or tampered."""


def _b64decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def parse_key(text: str, *, name: str) -> bytes:
    try:
        key = _b64decode(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: a key is not URL-safe base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: every key must be 32 bytes, got {len(key)}")
    return key


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]
    current: int
    index_key: bytes

    @classmethod
    def parse(cls, field_keys: str, index_key: str) -> Keyring:
        keys: dict[int, bytes] = {}
        for item in field_keys.split(","):
            item = item.strip()
            if not item:
                continue
            version_text, sep, key_text = item.partition(":")
            if not sep or not version_text.isdigit() or int(version_text) < 1:
                raise ImproperlyConfigured(
                    "QYZMET_FIELD_KEYS must look like '2:<base64 key>,1:<base64 key>'"
                )
            keys[int(version_text)] = parse_key(key_text, name="QYZMET_FIELD_KEYS")
        if not keys:
            raise ImproperlyConfigured("QYZMET_FIELD_KEYS holds no key")
        if not index_key:
            raise ImproperlyConfigured("QYZMET_BLIND_INDEX_KEY is required")
        index = parse_key(index_key, name="QYZMET_BLIND_INDEX_KEY")
        if index in keys.values():
            raise ImproperlyConfigured("the blind-index key must differ from every field key")
        return cls(keys=keys, current=max(keys), index_key=index)

    @property
    def versions(self) -> list[int]:
        return sorted(self.keys)


@cache
def _keyring(field_keys: str, index_key: str) -> Keyring:
    return Keyring.parse(field_keys, index_key)


@cache
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def keyring() -> Keyring:
    return _keyring(settings.QYZMET_FIELD_KEYS, settings.QYZMET_BLIND_INDEX_KEY)


def new_key() -> str:
    """A fresh key in the format the settings expect (for operators adding a version)."""
    return _b64encode(os.urandom(32))


def encrypt(plaintext: str, *, context: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _aead(ring.keys[ring.current]).encrypt(
        nonce, plaintext.encode("utf-8"), context.encode("utf-8")
    )
    return f"v{ring.current}${_b64encode(nonce + sealed)}"


def key_version(token: str) -> int:
    head, sep, _body = token.partition("$")
    if not sep or not head.startswith("v") or not head[1:].isdigit():
        raise DecryptionError("not a ciphertext")
    return int(head[1:])


def decrypt(token: str, *, context: str) -> str:
    version = key_version(token)
    key = keyring().keys.get(version)
    if key is None:
        raise DecryptionError(f"no key with version {version}")
    try:
        raw = _b64decode(token.partition("$")[2])
        opened = _aead(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("ciphertext does not open under its key and context") from exc
    return opened.decode("utf-8")


def encrypt_many(values: Sequence[str], *, context: str) -> list[str]:
    """`encrypt` for a column of values at once (bulk imports): one cipher context and one
    system call for all nonces. Empty values stay empty, as `EncryptedTextField` stores them."""
    ring = keyring()
    seal = _aead(ring.keys[ring.current]).encrypt
    prefix = f"v{ring.current}$"
    aad = context.encode("utf-8")
    nonces = os.urandom(NONCE_BYTES * len(values))
    sealed: list[str] = []
    for position, value in enumerate(values):
        if not value:
            sealed.append("")
            continue
        nonce = nonces[position * NONCE_BYTES : (position + 1) * NONCE_BYTES]
        sealed.append(prefix + _b64encode(nonce + seal(nonce, value.encode("utf-8"), aad)))
    return sealed


class BlindIndexer:
    """`blind_index` for many values of one purpose: the keyed state is prepared once."""

    def __init__(self, *, purpose: str) -> None:
        self._base = hmac.new(keyring().index_key, purpose.encode("utf-8") + b"\x00", "sha256")

    def __call__(self, value: str) -> str:
        mac = self._base.copy()
        mac.update(value.encode("utf-8"))
        return mac.hexdigest()


def blind_index(value: str, *, purpose: str) -> str:
    """A deterministic, keyed fingerprint of `value` for exact-match lookups."""
    message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(keyring().index_key, message, hashlib.sha256).hexdigest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """The same keyed fingerprint, for secrets we only compare (codes, addresses, tokens)."""
    return blind_index(value, purpose=purpose)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored as an AES-256-GCM ciphertext bound to `<table>.<column>`.

    Python code sees plain `str`; the database sees only ciphertext. It cannot be filtered or
    ordered on: add a blind-index column next to it for lookups.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        self.crypto_context = f"{cls._meta.db_table}.{self.column}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, context=self.crypto_context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), context=self.crypto_context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("isnull",):
            raise TypeError(f"encrypted field {self.name!r} cannot be filtered with {lookup_name}")
        return super().get_lookup(lookup_name)

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.core import crypto
from qyzmet.core.crypto import DecryptionError, Keyring, blind_index, decrypt, encrypt

KEY_A = base64.urlsafe_b64encode(b"a" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"b" * 32).decode()
KEY_I = base64.urlsafe_b64encode(b"i" * 32).decode()


@given(st.text(max_size=300))
def test_encryption_round_trips_any_text(text: str) -> None:
    assert decrypt(encrypt(text, context="t.c"), context="t.c") == text


def test_the_same_value_encrypts_differently_each_time() -> None:
    assert encrypt("Әлия", context="t.c") != encrypt("Әлия", context="t.c")


def test_a_ciphertext_moved_to_another_column_does_not_open() -> None:
    token = encrypt("791028302728", context="identity_person.iin")

    with pytest.raises(DecryptionError):
        decrypt(token, context="identity_person.surname")


def test_a_tampered_ciphertext_does_not_open() -> None:
    token = encrypt("secret", context="t.c")
    head, body = token.split("$")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]

    with pytest.raises(DecryptionError):
        decrypt(f"{head}${flipped}", context="t.c")


def test_old_key_versions_stay_readable_after_a_new_key_is_added(settings) -> None:  # type: ignore[no-untyped-def]
    settings.QYZMET_FIELD_KEYS = f"1:{KEY_A}"
    old = encrypt("Нұрлан", context="t.c")
    settings.QYZMET_FIELD_KEYS = f"2:{KEY_B},1:{KEY_A}"

    new = encrypt("Нұрлан", context="t.c")

    assert old.startswith("v1$") and new.startswith("v2$")
    assert decrypt(old, context="t.c") == decrypt(new, context="t.c") == "Нұрлан"
    settings.QYZMET_FIELD_KEYS = f"2:{KEY_B}"
    with pytest.raises(DecryptionError, match="no key with version 1"):
        decrypt(old, context="t.c")


def test_blind_index_is_deterministic_and_separated_by_purpose() -> None:
    assert blind_index("791028302728", purpose="iin") == blind_index("791028302728", purpose="iin")
    assert blind_index("791028302728", purpose="iin") != blind_index(
        "791028302728", purpose="phone"
    )
    assert len(blind_index("x", purpose="iin")) == 64


@pytest.mark.parametrize(
    ("keys", "index", "message"),
    [
        ("", KEY_I, "holds no key"),
        (f"one:{KEY_A}", KEY_I, "must look like"),
        ("1:c2hvcnQ", KEY_I, "32 bytes"),
        (f"1:{KEY_A}", "", "QYZMET_BLIND_INDEX_KEY"),
        (f"1:{KEY_A}", KEY_A, "must differ"),
    ],
)
def test_bad_key_configuration_is_refused_with_a_reason(
    keys: str, index: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        Keyring.parse(keys, index)


def test_new_key_is_a_valid_32_byte_key() -> None:
    assert len(crypto.parse_key(crypto.new_key(), name="x")) == 32


def test_bulk_sealing_gives_what_the_single_value_functions_open() -> None:
    values = ["Әлия", "", "Нұрлан", "x" * 500]

    sealed = crypto.encrypt_many(values, context="t.c")
    indexer = crypto.BlindIndexer(purpose="iin")

    assert [decrypt(t, context="t.c") if t else "" for t in sealed] == values
    assert sealed[1] == ""
    assert indexer("791028302728") == blind_index("791028302728", purpose="iin")
    assert indexer("791028302728") == indexer("791028302728")

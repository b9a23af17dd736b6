"""Password hashing in bounded slots: a hash waits for a slot, and past the wait is refused
with 503 and Retry-After without hashing."""

import threading

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from qyzmet.core.passwords import PasswordHashingBusy, hashing_slot, hashing_slots

CHEAP_ARGON2 = {
    "PASSWORD_HASHERS": ["qyzmet.core.passwords.QyzmetArgon2PasswordHasher"],
    "QYZMET_ARGON2_TIME_COST": 1,
    "QYZMET_ARGON2_MEMORY_KIB": 64,
    "QYZMET_ARGON2_PARALLELISM": 1,
}


@override_settings(**CHEAP_ARGON2, QYZMET_PASSWORD_HASHING_SLOTS=1)
def test_argon2_hashes_and_checks_inside_a_slot() -> None:
    encoded = make_password("a password")

    assert encoded.startswith("argon2$")
    assert check_password("a password", encoded)
    assert hashing_slots().acquire(blocking=False)  # every slot was given back
    hashing_slots().release()


@override_settings(
    **CHEAP_ARGON2, QYZMET_PASSWORD_HASHING_SLOTS=1, QYZMET_PASSWORD_HASHING_WAIT_MS=0
)
def test_a_hash_past_the_wait_is_refused_503_with_retry_after() -> None:
    encoded = make_password("a password")
    slots = hashing_slots()
    assert slots.acquire(blocking=False)
    try:
        with pytest.raises(PasswordHashingBusy) as refused:
            check_password("a password", encoded)
    finally:
        slots.release()

    assert refused.value.status == 503
    assert refused.value.code == "overloaded"
    assert refused.value.headers == {"Retry-After": "1"}


@override_settings(QYZMET_PASSWORD_HASHING_SLOTS=2, QYZMET_PASSWORD_HASHING_WAIT_MS=5000)
def test_a_hash_waits_for_a_slot_to_free() -> None:
    slots = hashing_slots()
    assert slots.acquire(blocking=False) and slots.acquire(blocking=False)
    entered = threading.Event()

    def waiter() -> None:
        with hashing_slot():
            entered.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert not entered.is_set()
    slots.release()
    thread.join()
    slots.release()

    assert entered.is_set()

"""Password sign-in through the API under abuse: cheap limits per client address, per IIN and for
everyone answer 429 with Retry-After before any hash is computed; hashing runs in bounded slots;
a stranger's wrong passwords lock the stranger, never the owner's known phone or certificate."""

import base64
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import override_settings

from conftest import PHONE, CommittingClient, at_once, last_code
from qyzmet.core.passwords import hashing_slots
from qyzmet.identity.models import AuthSession, OneTimeCode, PasswordAttempt
from qyzmet.identity.tests.factories import PASSWORD, citizen_create, person_create
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db

SIGNIN = "/api/v1/auth/signin/password"
STRANGER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER_PHONE_ID = "owner-phone-0123456789abcdef"  # the app's own random id for its phone


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password hash checked from now on (the test settings' hasher, counted)."""
    checked: list[str] = []
    verify = MD5PasswordHasher.verify

    def counted(self: MD5PasswordHasher, password: str, encoded: str) -> bool:
        checked.append(password)
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counted)
    return checked


def _iins(count: int) -> Iterator[str]:
    for n in range(count):
        yield person_create(birth_date=date(1971, 1, 1 + n), sex="M").iin


def _wrong(api: CommittingClient, iin: str, **extra: Any) -> Any:
    return api.post_json(SIGNIN, {"iin": iin, "password": "wrong-password-1"}, **extra)


def test_one_client_trying_many_iins_is_refused_before_any_hash(
    api_client: CommittingClient, hashes: list[str]
) -> None:
    account = citizen_create()
    for iin in _iins(10):  # ten IINs, two tries each would not lock any IIN
        assert _wrong(api_client, iin).status_code == 401
    assert len(hashes) == 10

    refused = api_client.post_json(SIGNIN, {"iin": account.person.iin, "password": PASSWORD})
    elsewhere = api_client.post_json(
        SIGNIN, {"iin": account.person.iin, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )

    assert refused.status_code == 429
    assert refused.json()["code"] == "signin_locked"
    assert int(refused["Retry-After"]) == 15 * 60
    assert refused.json()["details"]["retry_after"] == 15 * 60
    assert len(hashes) == 11  # the refused attempt computed no hash; the other client's did
    assert elsewhere.status_code == 200
    assert PasswordAttempt.objects.count() == 11  # refusals are not attempts


def test_an_iin_is_refused_before_any_hash_whichever_clients_try_it(
    api_client: CommittingClient, hashes: list[str]
) -> None:
    account = citizen_create()
    for n in range(5):
        _wrong(api_client, account.person.iin, REMOTE_ADDR=f"203.0.113.{n + 1}")

    locked = _wrong(api_client, account.person.iin, REMOTE_ADDR="203.0.113.99")

    assert locked.status_code == 429
    assert locked.json()["code"] == "signin_locked"
    assert len(hashes) == 5


@override_settings(QYZMET_PASSWORD_PER_MINUTE_ALL=3)
def test_everyones_attempts_together_are_limited_before_any_hash(
    api_client: CommittingClient, hashes: list[str]
) -> None:
    iins = list(_iins(4))
    for n, iin in enumerate(iins[:3]):
        assert _wrong(api_client, iin, REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 401

    fourth = _wrong(api_client, iins[3], REMOTE_ADDR="198.51.100.50")

    assert fourth.status_code == 429
    assert 1 <= int(fourth["Retry-After"]) <= 60
    assert len(hashes) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
def test_sixteen_wrong_passwords_at_once_from_one_client_hash_at_most_its_budget(
    hashes: list[str],
) -> None:
    iins = list(_iins(16))

    def attempt(n: int) -> int:
        return int(_wrong(CommittingClient(HTTP_ACCEPT_LANGUAGE="en"), iins[n]).status_code)

    statuses = at_once(16, attempt)

    assert sorted(statuses) == [401] * 10 + [429] * 6
    assert len(hashes) == 10


def test_a_stranger_locks_themselves_but_not_the_owners_known_phone(
    api_client: CommittingClient, hashes: list[str]
) -> None:
    account = citizen_create()
    iin = account.person.iin
    known = {"HTTP_X_DEVICE_ID": OWNER_PHONE_ID}
    first = api_client.post_json(SIGNIN, {"iin": iin, "password": PASSWORD}, **known)
    api_client.post_json(
        "/api/v1/auth/signin/verify",
        {"code_id": first.json()["code"]["code_id"], "code": last_code(api_client, PHONE)},
        **known,
    )
    assert AuthSession.objects.get().device_hash  # the phone is known to the account now

    for _ in range(5):
        assert _wrong(api_client, iin, **STRANGER).status_code == 401
    stranger = api_client.post_json(SIGNIN, {"iin": iin, "password": PASSWORD}, **STRANGER)
    new_phone = api_client.post_json(
        SIGNIN, {"iin": iin, "password": PASSWORD}, HTTP_X_DEVICE_ID="another-phone-0123456789ab"
    )
    hashed_before = len(hashes)
    with override_settings(QYZMET_OTP_RESEND_SECONDS=0):
        owner = api_client.post_json(SIGNIN, {"iin": iin, "password": PASSWORD}, **known)

    assert stranger.status_code == new_phone.status_code == 429
    assert stranger.json()["code"] == "signin_locked"
    assert owner.status_code == 200, owner.json()
    assert owner.json()["next"] == "code"
    assert len(hashes) == hashed_before + 1


def test_a_known_device_has_a_limit_of_its_own(
    api_client: CommittingClient, hashes: list[str]
) -> None:
    account = citizen_create()
    known = {"HTTP_X_DEVICE_ID": OWNER_PHONE_ID}
    step = api_client.post_json(
        SIGNIN, {"iin": account.person.iin, "password": PASSWORD}, **known
    ).json()
    api_client.post_json(
        "/api/v1/auth/signin/verify",
        {"code_id": step["code"]["code_id"], "code": last_code(api_client, PHONE)},
        **known,
    )
    for _ in range(5):
        assert _wrong(api_client, account.person.iin, **known).status_code == 401

    sixth = _wrong(api_client, account.person.iin, **known)

    assert sixth.status_code == 429
    assert len(hashes) == 6  # the right one, then five wrong; none for the refused


def test_the_owner_signs_in_by_certificate_while_the_iin_is_locked(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    iin = account.person.iin
    for _ in range(5):
        _wrong(api_client, iin, **STRANGER)
    assert _wrong(api_client, iin, **STRANGER).status_code == 429
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    challenge = api_client.get("/api/v1/auth/signin/certificate/challenge").json()
    signed = cms_sign(
        content=base64.b64decode(challenge["challenge"]),
        p12=p12,
        password=demo_p12_password(iin),
    )

    step = api_client.post_json(
        "/api/v1/auth/signin/certificate",
        {
            "challenge_id": challenge["challenge_id"],
            "signature": base64.b64encode(signed).decode(),
        },
    )
    done = api_client.post_json(
        "/api/v1/auth/signin/verify",
        {"code_id": step.json()["code"]["code_id"], "code": last_code(api_client, PHONE)},
    )

    assert step.status_code == 200, step.json()
    assert done.status_code == 200
    assert AuthSession.objects.get().method == "certificate"


@override_settings(
    PASSWORD_HASHERS=["qyzmet.core.passwords.QyzmetArgon2PasswordHasher"],
    QYZMET_ARGON2_TIME_COST=1,
    QYZMET_ARGON2_MEMORY_KIB=64,
    QYZMET_ARGON2_PARALLELISM=1,
    QYZMET_PASSWORD_HASHING_SLOTS=1,
    QYZMET_PASSWORD_HASHING_WAIT_MS=0,
)
def test_with_every_hashing_slot_taken_a_sign_in_gets_503_and_spends_no_attempt(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    slots = hashing_slots()
    assert slots.acquire(blocking=False)  # another request is hashing
    try:
        busy = api_client.post_json(SIGNIN, {"iin": account.person.iin, "password": PASSWORD})
    finally:
        slots.release()
    afterwards = api_client.post_json(SIGNIN, {"iin": account.person.iin, "password": PASSWORD})

    assert busy.status_code == 503
    assert busy["Retry-After"] == "1"
    assert busy.json()["code"] == "overloaded"
    assert list(PasswordAttempt.objects.values_list("outcome", flat=True).order_by("id")) == [
        "busy",
        "right",
    ]
    assert afterwards.status_code == 200
    assert OneTimeCode.objects.count() == 1

"""My phone, my sessions, the officer's registry read: through the API, with the
authorization matrix."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.core.iin import iin_mask
from qyzmet.identity.models import AuthSession, PhoneBinding
from qyzmet.identity.tests.factories import PASSWORD, citizen_create, person_create
from qyzmet.trust.models import DataAccessEvent

pytestmark = pytest.mark.django_db

NEW_PHONE = "+77051112233"


def test_binding_a_new_number_needs_the_password_and_a_code_to_the_new_number(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    tokens = sign_in(api_client, account.person.iin)
    auth = bearer(tokens["access_token"])

    wrong = api_client.post_json(
        "/api/v1/me/phone/start", {"phone": NEW_PHONE, "password": "not-my-password"}, **auth
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "password_wrong"

    started = api_client.post_json(
        "/api/v1/me/phone/start", {"phone": "+7 705 111 22 33", "password": PASSWORD}, **auth
    )
    assert started.status_code == 202, started.json()
    confirmed = api_client.post_json(
        "/api/v1/me/phone/confirm",
        {"code_id": started.json()["code_id"], "code": last_code(api_client, NEW_PHONE)},
        **auth,
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["phone_masked"] == "+7 705 *** ** 33"
    assert confirmed.json()["operator"] == "Beeline"

    phone = api_client.get("/api/v1/me/phone", **auth).json()
    assert phone["current"]["phone_masked"] == "+7 705 *** ** 33"
    assert [(h["phone_masked"], h["active"]) for h in phone["history"]] == [
        ("+7 705 *** ** 33", True),
        ("+7 701 *** ** 67", False),
    ]


def test_a_number_bound_to_another_person_cannot_be_taken(api_client: CommittingClient) -> None:
    citizen_create(phone=NEW_PHONE, birth_date=date(1966, 3, 3), sex="M")
    account = citizen_create()
    tokens = sign_in(api_client, account.person.iin)

    response = api_client.post_json(
        "/api/v1/me/phone/start",
        {"phone": NEW_PHONE, "password": PASSWORD},
        **bearer(tokens["access_token"]),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "phone_taken"
    assert PhoneBinding.objects.filter(active=True).count() == 2


@pytest.mark.parametrize(
    ("phone", "code"),
    [("+7 727 250 00 00", "phone_not_mobile"), ("+7 912 345 67 89", "phone_invalid"),
     ("12345", "phone_invalid")],
)  # fmt: skip
def test_registration_refuses_numbers_that_are_not_kazakh_mobiles(
    api_client: CommittingClient, phone: str, code: str
) -> None:
    person = person_create()

    response = api_client.post_json(
        "/api/v1/auth/register/start", {"iin": person.iin, "phone": phone}
    )

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_registration_refuses_a_weak_password_without_using_up_the_code(
    api_client: CommittingClient,
) -> None:
    person = person_create()
    started = api_client.post_json(
        "/api/v1/auth/register/start", {"iin": person.iin, "phone": PHONE}
    ).json()
    code = last_code(api_client, PHONE)

    weak = api_client.post_json(
        "/api/v1/auth/register/complete",
        {"code_id": started["code_id"], "code": code, "password": "12345678"},
    )
    strong = api_client.post_json(
        "/api/v1/auth/register/complete",
        {"code_id": started["code_id"], "code": code, "password": PASSWORD},
    )

    assert weak.status_code == 422
    assert weak.json()["code"] == "password_weak"
    assert len(weak.json()["details"]["problems"]) >= 2
    assert strong.status_code == 201


def test_my_sessions_lists_and_ends_my_devices(api_client: CommittingClient) -> None:
    account = citizen_create()
    phone = sign_in(api_client, account.person.iin)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        tablet = sign_in(api_client, account.person.iin)

        listed = api_client.get("/api/v1/me/sessions", **bearer(phone["access_token"])).json()
        assert {(s["id"], s["current"]) for s in listed} == {
            (phone["session_id"], True),
            (tablet["session_id"], False),
        }
        ended = api_client.delete(
            f"/api/v1/me/sessions/{tablet['session_id']}", **bearer(phone["access_token"])
        )
        assert ended.status_code == 204
        assert api_client.get("/api/v1/me", **bearer(tablet["access_token"])).status_code == 401
        assert api_client.get("/api/v1/me", **bearer(phone["access_token"])).status_code == 200


def test_i_cannot_end_someone_elses_session(api_client: CommittingClient) -> None:
    mine = citizen_create()
    theirs = citizen_create(phone="+77079998877", birth_date=date(1979, 9, 9), sex="M")
    my_tokens = sign_in(api_client, mine.person.iin)
    their_tokens = sign_in(api_client, theirs.person.iin, phone="+77079998877")

    response = api_client.delete(
        f"/api/v1/me/sessions/{their_tokens['session_id']}", **bearer(my_tokens["access_token"])
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert AuthSession.objects.get(pk=their_tokens["session_id"]).ended_at is None


def test_protected_endpoints_refuse_anonymous_and_forged_tokens(
    api_client: CommittingClient,
) -> None:
    for path in ("/api/v1/me", "/api/v1/me/phone", "/api/v1/me/sessions"):
        assert api_client.get(path).status_code == 401
        forged = api_client.get(path, **bearer("qa.eyJzIjoiMSJ9:forged:sig"))
        assert forged.status_code == 401
        assert forged.json()["code"] in ("token_invalid", "not_authenticated")


def test_access_tokens_expire_after_ten_minutes(api_client: CommittingClient) -> None:
    account = citizen_create()
    tokens = sign_in(api_client, account.person.iin)

    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=5)):
        expired = api_client.get("/api/v1/me", **bearer(tokens["access_token"]))
        refreshed = api_client.post_json(
            "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}
        )

    assert expired.status_code == 401
    assert refreshed.status_code == 200


def _officer(api_client: CommittingClient) -> dict:
    officer = citizen_create(phone="+77470001122", birth_date=date(1980, 8, 8), sex="M")
    officer.user_permissions.add(Permission.objects.get(codename="view_person"))
    return sign_in(api_client, officer.person.iin, phone="+77470001122")


def test_an_officer_reads_a_record_and_the_read_is_recorded(api_client: CommittingClient) -> None:
    subject = person_create(birth_date=date(2001, 2, 3), sex="F", given_name="Дана")
    tokens = _officer(api_client)

    response = api_client.post_json(
        "/api/v1/registry/persons/lookup",
        {"iin": subject.iin, "purpose": "Application 42: address check"},
        **bearer(tokens["access_token"]),
    )

    assert response.status_code == 200
    assert response.json()["given_name"] == "Дана"
    event = DataAccessEvent.objects.get()
    assert event.person_id == subject.pk
    assert event.actor.pk == AuthSession.objects.get(pk=tokens["session_id"]).account_id
    assert event.purpose == "Application 42: address check"
    assert event.channel == "api"
    assert "surname" in event.fields and "street" in event.fields


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_registry_reads_are_refused_to_non_officers_and_not_recorded(
    api_client: CommittingClient, who: str
) -> None:
    subject = person_create(birth_date=date(2001, 2, 3), sex="F")
    headers = {}
    if who == "citizen":
        headers = bearer(sign_in(api_client, citizen_create().person.iin)["access_token"])

    response = api_client.post_json(
        "/api/v1/registry/persons/lookup", {"iin": subject.iin, "purpose": "curiosity"}, **headers
    )

    assert response.status_code == (401 if who == "anonymous" else 404)
    assert DataAccessEvent.objects.count() == 0


def test_my_profile_is_the_registry_record_with_my_language(api_client: CommittingClient) -> None:
    account = citizen_create()
    person = account.person
    tokens = sign_in(api_client, person.iin)

    profile = api_client.get("/api/v1/me", **bearer(tokens["access_token"])).json()

    assert list(profile) == [
        "iin", "iin_masked", "surname", "given_name", "patronymic", "surname_latin",
        "given_name_latin", "birth_date", "sex", "citizenship", "address", "language",
    ]  # fmt: skip
    assert profile["iin"] == person.iin
    assert profile["iin_masked"] == iin_mask(person.iin)
    assert profile["surname"] == person.surname
    assert profile["birth_date"] == person.birth_date.isoformat()
    assert profile["address"] == {
        "region": person.region, "settlement": person.settlement, "street": person.street
    }  # fmt: skip
    account.refresh_from_db()
    assert profile["language"] == account.language

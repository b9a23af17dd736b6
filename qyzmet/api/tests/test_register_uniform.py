"""Registration tells no one on the screen who has an account: `register/start` answers alike
whatever the state of the IIN and the number, the SMS tells the truth, and the answers are
limited per client address like the codes of sign-in."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import CommittingClient
from qyzmet.identity.models import Account, OneTimeCode, Person
from qyzmet.identity.tests.factories import citizen_create, make_iin, person_create

pytestmark = pytest.mark.django_db

START = "/api/v1/auth/register/start"


def _sms(api: CommittingClient, phone: str) -> str:
    messages = api.get("/dev/outbox.json", {"to": phone, "limit": "1"}).json()["messages"]
    assert messages, f"no message to {phone}"
    text: str = messages[0]["text"]
    return text


def _states() -> dict[str, tuple[str, str]]:
    """(IIN, phone) for each state a registration can meet."""
    citizen_create(phone="+77017000001", birth_date=date(1960, 2, 2))  # owns +77017000001
    has_account = citizen_create(phone="+77017000002", birth_date=date(1961, 3, 3))
    young = person_create(birth_date=timezone.localdate() - timedelta(days=15 * 365))
    dead = person_create(birth_date=date(1930, 1, 1), status=Person.Status.DECEASED)
    return {
        "fine": (person_create(birth_date=date(1990, 1, 1)).iin, "+77017000010"),
        "account_exists": (has_account.person.iin, "+77017000011"),
        "iin_not_in_registry": (make_iin(date(1977, 7, 7), "M"), "+77017000012"),
        "deceased": (dead.iin, "+77017000013"),
        "too_young": (young.iin, "+77017000014"),
        "phone_taken": (person_create(birth_date=date(1991, 1, 1)).iin, "+77017000001"),
    }


def _shape(body: dict[str, Any]) -> dict[str, Any]:
    """The answer without what differs by nature between any two requests (id, clock)."""
    return {k: v for k, v in body.items() if k not in ("code_id", "expires_at")} | {
        "keys": sorted(body)
    }


def test_register_start_answers_alike_whatever_the_state(api_client: CommittingClient) -> None:
    states = _states()
    answers = {
        state: api_client.post_json(START, {"iin": iin, "phone": phone})
        for state, (iin, phone) in states.items()
    }

    assert {state: a.status_code for state, a in answers.items()} == dict.fromkeys(states, 202)
    shapes = {
        state: _shape(a.json()) | {"phone_masked": "…"} for state, a in answers.items()
    }  # each masks its own number
    assert len({repr(shape) for shape in shapes.values()}) == 1
    assert len({a.json()["code_id"] for a in answers.values()}) == len(states)
    assert OneTimeCode.objects.filter(purpose="register").count() == len(states)


def test_the_sms_tells_the_truth_of_each_state(api_client: CommittingClient) -> None:
    states = _states()
    for iin, phone in states.values():
        api_client.post_json(START, {"iin": iin, "phone": phone})

    texts = {state: _sms(api_client, phone) for state, (_, phone) in states.items()}

    assert "registration code" in texts["fine"]
    assert "already has an account" in texts["account_exists"]
    assert "not in the population registry" in texts["iin_not_in_registry"]
    assert "not in the population registry" in texts["deceased"]
    assert "aged 16 and over" in texts["too_young"]
    assert "registered to another person" in texts["phone_taken"]
    for state, text in texts.items():
        assert (state == "fine") == bool(re.search(r"\b\d{6}\b", text)), text  # only one code


def test_the_sms_is_in_the_language_asked_in(api_client: CommittingClient) -> None:
    has_account = citizen_create(phone="+77017000002")

    api_client.post_json(
        START, {"iin": has_account.person.iin, "phone": "+77017000011"}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert "уже есть учётная запись" in _sms(api_client, "+77017000011")


def test_a_refused_registration_cannot_be_completed_with_any_code(
    api_client: CommittingClient,
) -> None:
    has_account = citizen_create(phone="+77017000002")
    started = api_client.post_json(
        START, {"iin": has_account.person.iin, "phone": "+77017000011"}
    ).json()

    completed = api_client.post_json(
        "/api/v1/auth/register/complete",
        {"code_id": started["code_id"], "code": "123456", "password": "Another-good-pass-2026"},
    )

    assert completed.status_code == 400
    assert completed.json()["code"] == "otp_wrong"
    assert Account.objects.count() == 1


@override_settings(QYZMET_OTP_LIMITS={"phone": (None, 20), "iin": (None, 20), "client": (3, 60)})
def test_register_start_is_limited_per_client_alike_whatever_the_state(
    api_client: CommittingClient,
) -> None:
    states = list(_states().values())
    for iin, phone in states[:3]:
        assert api_client.post_json(START, {"iin": iin, "phone": phone}).status_code == 202

    refused = [
        api_client.post_json(START, {"iin": iin, "phone": phone}) for iin, phone in states[3:]
    ]
    other_client = api_client.post_json(
        START, {"iin": states[3][0], "phone": states[3][1]}, REMOTE_ADDR="198.51.100.9"
    )

    assert {r.status_code for r in refused} == {429}
    assert {r.json()["code"] for r in refused} == {"otp_rate_limited"}
    assert all(int(r["Retry-After"]) > 0 for r in refused)
    assert other_client.status_code == 202

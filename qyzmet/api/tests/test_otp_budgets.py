"""The budgets of one-time codes through the API, both sides of docs/one-time-codes.md: an
honest heavy day meets no limit, and a guesser is stopped at 20 codes and 100 wrong tries a day
per account (429 with Retry-After)."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import CRIMINAL_RECORD, criminal_record_submitted
from qyzmet.identity.models import OneTimeCode, OtpEvent
from qyzmet.identity.tests.factories import citizen_create, person_create
from qyzmet.registries import actions as registry
from qyzmet.registries.tests.conftest import car, pool

pytestmark = pytest.mark.django_db


def _morning() -> datetime:
    """Tomorrow at 08:00 in Astana."""
    tomorrow = timezone.now() + timedelta(days=1)
    return tomorrow.replace(hour=3, minute=0, second=0, microsecond=0)


def _draft(
    api: CommittingClient,
    auth: dict[str, str],
    service: str = CRIMINAL_RECORD,
    answers: dict[str, Any] | None = None,
) -> str:
    """An application filled in and ready to sign (a criminal-record one by default): its path."""
    draft = api.post_json("/api/v1/applications", {"service": service}, **auth)
    path = f"/api/v1/applications/{draft.json()['id']}"
    saved = api.patch(
        path, data={"answers": answers or {"purpose": "employment"}},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert saved.json()["errors"] == {}
    return path


def _wrong(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_an_honest_heavy_day_meets_no_limit(api_client: CommittingClient) -> None:
    """Register, sign in five times, sign ten applications: 16 codes, no 429."""
    person = person_create(birth_date=date(1990, 5, 17), sex="M")
    with time_machine.travel(_morning(), tick=False) as clock:
        started = api_client.post_json(
            "/api/v1/auth/register/start", {"iin": person.iin, "phone": PHONE}
        )
        assert started.status_code == 202, started.json()
        done = api_client.post_json(
            "/api/v1/auth/register/complete",
            {"code_id": started.json()["code_id"], "code": last_code(api_client, PHONE),
             "password": PASSWORD, "device": "Pixel 8"},
        )  # fmt: skip
        assert done.status_code == 201, done.json()
        signed = 0
        for session in range(5):  # five sign-ins, the first right after registering
            auth = bearer(sign_in(api_client, person.iin)["access_token"])
            for _ in range(2):  # each time two applications, the first right after signing in
                signed += 1
                criminal_record_submitted(api_client, auth, key=f"key-{signed}")
                clock.shift(timedelta(minutes=2))
            clock.shift(timedelta(hours=2, minutes=session))

    assert signed == 10
    issued = OtpEvent.objects.filter(kind=OtpEvent.Kind.ISSUED)
    assert issued.count() == 16
    assert not OtpEvent.objects.filter(kind=OtpEvent.Kind.THROTTLED).exists()


def test_the_first_signing_right_after_a_sign_in_is_not_paused(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    with time_machine.travel(timezone.now(), tick=False):
        auth = bearer(sign_in(api_client, account.person.iin)["access_token"])
        app = _draft(api_client, auth)
        code = api_client.post(f"{app}/sign/sms", **auth)
        again = api_client.post(f"{app}/sign/sms", **auth)

    assert code.status_code == 202, code.json()
    assert again.status_code == 429  # the pause holds within one purpose
    assert again["Retry-After"] == "60"


def _guess(api: CommittingClient, path: str, body: dict[str, Any], **auth: str) -> int:
    """Five wrong tries at the newest code, then the right one, refused: the code is spent."""
    right = last_code(api, PHONE)
    for left in (4, 3, 2, 1, 0):
        wrong = api.post_json(
            path, {**body, "code": _wrong(right)}, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **auth
        )
        assert wrong.status_code == 400, wrong.json()
        assert wrong.json()["details"]["attempts_left"] == left
    sixth = api.post_json(
        path, {**body, "code": right}, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **auth
    )
    assert sixth.json()["code"] == "otp_exhausted"
    return 5


def test_a_guesser_is_stopped_at_twenty_codes_and_a_hundred_tries_a_day(
    api_client: CommittingClient, settings: Any
) -> None:
    """One who holds the password (and then the session) asks for every code the account's
    day allows and tries each five times: 8 sign-in codes, 12 signing codes, and then nothing
    more, a phone change included, until codes leave the day."""
    settings.QYZMET_ACCESS_TOKEN_SECONDS = 24 * 3600
    account = citizen_create()
    iin = account.person.iin
    signin = {"iin": iin, "password": PASSWORD}
    tries = 0
    with time_machine.travel(_morning(), tick=False) as clock:
        auth = bearer(sign_in(api_client, iin)["access_token"])  # the first sign-in code
        for _ in range(7):
            clock.shift(timedelta(seconds=61))
            step = api_client.post_json("/api/v1/auth/signin/password", signin)
            assert step.status_code == 200, step.json()
            verify = {"code_id": step.json()["code"]["code_id"], "device": "Pixel 8"}
            tries += _guess(api_client, "/api/v1/auth/signin/verify", verify)
        clock.shift(timedelta(seconds=61))
        ninth = api_client.post_json("/api/v1/auth/signin/password", signin)
        assert ninth.status_code == 429
        assert int(ninth["Retry-After"]) == 24 * 3600 - 8 * 61

        app = _draft(api_client, auth)
        for _ in range(12):
            code = api_client.post(f"{app}/sign/sms", **auth)
            assert code.status_code == 202, code.json()
            tries += _guess(
                api_client, f"{app}/submit", {"code_id": code.json()["code_id"]}, **auth
            )
            clock.shift(timedelta(seconds=61))
        thirteenth = api_client.post(f"{app}/sign/sms", **auth)
        assert thirteenth.status_code == 429
        assert int(thirteenth["Retry-After"]) == 24 * 3600 - 12 * 61  # the oldest signing code

        change = api_client.post_json(  # from elsewhere, to another number, a budget unused:
            "/api/v1/me/phone/start",  # refused only because the account's day is spent
            {"phone": "+77019998877", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
            **auth,
        )
        assert change.status_code == 429
        assert int(change["Retry-After"]) == 24 * 3600 - 20 * 61  # the first code of the day
        assert change.json()["code"] == "otp_rate_limited"

        clock.shift(timedelta(seconds=int(change["Retry-After"])))  # the first code left the day
        assert api_client.post_json("/api/v1/auth/signin/password", signin).status_code == 200

    assert OtpEvent.objects.filter(kind=OtpEvent.Kind.ISSUED).count() == 21
    assert tries == 19 * 5  # and the one code used to sign in: 20 codes, at most 100 tries


def test_registration_codes_stop_at_three_a_day_per_iin(api_client: CommittingClient) -> None:
    person = person_create(birth_date=date(1990, 5, 17), sex="M")
    body = {"iin": person.iin, "phone": PHONE}
    with time_machine.travel(_morning(), tick=False) as clock:
        for _ in range(3):
            started = api_client.post_json("/api/v1/auth/register/start", body)
            assert started.status_code == 202, started.json()
            clock.shift(timedelta(seconds=61))
        fourth = api_client.post_json("/api/v1/auth/register/start", body)

    assert fourth.status_code == 429
    assert int(fourth["Retry-After"]) == 24 * 3600 - 3 * 61
    assert fourth.json()["details"]["retry_after"] == int(fourth["Retry-After"])


def test_countersigning_has_codes_of_its_own(api_client: CommittingClient) -> None:
    """The buyer of a car, just signed in, asks at once for the code to confirm the sale: not
    paused by the sign-in code, and counted as a countersigning code."""
    seller_phone, buyer_phone, plate = "+77011112233", "+77017654321", "123 ABC 02"
    seller = citizen_create(phone=seller_phone)
    buyer = citizen_create(phone=buyer_phone, birth_date=date(1985, 5, 5), sex="M", region="09")
    pool(plate)
    registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate=plate)
    with time_machine.travel(_morning(), tick=False) as clock:
        a = bearer(sign_in(api_client, seller.person.iin, seller_phone)["access_token"])
        answers = {"plate": plate, "buyer_iin": buyer.person.iin, "price": 4_500_000}
        app = _draft(api_client, a, "vehicle-re-registration", answers)
        code = api_client.post(f"{app}/sign/sms", **a)
        started = api_client.post_json(
            f"{app}/submit",
            {"code_id": code.json()["code_id"], "code": last_code(api_client, seller_phone)},
            HTTP_IDEMPOTENCY_KEY="sale",
            **a,
        )
        assert started.status_code == 201, started.json()
        clock.shift(timedelta(minutes=5))

        b = bearer(sign_in(api_client, buyer.person.iin, buyer_phone)["access_token"])
        asked = api_client.post(f"{app}/countersign/sms", **b)
        assert asked.status_code == 202, asked.json()
        confirmed = api_client.post_json(
            f"{app}/countersign",
            {"code_id": asked.json()["code_id"], "code": last_code(api_client, buyer_phone)},
            **b,
        )

    assert confirmed.status_code == 200, confirmed.json()
    assert OneTimeCode.objects.get(pk=asked.json()["code_id"]).purpose == "countersign"
